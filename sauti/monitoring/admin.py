"""Admin: categories are editable; reports, cases and their timelines are for looking only.

Changes to cases go through the case page, so that each one lands in the append-only timeline.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sauti.monitoring.models import Attachment, Case, CaseEvent, Category, Report


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["key", "name_en", "name_sw", "parent", "organisation", "is_active", "position"]
    list_filter = ["organisation", "is_active"]
    list_editable = ["is_active", "position"]
    search_fields = ["key", "name_en", "name_sw"]
    raw_id_fields = ["parent"]


class AttachmentInline(ReadOnly, admin.TabularInline[Attachment, Report]):
    model = Attachment
    extra = 0
    fields = readonly_fields = ("original_name", "content_type", "size", "sha256", "uploaded_at")


@admin.register(Report)
class ReportAdmin(ReadOnly, admin.ModelAdmin[Report]):
    list_display = ["__str__", "organisation", "channel", "received_at", "case", "grouping_confirmed", "ward"]
    list_filter = ["organisation", "channel", "grouping_confirmed"]
    date_hierarchy = "received_at"
    search_fields = ["description", "place_text", "external_id"]
    inlines = [AttachmentInline]
    list_select_related = ["organisation", "case", "ward"]


class CaseEventInline(ReadOnly, admin.TabularInline[CaseEvent, Case]):
    model = CaseEvent
    extra = 0
    fields = readonly_fields = ("at", "kind", "from_status", "to_status", "actor", "report", "reason")


@admin.register(Case)
class CaseAdmin(ReadOnly, admin.ModelAdmin[Case]):
    list_display = ["__str__", "organisation", "status", "category", "ward", "report_count", "updated_at"]
    list_filter = ["organisation", "status", "is_public"]
    date_hierarchy = "updated_at"
    search_fields = ["title", "summary"]
    inlines = [CaseEventInline]
    list_select_related = ["organisation", "category", "ward"]
