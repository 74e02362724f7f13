"""Read-only admin views of the history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sauti.audit.models import Anchor, AuditEntry


class ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly):
    list_display = ["seq", "at", "actor", "action", "model", "object_pk"]
    list_filter = ["action", "model"]
    search_fields = ["actor", "object_pk"]


@admin.register(Anchor)
class AnchorAdmin(ReadOnly):
    list_display = ["seq", "hash", "at", "note"]
