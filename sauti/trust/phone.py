"""Trust surveys answered by phone: the SMS replies (a conversations keyword handler) and a USSD main-menu item
(`conversations.ussd.register_menu_item`), both registered in apps.py.

By SMS, a survey sent with `actions.do_send_trust_survey` waits for a bare number 1–5 per statement; anything
else is left to the rest of the SMS handling (a new report, a dialogue's question). By USSD, "7. Trust survey"
asks the survey sent to this phone, or else the organisation's latest open survey, one statement per screen.
Either way the answers are stored by `actions.do_record_trust_response`, anonymous (a segment and a place, the
keyed hash only to refuse a second answer in a wave), and count in the trends like web and paper answers.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sauti.conversations.ussd import MenuStep
from sauti.dialogues.inbound import awaiting
from sauti.dialogues.models import Notification
from sauti.people.actions import find_contact
from sauti.people.models import Organisation
from sauti.people.phones import InvalidPhone, normalise_phone
from sauti.places.models import Settlement
from sauti.trust import texts
from sauti.trust.actions import TrustError, current_wave, do_record_trust_response, respondent_key
from sauti.trust.models import (
    PhoneSessionState,
    TrustItem,
    TrustPhoneSession,
    TrustResponse,
    TrustSurvey,
    TrustWave,
)

NUMBER = re.compile(r"\s*(\d{1,2})\s*[.!]?\s*")
HOME = "00"


def _open_surveys(organisation: Organisation) -> list[TrustSurvey]:
    return list(TrustSurvey.objects.filter(programme__organisation=organisation, is_open=True))


def e164(phone: str) -> str:
    try:
        return normalise_phone(phone)
    except InvalidPhone:
        return phone


def _pending(organisation: Organisation, phone: str) -> TrustPhoneSession | None:
    keys = [respondent_key(s, e164(phone)) for s in _open_surveys(organisation)]
    return (
        TrustPhoneSession.objects.select_for_update()
        .select_related("wave__survey")
        .filter(respondent__in=keys, state=PhoneSessionState.ASKING)
        .order_by("-asked_at", "-pk")
        .first()
    )


def _a_dialogue_question_came_later(organisation: Organisation, phone: str, asked_at: dt.datetime) -> bool:
    """A verification question or a ballot sent after our statement takes the bare number (it is answered
    in dialogues/inbound.py); ours waits for the next one."""
    contact = find_contact(organisation, phone)
    if contact is None or awaiting(contact) is None:
        return False
    return Notification.objects.filter(contact=contact, created_at__gt=asked_at).exists()


def _next_index(items: list[TrustItem], scores: dict[str, int]) -> int | None:
    return next((i for i, item in enumerate(items) if str(item.pk) not in scores), None)


def _finish(
    survey: TrustSurvey,
    wave: TrustWave,
    *,
    channel: str,
    scores: dict[str, int],
    segment: str,
    settlement: Settlement | None,
    phone: str,
) -> str:
    try:
        do_record_trust_response(
            survey,
            channel=channel,
            scores={int(k): v for k, v in scores.items()},
            segment=segment,
            settlement=settlement,
            respondent=e164(phone),
            wave=wave,
        )
    except TrustError as e:
        return str(e)
    return texts.thanks()


def handle_sms(
    *,
    organisation: Organisation,
    phone: str,
    text: str,
    received_at: Any = None,
    inbound_id: int | None = None,
) -> list[str] | None:
    """The keyword handler: the replies, or None when the text is not an answer to a survey sent to this phone."""
    match = NUMBER.fullmatch(text)
    if match is None:
        return None
    with transaction.atomic():
        session = _pending(organisation, phone)
        if session is None:
            return None
        if inbound_id is not None and session.last_inbound_id == inbound_id:
            return list(session.last_replies)  # the same message handled again
        if _a_dialogue_question_came_later(organisation, phone, session.asked_at):
            return None
        survey = session.wave.survey
        items = list(survey.items.all())
        with translation.override(session.language):
            score = int(match.group(1))
            index = _next_index(items, session.scores)
            if index is None:  # every statement answered (a crash before storing): store now
                replies = [
                    _finish(survey, session.wave, channel="sms", scores=session.scores,
                            segment=session.segment, settlement=session.settlement, phone=phone)
                ]  # fmt: skip
                session.state, session.scores = PhoneSessionState.DONE, {}
            elif not 1 <= score <= 5:
                replies = [texts.statement(items, index, texts.one_number())]
            else:
                session.scores = {**session.scores, str(items[index].pk): score}
                following = _next_index(items, session.scores)
                if following is not None:
                    replies = [texts.statement(items, following)]
                else:
                    replies = [
                        _finish(survey, session.wave, channel="sms", scores=session.scores,
                                segment=session.segment, settlement=session.settlement, phone=phone)
                    ]  # fmt: skip
                    session.state, session.scores = PhoneSessionState.DONE, {}
        session.asked_at = timezone.now()
        session.last_inbound_id, session.last_replies = inbound_id, replies
        session.save()
    return replies


class TrustSurveyItem:
    """ "8. Trust survey" in the USSD main menu."""

    key = "8"

    def label(self) -> str:
        return _("Trust survey")

    def step(
        self,
        organisation: Organisation,
        *,
        phone: str,
        session_id: str,
        entry: str | None,
        lang: str,
        data: dict[str, Any],
        now: dt.datetime,
    ) -> MenuStep:
        if entry is None:
            return self._start(organisation, phone)
        if entry == HOME:
            return MenuStep("", home=True)
        survey = TrustSurvey.objects.filter(
            pk=int(data.get("survey") or 0), programme__organisation=organisation
        ).first()
        wave = TrustWave.objects.filter(pk=int(data.get("wave") or 0), survey=survey).first()
        if survey is None or wave is None:
            return MenuStep(texts.none_open(), end=True)
        items = list(survey.items.all())
        scores: dict[str, int] = dict(data.get("scores") or {})
        index = _next_index(items, scores)
        match = NUMBER.fullmatch(entry)
        if index is None:
            return MenuStep(texts.thanks(), end=True)
        if match is None or not 1 <= int(match.group(1)) <= 5:
            return MenuStep(texts.statement(items, index, texts.one_number()), data=data)
        scores[str(items[index].pk)] = int(match.group(1))
        following = _next_index(items, scores)
        if following is not None:
            return MenuStep(texts.statement(items, following), data={**data, "scores": scores})
        settlement = Settlement.objects.filter(pk=int(data.get("settlement") or 0)).first()
        with transaction.atomic():
            reply = _finish(survey, wave, channel="ussd", scores=scores, segment=str(data.get("segment", "")),
                            settlement=settlement, phone=phone)  # fmt: skip
            TrustPhoneSession.objects.filter(
                wave=wave, respondent=respondent_key(survey, e164(phone)), state=PhoneSessionState.ASKING
            ).update(state=PhoneSessionState.DONE, scores={})
        return MenuStep(reply, end=True)

    def _start(self, organisation: Organisation, phone: str) -> MenuStep:
        with transaction.atomic():
            session = _pending(organisation, phone)
        survey: TrustSurvey | None
        wave: TrustWave | None
        if session is not None:
            survey, wave = session.wave.survey, session.wave
            data: dict[str, Any] = {"segment": session.segment, "settlement": session.settlement_id}
        else:
            survey = next(iter(_open_surveys(organisation)), None)
            wave = current_wave(survey) if survey is not None else None
            data = {"segment": "", "settlement": None}
        if survey is None or wave is None:
            return MenuStep(texts.none_open(), end=True)
        if TrustResponse.objects.filter(wave=wave, respondent=respondent_key(survey, e164(phone))).exists():
            return MenuStep(_("You have already answered this survey in this round. Thank you!"), end=True)
        items = list(survey.items.all())
        if not items:
            return MenuStep(texts.none_open(), end=True)
        return MenuStep(
            texts.statement(items, 0), data={**data, "survey": survey.pk, "wave": wave.pk, "scores": {}}
        )


MENU_ITEM = TrustSurveyItem()
