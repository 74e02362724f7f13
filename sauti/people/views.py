from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from sauti.people import actions
from sauti.people.access import (
    Perm,
    can,
    get_group_for_user,
    get_organisation_for_user,
    groups_for,
    organisations_for,
    request_user,
)
from sauti.people.forms import GroupForm, ImportForm, MemberForm, MergeForm
from sauti.people.imports import ImportFileError, check_rows, read_table
from sauti.people.models import Contact, Group, GroupMembership, Membership, User
from sauti.people.stats import breakdown


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "people/landing.html")
    groups = groups_for(request.user)
    memberships = GroupMembership.objects.filter(group__in=groups)
    contacts = Contact.objects.filter(group_memberships__group__in=groups).distinct()
    context = {
        "organisations": organisations_for(request.user).annotate(n_groups=Count("groups")),
        "n_groups": groups.count(),
        "n_members": contacts.count(),
        "n_consent": contacts.filter(consents__purpose="messaging", consents__granted=True).count(),
        "n_wards": groups.exclude(ward=None).values("ward").distinct().count(),
        "by_kind": breakdown(memberships, "group__kind", dict(Group.KIND_CHOICES)),
        "by_gender": breakdown(memberships, "contact__gender", dict(Contact.GENDER_CHOICES)),
        "by_age": breakdown(memberships, "contact__age_band", dict(Contact.AGE_BANDS)),
        "by_ward": breakdown(memberships, "group__ward__name", None, limit=8),
    }
    return render(request, "people/home.html", context)


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    orgs = organisations_for(request.user).annotate(
        n_groups=Count("groups", distinct=True), n_contacts=Count("contacts", distinct=True)
    )
    return render(request, "people/organisation_list.html", {"organisations": orgs})


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_organisation_for_user(request.user, slug, Perm.VIEW_ORGANISATION)
    groups = org.groups.select_related("ward").annotate(n_members=Count("memberships"))
    staff = Membership.objects.filter(organisation=org).select_related("user", "office")
    return render(
        request,
        "people/organisation_detail.html",
        {
            "organisation": org,
            "groups": groups if can(request.user, Perm.VIEW_GROUPS, org) else [],
            "staff": staff if can(request.user, Perm.MANAGE_GROUPS, org) else [],
            "can_manage": can(request.user, Perm.MANAGE_GROUPS, org),
            "can_merge": can(request.user, Perm.MERGE_CONTACTS, org),
        },
    )


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = groups_for(request.user).select_related("organisation", "ward__county", "settlement")
    q = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    if q:
        groups = groups.filter(
            Q(name__icontains=q) | Q(ward__name__icontains=q) | Q(settlement__name__icontains=q)
        )
    if kind in dict(Group.KIND_CHOICES):
        groups = groups.filter(kind=kind)
    groups = groups.annotate(n_members=Count("memberships"))
    template = "people/_group_rows.html" if request.headers.get("HX-Request") else "people/group_list.html"
    return render(request, template, {"groups": groups, "q": q, "kind": kind, "kinds": Group.KIND_CHOICES})


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest, slug: str) -> HttpResponse:
    org = get_organisation_for_user(request.user, slug, Perm.MANAGE_GROUPS)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request_user(request)
        group = actions.do_create_group(org, user, ward=form.cleaned_data["ward_code"], **_fields(form))
        messages.success(request, _("Group created."))
        return redirect("group_detail", pk=group.pk)
    return render(
        request, "people/group_form.html", {"form": form, "organisation": org}, status=_status(form)
    )


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_group_for_user(request.user, pk, Perm.VIEW_GROUPS)
    org = group.organisation
    can_members = can(request.user, Perm.VIEW_MEMBERS, org, group)
    memberships = (
        list(
            group.memberships.select_related("contact", "contact__ward").order_by(
                "-role", "contact__pseudonym"
            )
        )
        if can_members
        else []
    )
    identities = {}
    if memberships and can(request.user, Perm.VIEW_IDENTITIES, org, group):
        identities = actions.reveal_identities(
            request_user(request), [m.contact for m in memberships], f"group {group.pk} member list"
        )
    rows = [(m, identities.get(m.contact_id)) for m in memberships]
    return render(
        request,
        "people/group_detail.html",
        {
            "group": group,
            "rows": rows,
            "can_members": can_members,
            "show_identities": bool(identities) or not memberships,
            "can_manage": can(request.user, Perm.MANAGE_MEMBERS, org, group),
            "n_members": group.memberships.count(),
            "by_gender": breakdown(group.memberships.all(), "contact__gender", dict(Contact.GENDER_CHOICES)),
            "by_age": breakdown(group.memberships.all(), "contact__age_band", dict(Contact.AGE_BANDS)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_group_for_user(request.user, pk, Perm.MANAGE_MEMBERS)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = actions.find_group_member_contact(group, data["phone"])
        if existing and group.memberships.filter(contact=existing).exists():
            form.add_error("phone", _("A member of this group already has this phone number."))
        else:
            actions.do_add_member(group, by=request_user(request), consent_method="web", **data)
            messages.success(request, _("Member added."))
            return redirect("group_detail", pk=group.pk)
    return render(request, "people/member_form.html", {"form": form, "group": group}, status=_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def group_import(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_group_for_user(request.user, pk, Perm.MANAGE_MEMBERS)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "group": group}
    if request.method != "POST":
        return render(request, "people/group_import.html", context)
    if not form.is_valid():
        return render(request, "people/group_import.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        table = read_table(upload, upload.name or "")
    except ImportFileError as exc:
        form.add_error("file", str(exc))
        return render(request, "people/group_import.html", context, status=400)
    rows = check_rows(table, group)
    bad = [r for r in rows if not r.ok]
    context.update({"rows": rows, "n_bad": len(bad), "notice": table.notice})
    if bad:
        context["outcome"] = "rejected"
        return render(request, "people/group_import.html", context, status=400)
    if form.cleaned_data["check_only"]:
        context["outcome"] = "checked"
        return render(request, "people/group_import.html", context)
    outcome = actions.do_import_members(group, rows, request_user(request))
    context.update({"outcome": "imported", "added": outcome.added, "skipped": outcome.skipped})
    return render(request, "people/group_import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def same_number(request: HttpRequest, slug: str) -> HttpResponse:
    """Records of one phone number kept apart (Contact.scope), and the coordinator's merge of two of them."""
    org = get_organisation_for_user(request.user, slug, Perm.MERGE_CONTACTS)
    user = request_user(request)
    error = ""
    if request.method == "POST":
        form = MergeForm(request.POST)
        if form.is_valid():
            records = {c.pk: c for c in Contact.objects.filter(organisation=org, pk__in=form.pair())}
            try:
                if len(records) != 2:
                    raise actions.MergeError(_("Choose two different records of the same organisation."))
                actions.do_merge_contacts(
                    records[form.cleaned_data["keep"]], records[form.cleaned_data["other"]], user
                )
            except actions.MergeError as exc:
                error = str(exc)
            else:
                messages.success(request, _("Records merged."))
                return redirect("same_number", slug=org.slug)
        else:
            error = _("Choose the record to keep and the one to merge into it.")
    sets = actions.records_sharing_a_number(org)
    shown = (
        actions.reveal_identities(user, [c for s in sets for c in s], "records of one number") if sets else {}
    )
    context = {"organisation": org, "sets": [[(c, shown.get(c.pk)) for c in s] for s in sets], "error": error}
    return render(request, "people/same_number.html", context, status=400 if error else 200)


def _fields(form: GroupForm) -> dict[str, object]:
    return {k: form.cleaned_data[k] for k in ("name", "kind", "description")}


def _status(form: GroupForm | MemberForm) -> int:
    return 400 if form.is_bound and form.errors else 200


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered on the account too (SMS and email use it)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if isinstance(user, User) and language in ("en", "sw") and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return response
