"""The trust app's part of the demo: a survey of the demo community–police programme, in two waves."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from sauti.dialogues.demo import POLICE_TITLE
from sauti.dialogues.models import Programme
from sauti.people.models import User
from sauti.trust import actions as trust_actions


def build_demo_trust(rng: random.Random, log: Callable[[str], object] = print) -> None:
    programme = Programme.objects.filter(title=POLICE_TITLE).first()
    if programme is None or programme.trust_surveys.exists():
        return
    log("Trust: a survey in two waves …")
    _trust_survey(programme, User.objects.get(username="zawadi"), rng)


def _trust_survey(programme: Programme, by: User, rng: random.Random) -> None:
    """Invented answers: a baseline 170 days ago and a follow-up 20 days ago, trust rising among youth most."""
    survey = trust_actions.do_create_trust_survey(
        programme, by, title="Trust in the police — Korogocho (demo)"
    )
    baseline = survey.waves.get()
    baseline.starts_on = timezone.localdate() - timedelta(days=170)
    baseline.save(update_fields=["starts_on"])
    follow_up = trust_actions.do_add_wave(
        survey, by, label="After six months", starts_on=timezone.localdate() - timedelta(days=20)
    )
    items = list(survey.items.values_list("pk", flat=True))
    lift = {"youth": 1.4, "women": 1.0, "men": 0.8, "business": 0.6, "elders": 0.5}
    for wave, n in ((baseline, 60), (follow_up, 55)):
        for _i in range(n):
            segment = rng.choice(list(lift))
            centre = 2.0 + (lift[segment] if wave is follow_up else 0)
            scores = {pk: max(1, min(5, round(rng.gauss(centre, 0.9)))) for pk in items}
            channel = rng.choice(["paper", "paper", "web"])
            trust_actions.do_record_trust_response(
                survey, channel=channel, scores=scores, segment=segment, wave=wave
            )
