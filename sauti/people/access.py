"""Every access decision in Sauti goes through this module: `Perm`, `can` and the user's organisations.

Each app finds its own objects for a user in its `access.py` (`get_<obj>_for_user`), built on `can`, so this
module knows no app's models but people's own.

A user holds one role per organisation (people.Membership). Superusers are deployment administrators.
Group leaders act only on the groups named in their membership; officials see only aggregated data
and what is addressed to their office, never identities.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from sauti.people.models import Group, Membership, Organisation, Role, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class Perm(StrEnum):
    VIEW_ORGANISATION = "view_organisation"
    MANAGE_ORGANISATION = "manage_organisation"
    VIEW_GROUPS = "view_groups"
    MANAGE_GROUPS = "manage_groups"
    VIEW_MEMBERS = "view_members"
    MANAGE_MEMBERS = "manage_members"
    VIEW_IDENTITIES = "view_identities"
    VIEW_AGGREGATES = "view_aggregates"
    VIEW_CASES = "view_cases"
    TRIAGE_CASES = "triage_cases"
    SUBMIT_REPORTS = "submit_reports"
    EXPORT_DATA = "export_data"
    # Officials see the cases referred to their office, nothing else of the organisation's cases.
    VIEW_REFERRED_CASES = "view_referred_cases"
    VIEW_CONVERSATIONS = "view_conversations"
    # Dialogues (issue 5). Facilitators named on a programme manage it whatever their role.
    VIEW_DIALOGUES = "view_dialogues"
    MANAGE_DIALOGUES = "manage_dialogues"
    RATE_RESPONSES = "rate_responses"
    # Officials see the invitations, responses and commitments addressed to their office.
    VIEW_ADDRESSED_DIALOGUES = "view_addressed_dialogues"
    # Officials answer invitations, record their office's responses and report progress on its
    # commitments themselves (issue 15), only for their own office.
    ACT_FOR_OFFICE = "act_for_office"
    # Channels, inbox/outbox (with quarantine release), broadcasts and the phone simulator.
    MANAGE_MESSAGING = "manage_messaging"
    # Create opinion-map conversations, seed and moderate statements (opinions app).
    RUN_CONVERSATIONS = "run_conversations"
    # Evidence bundles (sauti/evidence): make them; include reporters' identities in them (admins only).
    EXPORT_EVIDENCE = "export_evidence"
    BUNDLE_IDENTITIES = "bundle_identities"
    # Review who saw whose identity (admins only).
    REVIEW_IDENTITY_ACCESS = "review_identity_access"
    # Own questionnaires (issue 20): upload/build forms and set what they do; read answers one by one
    # (identities stay behind VIEW_IDENTITIES); open analysis sessions; take part in one (findings, agreeing).
    MANAGE_FORMS = "manage_forms"
    VIEW_SUBMISSIONS = "view_submissions"
    RUN_ANALYSIS = "run_analysis"
    JOIN_ANALYSIS = "join_analysis"
    # Budgets and development projects (issue 17): see the register; import, correct, choose wards, make
    # proposals; record site visits.
    VIEW_BUDGETS = "view_budgets"
    MANAGE_BUDGETS = "manage_budgets"
    OBSERVE_PROJECTS = "observe_projects"
    # Join two records of one phone number (a group's member, a reporter …) into one (issue 14).
    MERGE_CONTACTS = "merge_contacts"
    # See and change the limits on anonymous submissions (throttles app; issue 13).
    MANAGE_LIMITS = "manage_limits"


_ALL = frozenset(Perm) - {Perm.VIEW_REFERRED_CASES, Perm.VIEW_ADDRESSED_DIALOGUES, Perm.ACT_FOR_OFFICE}
ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.ADMIN: _ALL,
    Role.COORDINATOR: _ALL - {Perm.MANAGE_ORGANISATION, Perm.BUNDLE_IDENTITIES, Perm.REVIEW_IDENTITY_ACCESS},
    Role.MONITOR: frozenset(
        {
            Perm.VIEW_ORGANISATION,
            Perm.VIEW_GROUPS,
            Perm.VIEW_MEMBERS,
            Perm.VIEW_AGGREGATES,
            Perm.VIEW_CASES,
            Perm.SUBMIT_REPORTS,
        }
    ),
    # Group leaders hold these only for their own groups (see _group_scoped).
    Role.GROUP_LEADER: frozenset(
        {
            Perm.VIEW_ORGANISATION,
            Perm.VIEW_GROUPS,
            Perm.VIEW_MEMBERS,
            Perm.MANAGE_MEMBERS,
            Perm.VIEW_IDENTITIES,
            Perm.VIEW_AGGREGATES,
            Perm.VIEW_CASES,
            Perm.SUBMIT_REPORTS,
        }
    ),
    Role.ANALYST: frozenset(
        {
            Perm.VIEW_ORGANISATION,
            Perm.VIEW_GROUPS,
            Perm.VIEW_MEMBERS,
            Perm.VIEW_AGGREGATES,
            Perm.VIEW_CASES,
            Perm.EXPORT_DATA,
        }
    ),
    Role.OFFICIAL: frozenset({Perm.VIEW_ORGANISATION, Perm.VIEW_AGGREGATES, Perm.VIEW_REFERRED_CASES}),
}
_GROUP_SCOPED = frozenset({Perm.VIEW_MEMBERS, Perm.MANAGE_MEMBERS, Perm.VIEW_IDENTITIES})

# Dialogues (issue 5): added to the roles above.
_DIALOGUE_PERMS: dict[str, frozenset[Perm]] = {
    Role.MONITOR: frozenset({Perm.VIEW_DIALOGUES}),
    Role.GROUP_LEADER: frozenset({Perm.VIEW_DIALOGUES, Perm.RATE_RESPONSES}),
    Role.ANALYST: frozenset({Perm.VIEW_DIALOGUES}),
    Role.OFFICIAL: frozenset({Perm.VIEW_ADDRESSED_DIALOGUES, Perm.ACT_FOR_OFFICE}),
}
for _role, _perms in _DIALOGUE_PERMS.items():
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | _perms
_GROUP_SCOPED = _GROUP_SCOPED | {Perm.RATE_RESPONSES}

# Questionnaires (issue 20): admins and coordinators hold all of them (through _ALL).
_FORM_PERMS: dict[str, frozenset[Perm]] = {
    Role.MONITOR: frozenset({Perm.VIEW_SUBMISSIONS, Perm.JOIN_ANALYSIS}),
    Role.GROUP_LEADER: frozenset({Perm.JOIN_ANALYSIS}),
    Role.ANALYST: frozenset({Perm.VIEW_SUBMISSIONS, Perm.JOIN_ANALYSIS}),
}
for _role, _perms in _FORM_PERMS.items():
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | _perms
_GROUP_SCOPED = _GROUP_SCOPED | {Perm.JOIN_ANALYSIS}
# Budgets (issue 17): every member sees the project register; monitors and group leaders record site visits.
_BUDGET_PERMS: dict[str, frozenset[Perm]] = {
    Role.MONITOR: frozenset({Perm.VIEW_BUDGETS, Perm.OBSERVE_PROJECTS}),
    Role.GROUP_LEADER: frozenset({Perm.VIEW_BUDGETS, Perm.OBSERVE_PROJECTS}),
    Role.ANALYST: frozenset({Perm.VIEW_BUDGETS}),
    Role.OFFICIAL: frozenset({Perm.VIEW_BUDGETS}),
}
for _role, _perms in _BUDGET_PERMS.items():
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | _perms


def _memberships(user: User | AnonymousUser) -> dict[int, Membership]:
    if not user.is_authenticated:
        return {}
    cached: dict[int, Membership] | None = getattr(user, "_sauti_memberships", None)
    if cached is None:
        rows = Membership.objects.filter(user=user).prefetch_related("groups")
        cached = {m.organisation_id: m for m in rows}
        setattr(user, "_sauti_memberships", cached)  # noqa: B010 (a per-request cache on the user object)
    return cached


def role_in(user: User | AnonymousUser, organisation: Organisation) -> str | None:
    m = _memberships(user).get(organisation.pk)
    return m.role if m else None


def can(
    user: User | AnonymousUser, perm: Perm, organisation: Organisation, group: Group | None = None
) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    m = _memberships(user).get(organisation.pk)
    if m is None or perm not in ROLE_PERMS[m.role]:
        return False
    if m.role == Role.GROUP_LEADER and perm in _GROUP_SCOPED:
        return group is not None and any(g.pk == group.pk for g in m.groups.all())
    return True


def organisation_ids_with(user: User | AnonymousUser, perm: Perm) -> frozenset[int] | None:
    """The organisations where the user holds `perm` organisation-wide (None: every one, a superuser),
    from the memberships already loaded (no query)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    return frozenset(
        org_id
        for org_id, m in _memberships(user).items()
        if perm in ROLE_PERMS[m.role] and not (m.role == Role.GROUP_LEADER and perm in _GROUP_SCOPED)
    )


def sees_identities_in_text(user: User | AnonymousUser, organisation: Organisation) -> bool:
    """Free text (descriptions, case titles, reasons) is shown as written only to those who may see every
    identity of the organisation; everyone else reads it through the redaction (monitoring/texts.py)."""
    return can(user, Perm.VIEW_IDENTITIES, organisation)


def require(
    user: User | AnonymousUser, perm: Perm, organisation: Organisation, group: Group | None = None
) -> None:
    if not can(user, perm, organisation, group):
        raise PermissionDenied


def can_anywhere(user: User | AnonymousUser, perm: Perm) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(perm in ROLE_PERMS[m.role] for m in _memberships(user).values())


def organisations_for(user: User | AnonymousUser) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=list(_memberships(user)))


def groups_for(user: User | AnonymousUser) -> QuerySet[Group]:
    orgs = [o.pk for o in organisations_for(user) if can(user, Perm.VIEW_GROUPS, o)]
    return Group.objects.filter(organisation__in=orgs)


def get_organisation_for_user(user: User | AnonymousUser, slug: str, perm: Perm) -> Organisation:
    """404 when the user has nothing to do with the organisation (so its existence does not leak)."""
    org = organisations_for(user).filter(slug=slug).first()
    if org is None:
        raise Http404
    require(user, perm, org)
    return org


def get_group_for_user(user: User | AnonymousUser, pk: int, perm: Perm) -> Group:
    group = groups_for(user).select_related("organisation", "ward", "settlement").filter(pk=pk).first()
    if group is None:
        raise Http404
    require(user, perm, group.organisation, group)
    return group


# --- Offices -------------------------------------------------------------------------------------


def _offices_with(user: User | AnonymousUser, perm: Perm) -> list[int]:
    if user.is_superuser:
        return []
    return [m.office_id for m in _memberships(user).values() if m.office_id and perm in ROLE_PERMS[m.role]]


def official_offices(user: User | AnonymousUser) -> list[int]:
    """The offices whose dialogue business this user (an official) may see."""
    return _offices_with(user, Perm.VIEW_ADDRESSED_DIALOGUES)


def acts_for_office(user: User | AnonymousUser, office_id: int) -> bool:
    """An official of this office, in an organisation where they hold that role."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return False
    return any(
        m.office_id == office_id and Perm.ACT_FOR_OFFICE in ROLE_PERMS[m.role]
        for m in _memberships(user).values()
    )


def referred_offices(user: User | AnonymousUser) -> list[int]:
    """The offices whose referred cases this user (an official) may see."""
    return _offices_with(user, Perm.VIEW_REFERRED_CASES)


def request_user(request: HttpRequest) -> User:
    """The user of a view behind login_required."""
    assert isinstance(request.user, User)
    return request.user


def organisations_with(user: User, perm: Perm) -> list[Organisation]:
    """The organisations where the user holds `perm`: 404 for someone in none at all, 403 for an insider."""
    mine = list(organisations_for(user).order_by("name"))
    allowed = [o for o in mine if can(user, perm, o)]
    if not allowed:
        if not mine:
            raise Http404
        raise PermissionDenied
    return allowed
