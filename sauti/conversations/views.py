"""Coordinators read SMS conversations: where each sender's draft stands and what was said."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sauti.conversations.access import get_conversation_for_user
from sauti.conversations.models import SmsConversation
from sauti.people.access import Perm, can, organisations_for
from sauti.people.actions import reveal_identities

PAGE_SIZE = 100


@require_GET
@login_required
def conversation_list(request: HttpRequest) -> HttpResponse:
    orgs = [o for o in organisations_for(request.user) if can(request.user, Perm.VIEW_CONVERSATIONS, o)]
    if not orgs:
        raise PermissionDenied
    status = request.GET.get("status", "")
    rows = SmsConversation.objects.filter(organisation__in=orgs).select_related(
        "organisation", "contact", "report"
    )
    if status in SmsConversation.State.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "conversations/conversation_list.html",
        {"conversations": rows[:PAGE_SIZE], "status": status, "statuses": SmsConversation.State.choices},
    )


@require_GET
@login_required
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conv = get_conversation_for_user(request.user, pk)
    identity = None
    if conv.contact is not None and can(request.user, Perm.VIEW_IDENTITIES, conv.organisation):
        identity = reveal_identities(request.user, [conv.contact], f"conversation {conv.pk}")[conv.contact.pk]  # type: ignore[arg-type]
    return render(request, "conversations/conversation_detail.html", {"conv": conv, "identity": identity})
