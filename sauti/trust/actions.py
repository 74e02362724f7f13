"""Writes of the trust surveys: create, add a wave, record one anonymous set of answers."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sauti.core import crypto
from sauti.dialogues.models import Participant, Programme
from sauti.messaging.actions import do_queue_sms
from sauti.people.models import Contact, User
from sauti.people.phones import InvalidPhone, normalise_phone
from sauti.places.models import Settlement
from sauti.trust import texts
from sauti.trust.models import (
    DEFAULT_ITEMS,
    TrustAnswer,
    TrustItem,
    TrustPhoneSession,
    TrustResponse,
    TrustSurvey,
    TrustWave,
    WaveKind,
)


class TrustError(ValueError):
    """Input refused; str(e) is the reason in the user's language."""


def do_create_trust_survey(programme: Programme, by: User, *, title: str) -> TrustSurvey:
    title = title.strip()
    if not title:
        raise TrustError(_("Give the survey a title."))
    with transaction.atomic():
        survey = TrustSurvey.objects.create(programme=programme, title=title, token=secrets.token_urlsafe(9))
        TrustItem.objects.bulk_create(
            [
                TrustItem(survey=survey, position=i, text_en=en, text_sw=sw)
                for i, (en, sw) in enumerate(DEFAULT_ITEMS)
            ]
        )
        TrustWave.objects.create(
            survey=survey, kind=WaveKind.BASELINE, label=_("Baseline"), starts_on=timezone.localdate()
        )
    return survey


def do_add_wave(survey: TrustSurvey, by: User, *, label: str, starts_on: dt.date) -> TrustWave:
    last = survey.waves.order_by("-starts_on").first()
    if last is not None and starts_on <= last.starts_on:
        raise TrustError(
            _("A follow-up starts after the previous wave (%(date)s).") % {"date": last.starts_on}
        )
    return TrustWave.objects.create(
        survey=survey, kind=WaveKind.FOLLOW_UP, label=label.strip() or _("Follow-up"), starts_on=starts_on
    )


def respondent_key(survey: TrustSurvey, respondent: str) -> str:
    """The keyed hash kept instead of a browser token or a phone number: per survey, so answers to two
    surveys cannot be joined, and one-way, so they cannot be traced to the person."""
    return crypto.lookup_hash(f"trust:{survey.pk}:{respondent}")


def current_wave(survey: TrustSurvey, on: dt.date | None = None) -> TrustWave | None:
    return (
        survey.waves.filter(starts_on__lte=on or timezone.localdate()).order_by("-starts_on", "-pk").first()
    )


def do_record_trust_response(
    survey: TrustSurvey,
    *,
    channel: str,
    scores: Mapping[int, int],
    segment: str = "",
    settlement: Settlement | None = None,
    respondent: str = "",
    wave: TrustWave | None = None,
) -> TrustResponse:
    """One person's answers, anonymous. `respondent` (a browser token or a phone) is kept only as a keyed hash,
    to refuse a second answer in the same wave."""
    if not survey.is_open and channel != "paper":
        raise TrustError(_("This survey is closed."))
    wave = wave or current_wave(survey)
    if wave is None or wave.survey_id != survey.pk:
        raise TrustError(_("This survey has no wave open yet."))
    items = {i.pk: i for i in survey.items.all()}
    if set(scores) != set(items):
        raise TrustError(_("Answer every statement with a number from 1 to 5."))
    if any(not 1 <= s <= 5 for s in scores.values()):
        raise TrustError(_("Answers are numbers from 1 to 5."))
    segments = set(survey.programme.segments.values_list("key", flat=True))
    if segment and segment not in segments:
        raise TrustError(_("Unknown segment."))
    try:
        with transaction.atomic():
            response = TrustResponse.objects.create(
                wave=wave,
                channel=channel,
                segment=segment,
                settlement=settlement,
                respondent=respondent_key(survey, respondent) if respondent else "",
            )
            TrustAnswer.objects.bulk_create(
                [TrustAnswer(response=response, item_id=pk, score=score) for pk, score in scores.items()]
            )
    except IntegrityError:
        raise TrustError(_("You have already answered this survey in this round. Thank you!")) from None
    return response


def audience(
    survey: TrustSurvey, *, segment: str = "", settlement: Settlement | None = None
) -> list[tuple[Contact, str]]:
    """The programme's groups' members with a phone (and that phone in E.164), in `settlement` and of `segment`
    when given (a member is of a segment when a sign-in sheet recorded them in it, matched by phone number)."""
    programme = survey.programme
    contacts = (
        Contact.objects.filter(
            organisation_id=programme.organisation_id, group_memberships__group__in=programme.groups.all()
        )
        .exclude(phone_hash="")
        .distinct()
        .order_by("pk")
    )
    if settlement is not None:
        contacts = contacts.filter(settlement=settlement)
    in_segment: set[str] = set()
    if segment:
        in_segment = set(
            Participant.objects.filter(
                organisation_id=programme.organisation_id,
                segments__programme=programme,
                segments__key=segment,
            ).values_list("phone_hash", flat=True)
        )
    found = []
    for contact in contacts:
        try:
            e164 = normalise_phone(contact.phone)
        except InvalidPhone:
            continue
        if segment and not {contact.phone_hash, crypto.lookup_hash(e164)} & in_segment:
            continue
        found.append((contact, e164))
    return found


def do_send_trust_survey(
    survey: TrustSurvey, by: User, *, segment: str = "", settlement: Settlement | None = None
) -> dict[str, int]:
    """Send the survey by SMS, one statement per message, to the audience: only those who consented to
    messages and did not opt out (the outbox checks), each in their language, each phone once per wave. The
    answers come back through `phone.handle_sms` and are stored as anonymous answers (channel SMS)."""
    if not survey.is_open:
        raise TrustError(_("This survey is closed."))
    wave = current_wave(survey)
    if wave is None:
        raise TrustError(_("This survey has no wave open yet."))
    if segment and not survey.programme.segments.filter(key=segment).exists():
        raise TrustError(_("Unknown segment."))
    items = list(survey.items.all())
    if not items:
        raise TrustError(_("This survey has no statements."))
    organisation = survey.programme.organisation
    sent = skipped = 0
    for contact, e164 in audience(survey, segment=segment, settlement=settlement):
        key = respondent_key(survey, e164)
        if (
            TrustPhoneSession.objects.filter(wave=wave, respondent=key).exists()
            or TrustResponse.objects.filter(wave=wave, respondent=key).exists()
        ):
            skipped += 1
            continue
        with transaction.atomic(), translation.override(contact.language):
            TrustPhoneSession.objects.create(
                wave=wave,
                respondent=key,
                segment=segment,
                settlement=settlement or contact.settlement,
                language=contact.language,
                asked_at=timezone.now(),
            )
            queued = [
                do_queue_sms(
                    organisation,
                    to_contact=contact,
                    to_phone=e164,
                    text=text,
                    purpose=f"trust:{survey.pk}",
                    require_consent=True,
                )
                for text in (texts.introduction(len(items)), texts.statement(items, 0))
            ]
            if any(q is None for q in queued):  # no consent, opted out or no channel: not asked
                transaction.set_rollback(True)
                skipped += 1
                continue
        sent += 1
    return {"sent": sent, "skipped": skipped}
