"""Writes of the trust surveys: create, add a wave, record one anonymous set of answers."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sauti.core import crypto
from sauti.dialogues.models import Programme
from sauti.people.models import User
from sauti.places.models import Settlement
from sauti.trust.models import (
    DEFAULT_ITEMS,
    TrustAnswer,
    TrustItem,
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
                respondent=crypto.lookup_hash(f"trust:{survey.pk}:{respondent}") if respondent else "",
            )
            TrustAnswer.objects.bulk_create(
                [TrustAnswer(response=response, item_id=pk, score=score) for pk, score in scores.items()]
            )
    except IntegrityError:
        raise TrustError(_("You have already answered this survey in this round. Thank you!")) from None
    return response
