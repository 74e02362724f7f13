from __future__ import annotations

from django.contrib import admin

from sauti.places.models import Constituency, County, PlaceAlias, Settlement, SubCounty, Ward


@admin.register(County)
class CountyAdmin(admin.ModelAdmin[County]):
    list_display = ["code", "name", "iso_3166_2", "capital"]
    search_fields = ["name", "iso_3166_2"]


@admin.register(Constituency)
class ConstituencyAdmin(admin.ModelAdmin[Constituency]):
    list_display = ["code", "name", "county"]
    list_filter = ["county"]
    search_fields = ["name"]


@admin.register(SubCounty)
class SubCountyAdmin(admin.ModelAdmin[SubCounty]):
    list_display = ["code", "name", "county"]
    list_filter = ["county"]
    search_fields = ["name"]


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin[Ward]):
    list_display = ["code", "name", "constituency", "county", "sub_county", "has_boundary", "code_agreement"]
    list_filter = ["has_boundary", "code_agreement", "county"]
    search_fields = ["name", "shapefile_name"]
    list_select_related = ["constituency", "county", "sub_county"]


@admin.register(Settlement)
class SettlementAdmin(admin.ModelAdmin[Settlement]):
    list_display = ["name", "parent", "ward", "constituency", "county", "source", "placement"]
    list_filter = ["source", "placement", "county"]
    search_fields = ["name", "source_ref"]
    list_select_related = ["parent", "ward", "constituency", "county"]
    raw_id_fields = ["parent", "ward", "constituency"]


@admin.register(PlaceAlias)
class PlaceAliasAdmin(admin.ModelAdmin[PlaceAlias]):
    list_display = ["alias", "kind", "code", "source"]
    list_filter = ["kind", "source"]
    search_fields = ["alias", "code"]
