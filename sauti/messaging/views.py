"""Staff pages: channels, inbox (quarantine release), outbox, broadcasts with a cost preview, and the
phone simulator. Every page needs Perm.MANAGE_MESSAGING in the organisation."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sauti.messaging import actions, simulator
from sauti.messaging.forms import BroadcastForm, ChannelForm, SimulatorForm
from sauti.messaging.models import Channel, ChannelKind, InboundMessage, InboundStatus, OutboundMessage
from sauti.messaging.urls_webhooks import callback_urls
from sauti.people.access import Perm, can, get_organisation_for_user, groups_for, organisations_for
from sauti.people.models import Contact, Organisation

PAGE = 100


def _org(request: HttpRequest, slug: str) -> Organisation:
    return get_organisation_for_user(request.user, slug, Perm.MANAGE_MESSAGING)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    orgs = [o for o in organisations_for(request.user) if can(request.user, Perm.MANAGE_MESSAGING, o)]
    if not orgs:
        raise PermissionDenied
    if len(orgs) == 1:
        return redirect("messaging_channels", slug=orgs[0].slug)
    return render(request, "messaging/home.html", {"organisations": orgs})


@login_required
@require_http_methods(["GET", "POST"])
def channel_list(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(request, slug)
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        channel = actions.do_create_channel(org, form.save(commit=False), form.credentials())
        messages.success(request, _("Channel “%(name)s” created.") % {"name": channel.name})
        return redirect("messaging_channels", slug=org.slug)
    channels = [(c, callback_urls(c)) for c in Channel.objects.filter(organisation=org)]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "messaging/channel_list.html",
        {"organisation": org, "channels": channels, "form": form},
        status=status,
    )


@login_required
def inbox(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(request, slug)
    rows = InboundMessage.objects.filter(organisation=org).select_related("channel")
    status = request.GET.get("status", "")
    if status in InboundStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "messaging/inbox.html",
        {
            "organisation": org,
            "rows": rows[:PAGE],
            "status": status,
            "statuses": InboundStatus.choices,
            "n_quarantined": InboundMessage.objects.filter(
                organisation=org, status=InboundStatus.QUARANTINED
            ).count(),
        },
    )


@login_required
@require_POST
def release(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org = _org(request, slug)
    message = InboundMessage.objects.filter(organisation=org, pk=pk).first()
    if message is None:
        raise Http404
    if actions.do_release(message, request.user) is None:  # type: ignore[arg-type]
        messages.error(request, _("This message is not in quarantine."))
    else:
        messages.success(request, _("Message released and processed."))
    return redirect("messaging_inbox", slug=org.slug)


@login_required
def outbox(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(request, slug)
    rows = OutboundMessage.objects.filter(organisation=org).select_related("channel", "contact")
    return render(request, "messaging/outbox.html", {"organisation": org, "rows": rows[:PAGE]})


@login_required
@require_http_methods(["GET", "POST"])
def broadcast(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(request, slug)
    form = BroadcastForm(request.POST or None, groups=groups_for(request.user).filter(organisation=org))
    context: dict[str, object] = {"organisation": org, "form": form, "channel": actions.default_channel(org)}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "messaging/broadcast.html", context, status=400)
        channel = actions.default_channel(org)
        if channel is None:
            context["error"] = _("Add a channel before sending messages.")
            return render(request, "messaging/broadcast.html", context, status=400)
        contacts = Contact.objects.filter(organisation=org)
        if form.cleaned_data["group"]:
            contacts = contacts.filter(group_memberships__group=form.cleaned_data["group"])
        if form.cleaned_data["language"]:
            contacts = contacts.filter(language=form.cleaned_data["language"])
        recipients = list(contacts.distinct())
        texts = {"text_en": form.cleaned_data["text_en"], "text_sw": form.cleaned_data["text_sw"]}
        if request.POST.get("confirm") == "send":
            queued = actions.do_broadcast(org, recipients, channel=channel, by=request.user, **texts)  # type: ignore[arg-type]
            messages.success(request, _("%(n)d messages queued.") % {"n": len(queued)})
            return redirect("messaging_outbox", slug=org.slug)
        context["plan"] = actions.plan_broadcast(
            org, recipients, price_per_segment=channel.price_per_segment, **texts
        )
        context["channel"] = channel
    return render(request, "messaging/broadcast.html", context)


def _dev_channel(org: Organisation) -> Channel | None:
    return Channel.objects.filter(organisation=org, kind=ChannelKind.DEV, active=True).first()


@login_required
def simulator_page(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(request, slug)
    form = SimulatorForm(request.GET or None)
    phone = form.cleaned_data["phone"] if form.is_valid() else "+254799000999"
    channel = _dev_channel(org)
    return render(
        request,
        "messaging/simulator.html",
        {
            "organisation": org,
            "channel": channel,
            "phone": phone,
            "form": SimulatorForm(initial={"phone": phone}),
            "lines": simulator.thread(channel, phone) if channel else [],
            "ussd": request.session.get(f"sim-ussd-{org.pk}"),
        },
    )


@login_required
def simulator_thread(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(request, slug)
    channel = _dev_channel(org)
    form = SimulatorForm(request.GET)
    if channel is None or not form.is_valid():
        return HttpResponse(_("No development channel or no valid phone number."), status=400)
    lines = simulator.thread(channel, form.cleaned_data["phone"])
    return render(request, "messaging/_thread.html", {"lines": lines})


@login_required
@require_POST
def simulator_sms(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(request, slug)
    channel = _dev_channel(org)
    form = SimulatorForm(request.POST)
    if channel is None:
        return HttpResponse(_("Add a development channel to use the simulator."), status=400)
    if not form.is_valid():
        return HttpResponse(" ".join(str(e) for errs in form.errors.values() for e in errs), status=400)
    phone = form.cleaned_data["phone"]
    response = simulator.send_sms(channel, phone, form.cleaned_data["text"])
    if response.status_code != 200:
        return HttpResponse(response.content, status=400, content_type="text/plain; charset=utf-8")
    if request.headers.get("HX-Request"):
        return render(request, "messaging/_thread.html", {"lines": simulator.thread(channel, phone)})
    return redirect(f"{request.path.removesuffix('sms/')}?phone={phone}")


@login_required
@require_POST
def simulator_ussd(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(request, slug)
    channel = _dev_channel(org)
    form = SimulatorForm(request.POST)
    if channel is None:
        return HttpResponse(_("Add a development channel to use the simulator."), status=400)
    if not form.is_valid():
        return HttpResponse(" ".join(str(e) for errs in form.errors.values() for e in errs), status=400)
    key = f"sim-ussd-{org.pk}"
    state = request.session.get(key)
    if request.POST.get("action") == "dial" or not state:
        state = {"session": f"sim-{uuid.uuid4().hex[:12]}", "inputs": []}
    else:
        state["inputs"].append(form.cleaned_data["text"].strip())
    response = simulator.dial(
        channel, form.cleaned_data["phone"], state["session"], "*".join(state["inputs"])
    )
    body = response.content.decode()
    state["screen"] = body[4:] if body.startswith(("CON ", "END ")) else body
    state["open"] = response.status_code == 200 and body.startswith("CON ")
    request.session[key] = state
    if request.headers.get("HX-Request"):
        return render(
            request,
            "messaging/_ussd.html",
            {"ussd": state, "organisation": org, "channel": channel, "phone": form.cleaned_data["phone"]},
        )
    return redirect(f"{request.path.removesuffix('ussd/')}?phone={form.cleaned_data['phone']}")
