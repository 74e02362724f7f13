"""Kenya's gazetteer: IEBC counties, constituencies and wards, KNBS sub-counties, named settlements.

Codes follow the IEBC listing (counties 1 Mombasa … 47 Nairobi; wards 1–1450 in kenya-data order).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class County(models.Model):
    code = models.PositiveSmallIntegerField(_("IEBC code"), unique=True)
    name = models.CharField(_("name"), max_length=80)
    iso_3166_2 = models.CharField(_("ISO 3166-2 code"), max_length=8, blank=True)
    capital = models.CharField(_("capital"), max_length=80, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    population_2019 = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self) -> str:
        return self.name


class Constituency(models.Model):
    code = models.PositiveSmallIntegerField(_("IEBC code"), unique=True)
    name = models.CharField(_("name"), max_length=80)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="constituencies")
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("constituency")
        verbose_name_plural = _("constituencies")

    def __str__(self) -> str:
        return self.name


class SubCounty(models.Model):
    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=80)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="sub_counties")

    class Meta:
        ordering = ["code"]
        verbose_name = _("sub-county")
        verbose_name_plural = _("sub-counties")

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    code = models.PositiveSmallIntegerField(_("IEBC code"), unique=True)
    name = models.CharField(_("name"), max_length=80)
    constituency = models.ForeignKey(Constituency, on_delete=models.PROTECT, related_name="wards")
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="wards")
    sub_county = models.ForeignKey(
        SubCounty, on_delete=models.SET_NULL, null=True, blank=True, related_name="wards"
    )
    # The boundary polygon that belongs to this ward, as labelled in the IEBC shapefile; its code differs
    # from ours for the codes the shapefile swaps between wards (see docs/places.md).
    shapefile_code = models.PositiveSmallIntegerField(_("code in the IEBC shapefile"), null=True, blank=True)
    shapefile_name = models.CharField(_("name in the IEBC shapefile"), max_length=80, blank=True)
    code_agreement = models.CharField(max_length=40, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    has_boundary = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ward")
        verbose_name_plural = _("wards")

    def __str__(self) -> str:
        return self.name


class Settlement(models.Model):
    """A settlement or village as residents name it, placed in the ward that contains it."""

    SOURCE_CHOICES = [
        ("kyc", _("SDI Know Your City")),
        ("aoi", _("Atlas of Informality")),
        ("kisip", _("KISIP settlement list")),
        ("sauti", _("Sauti curated list")),
        ("local", _("added by a coordinator")),
    ]
    PLACEMENT_CHOICES = [
        ("point", _("from its mapped point")),
        ("curated", _("curated")),
        ("name", _("from a namesake: a mapped settlement or a ward of its county")),
        ("parent", _("the ward of the settlement it is part of")),
        ("county", _("county only")),
    ]

    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="villages"
    )
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="settlements"
    )
    constituency = models.ForeignKey(
        Constituency, on_delete=models.PROTECT, null=True, blank=True, related_name="settlements"
    )
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="settlements")
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(_("source"), max_length=40, choices=SOURCE_CHOICES)
    # Stable id within the source (e.g. "nairobi/milimani-2"): names repeat, even within one city.
    source_ref = models.CharField(_("reference in the source"), max_length=80)
    placement = models.CharField(_("placement"), max_length=16, choices=PLACEMENT_CHOICES, default="county")

    class Meta:
        ordering = ["county__code", "name"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], name="settlement_unique_source_ref")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return f"{self.source}:{self.source_ref}"


class PlaceAlias(models.Model):
    """Another name for a place (spelling variants, Kiswahili forms, old names)."""

    KIND_CHOICES = [
        ("county", _("county")),
        ("constituency", _("constituency")),
        ("ward", _("ward")),
        ("settlement", _("settlement")),
    ]
    SOURCE_CHOICES = [
        ("sauti", _("Sauti curated list")),
        ("shapefile", _("IEBC shapefile spelling")),
        ("staff", _("added by staff")),
    ]
    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    code = models.CharField(max_length=16, help_text=_("IEBC code, or settlement id"))
    alias = models.CharField(max_length=120)
    source = models.CharField(_("source"), max_length=16, choices=SOURCE_CHOICES, default="staff")

    class Meta:
        ordering = ["kind", "alias"]
        constraints = [models.UniqueConstraint(fields=["kind", "code", "alias"], name="place_alias_unique")]

    def __str__(self) -> str:
        return self.alias
