"""Conversations with senders: SMS (flows.py) and USSD (ussd.py) engines run against the database.

`do_handle_sms` and `do_handle_ussd` are what the messaging transport calls (settings SAUTI_SMS_HANDLER /
SAUTI_USSD_HANDLER). The place a conversation resolves (read in the message, or chosen by the sender)
goes to the report as it is (`monitoring.actions.KnownPlace`), never looked up again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sauti.conversations import flows, tasks, ussd
from sauti.conversations.models import SmsConversation, UssdSession
from sauti.conversations.services import OrgServices
from sauti.core.crypto import lookup_hash
from sauti.dialogues.inbound import awaiting, handle_reply
from sauti.dialogues.models import ConsensusRound, VerificationSurvey
from sauti.monitoring.actions import KnownPlace, ReportError, ReportInput, do_submit_report
from sauti.monitoring.models import CategorySource, Report, ReportChannel
from sauti.monitoring.reporters import awaiting_fixed, do_issue_status_key, handle_fixed_reply
from sauti.opinions import sms as opinion_sms
from sauti.people.actions import find_contact, find_or_create_contact, record_consent_once
from sauti.people.models import Contact, Organisation
from sauti.places.services import Area, PlaceCandidate, find_places
from sauti.questionnaires import phone as questionnaire_phone

LOG_LIMIT = 40  # exchanges kept on a conversation for staff to read
USSD_SESSION_TIMEOUT = timedelta(minutes=5)  # telcos end sessions after 180 s; allow for clock drift
LANDMARK_SCORE = 0.8  # a landmark the sender typed this close to a gazetteer name is that place
_DETAIL = {"county": 0, "constituency": 1, "ward": 2, "settlement": 3}

# Keyword commands of apps above this one (e.g. budgets' "MRADI 12 2"), registered in their AppConfig.ready():
# each gets the message first and returns its replies, or None when the text is not its command.
KeywordHandler = Callable[..., list[str] | None]
KEYWORD_HANDLERS: list[KeywordHandler] = []


def register_keyword_handler(handler: KeywordHandler) -> None:
    if handler not in KEYWORD_HANDLERS:
        KEYWORD_HANDLERS.append(handler)


def _named_place(
    place_text: str, county_code: int | None, ward_code: int | None, area: Area | None
) -> PlaceCandidate | None:
    """The place a typed landmark names (the gazetteer's or one the organisation added), if it names one inside
    the ward chosen."""
    named = find_places(place_text, limit=1, county_code=county_code, area=area)
    if (
        named
        and named[0].score >= LANDMARK_SCORE
        and (ward_code is None or named[0].ward_code in (None, ward_code))
    ):
        return named[0]
    return None


def _where(state: flows.State | ussd.UssdState, area: Area | None) -> tuple[KnownPlace | None, str]:
    """Where the conversation puts the report, as resolved, and the words for it (the settlement or
    landmark when it is a gazetteer place, else the ward, else the county)."""
    words = state.ward_name or state.county_name
    known = None
    if state.county_code is not None:
        known = KnownPlace(county_code=state.county_code, ward_code=state.ward_code)
    if state.place_text and state.settlement_id is not None:
        # the settlement the analysis found or the sender chose: more precise than its ward
        known = KnownPlace(state.county_code, None, state.ward_code, state.settlement_id)
        words = state.place_text
    elif state.place_text:
        named = _named_place(state.place_text, state.county_code, state.ward_code, area)
        detail = 2 if state.ward_code is not None else 0 if state.county_code is not None else -1
        if named is not None and _DETAIL.get(named.kind, 0) >= detail:
            known = KnownPlace(
                named.county_code,
                named.constituency_code,
                named.ward_code if named.ward_code is not None else state.ward_code,
                named.settlement_id if named.kind == "settlement" else None,
            )
            words = state.place_text
    return known, words


def _submit(
    org: Organisation,
    contact: Contact,
    state: flows.State | ussd.UssdState,
    *,
    people: int | None,
    channel: str,
    external_id: str,
    received_at: datetime | None,
) -> Report:
    description = state.description.strip()
    known, words = _where(state, org.operating_area())
    if state.place_text and words != state.place_text:  # a landmark the gazetteer does not know: keep it
        place_label = _("Place")
        description = f"{description}\n({place_label}: {state.place_text})"
    if isinstance(state, flows.State):
        source = CategorySource.REPORTER if state.category_chosen else CategorySource.READING
    else:  # USSD: picked from the menu
        source = CategorySource.REPORTER
    inp = ReportInput(
        description=description or state.category,
        category_source=source,
        channel=channel,
        place_text=words,
        category_keys=[state.category] if state.category else [],
        people_affected=people,
        language=state.lang,
        reporter=contact,
        external_id=external_id,
        received_at=received_at,
        county_hint=state.county_code,
        place=known,
    )
    try:
        report = do_submit_report(org, inp)
    except ReportError:  # an unknown category or implausible count: keep the words, drop the guess
        inp.category_keys, inp.people_affected = [], None
        report = do_submit_report(org, inp)
    # Sending a report is consent to its use.
    record_consent_once(contact, "reporting", channel)
    return report


def _submit_sms(
    org: Organisation, phone: str, state: flows.State, first_inbound: int | None, received_at: datetime | None
) -> Report:
    contact = find_or_create_contact(org, phone, language=state.lang)
    return _submit(
        org,
        contact,
        state,
        people=state.people_affected,
        channel=ReportChannel.SMS,
        external_id=f"sms:{first_inbound}" if first_inbound is not None else "",
        received_at=received_at,
    )


@transaction.atomic
def _answer_to_a_question(
    organisation: Organisation, phash: str, contact: Contact | None, text: str, phone: str, inbound_id: int
) -> list[str] | None:
    """A reply to something Sauti asked this number (an opinion statement, a consensus ballot, a
    verification survey) goes there; None when the text is not such an answer (it is then a report)."""
    survey = questionnaire_phone.reply_to_sms(organisation, phone=phone, text=text, inbound_id=inbound_id)
    if survey is not None:  # a short form started by its keyword, or the answer to its open question
        return survey
    participant = opinion_sms.sms_participant(organisation, phash, text)
    if participant is not None and opinion_sms.answers_a_statement(text):
        return opinion_sms.reply_to(participant, text)
    # A survey or ballot may have gone to any record of this number (a group's member, the reporter).
    records = list(
        Contact.objects.filter(organisation=organisation, phone_hash=phash).order_by("scope", "pk")
    )
    # "Is it fixed?" (monitoring.reporters), unless a question of the dialogues app came after it.
    fixed = [(asked, c) for c in records if (asked := awaiting_fixed(c)) is not None]
    if fixed:
        asked, reporter = max(fixed, key=lambda pair: pair[0].asked_at)
        later = [t for c in records if (t := awaiting(c)) is not None and _asked_at(t) > asked.asked_at]
        if not later and handle_fixed_reply(reporter, text):
            return []
    if any(handle_reply(c, text) for c in records):
        return []  # the dialogues app queued its own answer
    return None


def _asked_at(target: VerificationSurvey | ConsensusRound) -> datetime:
    return target.created_at if isinstance(target, VerificationSurvey) else target.opened_at


def _status_url() -> str:
    """The status page's address as a reporter types it (no scheme)."""
    url = settings.SAUTI_PUBLIC_URL.rstrip("/") + reverse("report_status")
    return url.split("://", 1)[-1]


def do_handle_sms(
    organisation: Organisation, *, phone: str, text: str, received_at: datetime, inbound_id: int
) -> list[str]:
    """Advance the sender's conversation by one message and return the replies to send.

    1. The same inbound message handled again returns the replies it got the first time.
    2. An open conversation silent for `flows.TIMEOUT` is submitted first (with what it knows) and closed.
    3. The engine advances; a finished draft becomes a report (external id `sms:<first inbound id>`),
       and the reply carries its reference.
    The keyword commands of other apps (`register_keyword_handler`) get the message before all this.
    """
    for handler in KEYWORD_HANDLERS:
        handled = handler(
            organisation=organisation, phone=phone, text=text, received_at=received_at, inbound_id=inbound_id
        )
        if handled is not None:
            return handled
    phash = lookup_hash(phone)
    mine = SmsConversation.objects.filter(organisation=organisation, phone_hash=phash)
    seen = mine.filter(last_inbound_id=inbound_id).first()
    if seen is not None:
        return list(seen.last_replies)
    now = timezone.now()
    conv = mine.select_for_update().filter(status=SmsConversation.State.OPEN).order_by("-id").first()
    if conv is not None and conv.is_expired(now):
        _expire(conv, phone)
        conv = None
    contact = find_contact(organisation, phone)
    if conv is None:
        answered = _answer_to_a_question(organisation, phash, contact, text, phone, inbound_id)
        if answered is not None:
            return answered
    fallback = contact.language if contact is not None else "sw"
    state = flows.State.from_json(conv.state) if conv is not None else flows.State(lang=fallback)
    step = flows.advance(state, text, OrgServices(organisation, contact, phash), fallback_lang=fallback)
    if conv is None:
        conv = SmsConversation(
            organisation=organisation, contact=contact, phone_hash=phash, first_inbound_id=inbound_id
        )
    replies = step.replies
    for event in step.events:
        if isinstance(event, flows.SubmitReport):
            report = _submit_sms(organisation, phone, event.state, conv.first_inbound_id, received_at)
            conv.report, conv.contact = report, report.reporter
            key = do_issue_status_key(report)
            replies.append(flows.confirmation(event.state.lang, report.reference, key, _status_url()))
    opened = step.state.is_open
    if opened and conv.contact is None:  # a draft needs its sender: the timeout submits without a message
        conv.contact = find_or_create_contact(organisation, phone, language=step.state.lang)
    if not opened and conv._state.adding and conv.report is None:
        return replies  # a status query or help: nothing to keep
    conv.state = step.state.to_json()
    conv.status = SmsConversation.State.OPEN if opened else SmsConversation.State.CLOSED
    conv.expires_at = now + flows.TIMEOUT if opened else None
    conv.last_inbound_id, conv.last_replies = inbound_id, replies
    conv.log = [*conv.log, {"in": text[: flows.MAX_INPUT], "out": replies}][-LOG_LIMIT:]
    conv.updated_at = now
    conv.save()
    return replies


def _expire(conv: SmsConversation, phone: str | None) -> Report | None:
    step = flows.expire(flows.State.from_json(conv.state))
    report = None
    for event in step.events:
        if isinstance(event, flows.SubmitReport):
            contact = conv.contact
            if contact is None and phone:
                contact = find_or_create_contact(conv.organisation, phone, language=event.state.lang)
            if contact is None:  # no phone to make a contact from; the report is anonymous
                continue
            report = _submit(
                conv.organisation,
                contact,
                event.state,
                people=event.state.people_affected,
                channel=ReportChannel.SMS,
                external_id=f"sms:{conv.first_inbound_id}" if conv.first_inbound_id is not None else "",
                received_at=conv.created_at,
            )
            conv.report, conv.contact = report, contact
    conv.state = step.state.to_json()
    conv.status = SmsConversation.State.CLOSED
    conv.expires_at = None
    conv.save()
    return report


def do_expire_conversations(
    now: datetime | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Submit and close every conversation silent past its timeout; the number closed."""
    now = now or timezone.now()
    done = 0
    due = SmsConversation.objects.filter(status=SmsConversation.State.OPEN, expires_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            conv = (
                SmsConversation.objects.select_for_update(of=("self",))
                .select_related("organisation", "contact")
                .filter(pk=pk, status=SmsConversation.State.OPEN)
                .first()
            )
            if conv is None:
                continue
            _expire(conv, conv.contact.phone if conv.contact is not None else None)
            done += 1
        if progress is not None:
            progress(done)
    return done


def _ussd_expired(lang: str) -> str:
    with translation.override(lang):
        return "END " + _("Your session has ended. Please dial again.")


def do_handle_ussd(
    organisation: Organisation, *, session_id: str, phone: str, service_code: str, text: str
) -> str:
    """One USSD hop: the full Africa's Talking response body (`CON …` or `END …`)."""
    phash = lookup_hash(phone)
    now = timezone.now()
    session = UssdSession.objects.filter(organisation=organisation, session_id=session_id).first()
    if session is None:
        contact = find_contact(organisation, phone)
        lang = contact.language if contact is not None and contact.language in ("en", "sw") else "sw"
        if text:  # an answer in a session we never started (or already forgot)
            return _ussd_expired(lang)
        session = UssdSession(
            organisation=organisation,
            session_id=session_id,
            phone_hash=phash,
            contact=contact,
            state=ussd.UssdState(lang=lang).to_json(),
            created_at=now,
        )
    elif session.phone_hash != phash or now - session.updated_at > USSD_SESSION_TIMEOUT:
        return _ussd_expired(ussd.UssdState.from_json(session.state).lang)
    contact = session.contact
    item_body = _ussd_item_hop(organisation, session, phone, session_id, text, now)
    if item_body is not None:
        return item_body
    survey_body = _ussd_survey_hop(organisation, session, phone, session_id, text, now)
    if survey_body is not None:
        return survey_body
    screen = ussd.advance(
        ussd.UssdState.from_json(session.state), text, OrgServices(organisation, contact, phash)
    )
    body = screen.body
    after: list[Callable[[], Any]] = []
    try:
        body = _apply_ussd(organisation, session, screen, contact, phone, session_id, now, after)
    except IntegrityError:
        if not session._state.adding:
            raise
        # the gateway's retry of a first hop raced this one and saved the session: same first screen

    return ("END " if screen.end else "CON ") + body


def _ussd_item_hop(
    organisation: Organisation, session: UssdSession, phone: str, session_id: str, text: str, now: datetime
) -> str | None:
    """A main-menu item of an app above (`ussd.register_menu_item`) and every hop after it, until the item
    ends the session or sends the caller home."""
    raw = dict(session.state or {})
    state = ussd.UssdState.from_json(raw)
    entry = ussd.new_input(state.consumed, text) if state.consumed or text else None
    active = raw.get("item")  # None, or {"key": the item's number, "data": its own state}
    item = ussd.menu_item(str(active.get("key", ""))) if isinstance(active, dict) else None
    if item is None:
        if (
            session._state.adding
            or raw.get("surveys") is not None
            or state.menu != "main"
            or state.end
            or entry is None
        ):
            return None
        item = ussd.menu_item(entry.strip())
        if item is None:
            return None
        data: dict[str, Any] = {}
        step_entry: str | None = None
    elif entry is None or state.end:  # the gateway repeated a request, or the session is over
        return ("END " if state.end else "CON ") + state.body
    else:
        data, step_entry = dict(active.get("data") or {}) if isinstance(active, dict) else {}, entry.strip()
    with translation.override(state.lang):
        step = item.step(
            organisation, phone=phone, session_id=session_id, entry=step_entry, lang=state.lang, data=data,
            now=now,
        )  # fmt: skip
    body, end = (ussd.main_screen(state.lang), False) if step.home else (step.body, step.end)
    state.menu, state.page, state.matches = "main", 0, []
    state.consumed, state.body, state.end = text, body, end
    session.state = (
        state.to_json() if step.home else {**state.to_json(), "item": {"key": item.key, "data": step.data}}
    )
    session.updated_at = now
    session.save()
    return ("END " if end else "CON ") + body


def _ussd_survey_hop(
    organisation: Organisation, session: UssdSession, phone: str, session_id: str, text: str, now: datetime
) -> str | None:
    """ "Surveys" in the main menu and every hop after it go to questionnaires.phone (short forms)."""
    raw = dict(session.state or {})
    state = ussd.UssdState.from_json(raw)
    entry = ussd.new_input(state.consumed, text) if state.consumed or text else None
    mode = raw.get("surveys")  # None, "menu" (choosing a form) or "form" (answering)
    if mode is None:
        if (
            session._state.adding
            or state.menu != "main"
            or state.end
            or (entry or "").strip() != ussd.SURVEYS
        ):
            return None
        body, end = questionnaire_phone.ussd_menu(organisation, state.lang)
        mode = "menu"
    elif entry is None or state.end:  # the gateway repeated a request, or the session is over
        return ("END " if state.end else "CON ") + state.body
    else:
        body, end, answering = questionnaire_phone.ussd_step(
            organisation, session_id=session_id, phone=phone, entry=entry.strip(), lang=state.lang,
            picked=mode == "form",
        )  # fmt: skip
        mode = "form" if answering else "menu"
    state.consumed, state.body, state.end = text, body, end
    session.state = {**state.to_json(), "surveys": mode}
    session.updated_at = now
    session.save()
    return ("END " if end else "CON ") + body


def _apply_ussd(
    organisation: Organisation,
    session: UssdSession,
    screen: ussd.Screen,
    contact: Contact | None,
    phone: str,
    session_id: str,
    now: datetime,
    after: list[Callable[[], Any]],
) -> str:
    body = screen.body
    with transaction.atomic():
        for event in screen.events:
            if isinstance(event, ussd.SubmitReport):
                s = event.state
                contact = contact or find_or_create_contact(organisation, phone, language=s.lang)
                report = _submit(
                    organisation,
                    contact,
                    s,
                    people=None,
                    channel=ReportChannel.USSD,
                    external_id=f"ussd:{session_id}"[:120],
                    received_at=now,
                )
                session.report = report
                body = ussd.submitted(s.lang, report.reference)
            elif isinstance(event, ussd.RecordConsent):
                contact = contact or find_or_create_contact(organisation, phone, language=screen.state.lang)
                after.append(partial(tasks.record_consent.enqueue, contact.pk, event.granted, "ussd"))
            elif isinstance(event, ussd.SetLanguage):
                contact = contact or find_or_create_contact(organisation, phone, language=event.lang)
                after.append(partial(tasks.set_language.enqueue, contact.pk, event.lang))
        screen.state.body = body
        session.contact = contact
        session.state = screen.state.to_json()
        session.updated_at = now
        session.save()
        for job in after:
            transaction.on_commit(job)
    return body
