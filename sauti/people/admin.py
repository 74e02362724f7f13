from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sauti.people.models import (
    Consent,
    Contact,
    Group,
    GroupMembership,
    IdentityAccess,
    Membership,
    Office,
    Organisation,
    User,
)
from sauti.people.subjects import do_erase_subject, do_export_subject


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


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    filter_horizontal = ["groups"]
    fk_name = "user"


@admin.register(User)
class SautiUserAdmin(UserAdmin[User]):
    inlines = [MembershipInline]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Sauti", {"fields": ["preferred_language"]}))


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "slug", "kind", "county", "is_demo"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin[Office]):
    list_display = ["name", "kind", "county", "ward"]
    list_filter = ["kind"]
    raw_id_fields = ["ward"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin[Group]):
    list_display = ["name", "kind", "organisation", "ward"]
    list_filter = ["kind", "organisation"]
    search_fields = ["name"]
    raw_id_fields = ["ward", "settlement"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    """Identities are not shown here: the admin list shows pseudonyms only."""

    list_display = ["pseudonym", "organisation", "language", "gender", "age_band", "ward"]
    list_filter = ["organisation", "language", "gender"]
    search_fields = ["pseudonym"]
    raw_id_fields = ["ward", "settlement"]
    # Data subject requests (export_subjects, erase_subjects above): both are logged in the audit chain.
    actions = [export_subjects, erase_subjects]


@admin.register(GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin[GroupMembership]):
    list_display = ["contact", "group", "role", "joined_on"]
    raw_id_fields = ["contact", "group"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    list_display = ["contact", "purpose", "granted", "method", "recorded_at", "recorded_by"]
    list_filter = ["purpose", "granted", "method"]
    raw_id_fields = ["contact"]


@admin.register(IdentityAccess)
class IdentityAccessAdmin(admin.ModelAdmin[IdentityAccess]):
    list_display = ["at", "user", "contact", "context"]
    list_filter = ["user"]
    date_hierarchy = "at"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
