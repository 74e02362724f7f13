"""Read-only admin views of the history, and the data subject actions offered on contacts."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sauti.evidence.models import Anchor, AuditEntry
from sauti.evidence.subjects import do_erase_subject, do_export_subject
from sauti.people.models import Contact, User


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


@admin.action(description=gettext_lazy("Export everything about these people (data subject request)"))
def export_subjects(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Contact]) -> HttpResponse:
    by = request.user if isinstance(request.user, User) else None
    data = [do_export_subject(c, by) for c in queryset.select_related("organisation", "ward")]
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="subject-export.json"'
    return response


@admin.action(description=gettext_lazy("Erase these people's identities (reports stay, by pseudonym)"))
def erase_subjects(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
    by = request.user if isinstance(request.user, User) else None
    n = 0
    for contact in queryset:
        do_erase_subject(contact, by, "admin action")
        n += 1
    modeladmin.message_user(request, _("Erased %(n)d identities.") % {"n": n}, messages.SUCCESS)
