"""Facilitators' pages (conversations, statements, moderation), the public voting page and the report."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sauti.dialogues.models import Meeting, Programme
from sauti.opinions import report
from sauti.opinions.access import get_opinion_conversation_for_user, opinion_conversations_for
from sauti.opinions.actions import (
    OpinionError,
    StatementText,
    do_add_statement,
    do_create_conversation,
    do_join,
    do_moderate,
    do_recompute,
    do_set_map_frozen,
    do_set_results_open,
    do_vote,
    next_statement,
    remaining_count,
)
from sauti.opinions.models import Analysis, Conversation, Moderation, Participant
from sauti.opinions.sms import do_invite_by_sms
from sauti.people.access import Perm, can, organisations_for, request_user
from sauti.people.models import Contact, Group, User
from sauti.throttles import throttle
from sauti.throttles.models import Scope

COOKIE_AGE = 365 * 24 * 3600


# --- facilitators ------------------------------------------------------------------------------------


@login_required
@require_GET
def conversation_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    conversations = opinion_conversations_for(user).select_related("organisation")
    can_create = any(can(user, Perm.RUN_CONVERSATIONS, o) for o in organisations_for(user))
    return render(
        request, "opinions/conversation_list.html", {"conversations": conversations, "can_create": can_create}
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    orgs = [o for o in organisations_for(user) if can(user, Perm.RUN_CONVERSATIONS, o)]
    if not orgs:
        if organisations_for(user).exists():
            raise PermissionDenied
        raise Http404
    programmes = list(
        Programme.objects.filter(organisation__in=orgs)
        .select_related("organisation")
        .prefetch_related("meetings")
        .order_by("organisation__name", "-starts_on", "title")
    )
    context: dict[str, Any] = {
        "organisations": orgs,
        "values": request.POST,
        "programmes": programmes,
        "several_orgs": len(orgs) > 1,
    }
    if request.method == "GET":
        return render(request, "opinions/conversation_new.html", context)
    org = next((o for o in orgs if o.slug == request.POST.get("organisation", "")), None)
    if org is None:
        context["error"] = _("Choose one of your organisations.")
        return render(request, "opinions/conversation_new.html", context, status=400)
    try:
        programme = _chosen(Programme.objects.all(), request.POST.get("programme", ""))
        meeting = _chosen(Meeting.objects.select_related("programme"), request.POST.get("meeting", ""))
        conversation = do_create_conversation(
            org,
            user,
            request.POST.get("title", ""),
            request.POST.get("description", ""),
            programme=programme,
            meeting=meeting,
            allow_submissions=request.POST.get("allow_submissions") == "on",
        )
    except OpinionError as exc:
        context["error"] = str(exc)
        return render(request, "opinions/conversation_new.html", context, status=400)
    messages.success(request, _("Conversation created. Add the first statements."))
    return redirect("opinions:detail", pk=conversation.pk)


M = TypeVar("M", Programme, Meeting)


def _chosen(objects: QuerySet[M], raw: str) -> M | None:
    """The programme or meeting a form picked by id ("" = none); the action checks it is the organisation's."""
    if not raw.strip():
        return None
    found = objects.filter(pk=int(raw)).first() if raw.strip().isdigit() and len(raw) < 12 else None
    if found is None:
        raise OpinionError(_("That programme or meeting does not exist."))
    return found


def _detail(
    request: HttpRequest, conversation: Conversation, status: int = 200, error: str = ""
) -> HttpResponse:
    statements = list(conversation.statements.all())
    context = {
        "conversation": conversation,
        "pending": [s for s in statements if s.moderation == Moderation.PENDING],
        "statements": [s for s in statements if s.moderation != Moderation.PENDING],
        "decisions": Moderation.choices,
        "results_choices": Conversation.Results.choices,
        "public_url": request.build_absolute_uri(f"/o/{conversation.public_code}/"),
        "participants": conversation.participants.count(),
        "votes": conversation.votes.count(),
        "error": error,
        "values": request.POST if error else {},
        "link_dialogues": _can_see_dialogues(request_user(request), conversation),
        "groups": (
            Group.objects.filter(organisation=conversation.organisation).order_by("name")
            if conversation.organisation is not None and conversation.is_open
            else []
        ),
    }
    return render(request, "opinions/conversation_detail.html", context, status=status)


@login_required
@require_GET
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(
        request, get_opinion_conversation_for_user(request_user(request), pk, Perm.RUN_CONVERSATIONS)
    )


@login_required
@require_POST
def statement_add(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_opinion_conversation_for_user(request_user(request), pk, Perm.RUN_CONVERSATIONS)
    try:
        do_add_statement(
            conversation,
            StatementText(request.POST.get("text_en", ""), request.POST.get("text_sw", "")),
            by_facilitator=True,
        )
    except OpinionError as exc:
        return _detail(request, conversation, status=400, error=str(exc))
    messages.success(request, _("Statement added."))
    return redirect("opinions:detail", pk=conversation.pk)


@login_required
@require_POST
def statement_moderate(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    conversation = get_opinion_conversation_for_user(request_user(request), pk, Perm.RUN_CONVERSATIONS)
    statement = conversation.statements.filter(number=number).first()
    if statement is None:
        raise Http404
    try:
        do_moderate(statement, request.POST.get("decision", ""))
    except OpinionError as exc:
        return _detail(request, conversation, status=400, error=str(exc))
    messages.success(
        request, _("Statement %(n)d: %(d)s") % {"n": number, "d": statement.get_moderation_display()}
    )
    return redirect("opinions:detail", pk=conversation.pk)


@login_required
@require_POST
def conversation_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_opinion_conversation_for_user(request_user(request), pk, Perm.RUN_CONVERSATIONS)
    do_recompute(conversation, force=True)
    return redirect("opinions:report", pk=conversation.pk)


@login_required
@require_POST
def conversation_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_opinion_conversation_for_user(request_user(request), pk, Perm.RUN_CONVERSATIONS)
    frozen = request.POST.get("frozen") == "on"
    do_set_map_frozen(conversation, frozen)
    messages.success(
        request,
        _("The opinion map is frozen as shown.") if frozen else _("The opinion map follows the votes again."),
    )
    return redirect("opinions:report", pk=conversation.pk)


@login_required
@require_POST
def conversation_results_open(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_opinion_conversation_for_user(request_user(request), pk, Perm.RUN_CONVERSATIONS)
    try:
        do_set_results_open(conversation, request.POST.get("when", ""))
    except OpinionError as exc:
        return _detail(request, conversation, status=400, error=str(exc))
    messages.success(request, _("Saved: %(when)s") % {"when": conversation.get_results_open_display()})
    return redirect("opinions:detail", pk=conversation.pk)


def _stamp(conversation: Conversation) -> str:
    analysis = Analysis.objects.filter(conversation=conversation).only("computed_at", "result").first()
    if analysis is None:
        return "none"
    return f"{analysis.computed_at.timestamp():.6f}-{analysis.result.get('fingerprint', '')[:12]}"


@login_required
@require_GET
def conversation_report_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's body for htmx polling; 204 (nothing swapped) while the stored map is unchanged."""
    conversation = get_opinion_conversation_for_user(request_user(request), pk, Perm.VIEW_AGGREGATES)
    stamp = _stamp(conversation)
    if request.GET.get("since") == stamp:
        return HttpResponse(status=204)
    view = report.build(conversation, translation.get_language() or "sw")
    return render(
        request, "opinions/_report_body.html", {"view": view, "conversation": conversation, "stamp": stamp}
    )


@login_required
@require_GET
def conversation_report(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    conversation = get_opinion_conversation_for_user(user, pk, Perm.VIEW_AGGREGATES)
    view = report.build(conversation, translation.get_language() or "sw")
    can_run = conversation.organisation is not None and can(
        user, Perm.RUN_CONVERSATIONS, conversation.organisation
    )
    context = {
        "view": view,
        "conversation": conversation,
        "can_run": can_run,
        "link_dialogues": _can_see_dialogues(user, conversation),
        "stamp": _stamp(conversation),
    }
    return render(request, "opinions/report.html", context)


def _can_see_dialogues(user: User, conversation: Conversation) -> bool:
    org = conversation.organisation
    return org is not None and can(user, Perm.VIEW_DIALOGUES, org)


@login_required
@require_GET
def conversation_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_opinion_conversation_for_user(request_user(request), pk, Perm.VIEW_AGGREGATES)
    view = report.build(conversation, translation.get_language() or "sw")
    response = HttpResponse(report.pdf_bytes(view), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="opinion-map-{conversation.pk}.pdf"'
    return response


# --- public voting -----------------------------------------------------------------------------------


def _cookie(conversation: Conversation) -> str:
    return f"sauti_op_{conversation.public_code}"


def _public_conversation(code: str) -> Conversation:
    conversation = Conversation.objects.filter(public_code=code).first()
    if conversation is None:
        raise Http404
    return conversation


def _participant(request: HttpRequest, conversation: Conversation) -> Participant | None:
    token = request.COOKIES.get(_cookie(conversation), "")
    if not token:
        return None
    return Participant.objects.filter(conversation=conversation, token=token).first()


def _vote_page(
    request: HttpRequest,
    conversation: Conversation,
    participant: Participant | None,
    *,
    status: int = 200,
    error: str = "",
    thanks: str = "",
) -> HttpResponse:
    language = translation.get_language() or "sw"
    if participant is not None:
        statement = next_statement(participant)
        remaining = remaining_count(participant)
    else:
        statement = (
            conversation.statements.filter(moderation=Moderation.ACCEPTED)
            .order_by("-is_seed", "number")
            .first()
        )
        remaining = conversation.statements.filter(moderation=Moderation.ACCEPTED).count()
    context = {
        "conversation": conversation,
        "statement": statement,
        "statement_text": statement.text(language) if statement else "",
        "remaining": remaining,
        "error": error,
        "thanks": thanks,
        "ticket": _new_ticket(conversation) if participant is None else "",
    }
    template = "opinions/_vote_card.html" if request.headers.get("HX-Request") else "opinions/vote.html"
    response = render(request, template, context, status=status)
    if participant is not None:
        response.set_cookie(
            _cookie(conversation), participant.token, max_age=COOKIE_AGE, httponly=True, samesite="Lax"
        )
    return response


@require_GET
def results_page(request: HttpRequest, code: str) -> HttpResponse:
    """Where the participant stands: the map with their own point, their group, common ground. Shown when the
    facilitator opened results (during the vote, or once it is closed); no other participant's identity."""
    conversation = _public_conversation(code)
    participant = _participant(request, conversation)
    language = translation.get_language() or "sw"
    if not conversation.results_visible:
        context = {"conversation": conversation, "hidden": True}
        return render(request, "opinions/results.html", context)
    view = report.standing(conversation, participant.number if participant else None, language)
    context = {"conversation": conversation, "standing": view, "view": view.report, "hidden": False}
    return render(request, "opinions/results.html", context)


@require_GET
def vote_page(request: HttpRequest, code: str) -> HttpResponse:
    conversation = _public_conversation(code)
    return _vote_page(request, conversation, _participant(request, conversation))


# Without its cookie, a browser (or a script) is not a new participant at every POST: it must bring the
# join ticket of the page it voted from, and one ticket is one participant (replaying it votes as the same
# participant again). New participants per client address and conversation are capped per hour.
TICKET_SALT = "sauti.opinions.join"
TICKET_AGE = 24 * 3600
JOINS_PER_ADDRESS_PER_HOUR = 30


def _new_ticket(conversation: Conversation) -> str:
    return signing.dumps({"c": conversation.pk, "n": secrets.token_urlsafe(16)}, salt=TICKET_SALT)


def _ticket_token(request: HttpRequest, conversation: Conversation) -> str | None:
    """The participant token a valid join ticket stands for, or None."""
    try:
        data = signing.loads(request.POST.get("ticket", ""), salt=TICKET_SALT, max_age=TICKET_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") != conversation.pk or not data.get("n"):
        return None
    return hashlib.sha256(f"{conversation.pk}:{data['n']}".encode()).hexdigest()


def _join_if_needed(request: HttpRequest, conversation: Conversation) -> Participant | None:
    """The request's participant: its cookie's, else the one its join ticket makes; None without either
    (or when this address has joined too often in the last hour)."""
    participant = _participant(request, conversation)
    if participant is not None:
        return participant
    token = _ticket_token(request, conversation)
    if token is None:
        return None
    if not Participant.objects.filter(conversation=conversation, token=token).exists():
        key = f"opinions-joins:{conversation.pk}:{request.META.get('REMOTE_ADDR', '')}"
        cache.add(key, 0, timeout=3600)
        if cache.incr(key) > JOINS_PER_ADDRESS_PER_HOUR:
            return None
    return do_join(conversation, language=translation.get_language() or "sw", token=token)


def _no_ticket(request: HttpRequest, conversation: Conversation) -> HttpResponse:
    return _vote_page(
        request,
        conversation,
        None,
        status=400,
        error=_("Your browser did not keep this page's session. Reload the page and vote again."),
    )


@require_POST
def vote_submit(request: HttpRequest, code: str) -> HttpResponse:
    conversation = _public_conversation(code)
    existing = _participant(request, conversation)
    organisation = conversation.organisation
    if organisation is not None and not throttle.allow(request, organisation, Scope.VOTE):
        refused = _vote_page(
            request,
            conversation,
            existing,
            status=429,
            error=_("Too many votes from this connection. Please try again later."),
        )
        refused["Retry-After"] = str(throttle.retry_after(organisation, Scope.VOTE))
        return refused
    try:
        number = int(request.POST.get("statement", ""))
        value = int(request.POST.get("vote", ""))
    except ValueError:
        return _vote_page(
            request, conversation, existing, status=400, error=_("Choose agree, disagree or pass.")
        )
    statement = conversation.statements.filter(number=number).first()
    if statement is None:
        return _vote_page(
            request, conversation, existing, status=400, error=_("That statement does not exist.")
        )
    if not conversation.is_open:
        return _vote_page(
            request, conversation, existing, status=400, error=_("This conversation is closed.")
        )
    participant = existing or _join_if_needed(request, conversation)
    if participant is None:
        return _no_ticket(request, conversation)
    try:
        do_vote(participant, statement, value)
    except OpinionError as exc:
        return _vote_page(request, conversation, participant, status=400, error=str(exc))
    if request.headers.get("HX-Request"):
        return _vote_page(request, conversation, participant)
    response = redirect("opinions:vote", code=conversation.public_code)
    response.set_cookie(
        _cookie(conversation), participant.token, max_age=COOKIE_AGE, httponly=True, samesite="Lax"
    )
    return response


@require_POST
def statement_submit(request: HttpRequest, code: str) -> HttpResponse:
    conversation = _public_conversation(code)
    existing = _participant(request, conversation)
    if request.POST.get("website"):  # honeypot field, hidden from people
        return _vote_page(
            request, conversation, existing, status=400, error=_("Your statement could not be accepted.")
        )
    if not conversation.is_open or not conversation.allow_submissions:
        return _vote_page(
            request,
            conversation,
            existing,
            status=400,
            error=_("This conversation does not take new statements."),
        )
    text = request.POST.get("text", "")
    fields = (
        StatementText(sw=text) if (translation.get_language() or "sw") == "sw" else StatementText(en=text)
    )
    try:
        fields.cleaned()
    except OpinionError as exc:
        return _vote_page(request, conversation, existing, status=400, error=str(exc))
    participant = existing or _join_if_needed(request, conversation)
    if participant is None:
        return _no_ticket(request, conversation)
    try:
        do_add_statement(conversation, fields, by_facilitator=False, author=participant)
    except OpinionError as exc:
        return _vote_page(request, conversation, participant, status=400, error=str(exc))
    return _vote_page(
        request,
        conversation,
        participant,
        thanks=_("Thank you. Your statement will appear once a moderator accepts it."),
    )


@login_required
@require_POST
def invite_sms(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_opinion_conversation_for_user(request_user(request), pk, Perm.RUN_CONVERSATIONS)
    group = Group.objects.filter(
        organisation=conversation.organisation, pk=_int(request.POST.get("group"))
    ).first()
    if group is None:
        return _detail(request, conversation, status=400, error=_("Choose one of the organisation's groups."))
    contacts = Contact.objects.filter(group_memberships__group=group).distinct()
    try:
        sent = do_invite_by_sms(conversation, contacts)
    except OpinionError as exc:
        return _detail(request, conversation, status=400, error=str(exc))
    messages.success(
        request,
        ngettext("%(n)d member invited by SMS.", "%(n)d members invited by SMS.", sent) % {"n": sent},
    )
    return redirect("opinions:detail", pk=conversation.pk)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0
