"""Demo questionnaires (issue 20): an eviction-monitoring questionnaire and a water-point survey in en/sw,
with invented submissions, clearly labelled (form titles say so; instance IDs start with `demo:`), and an
analysis session of the Mathare group with a finding and an agreed conclusion."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from sauti.people.models import Group, Organisation, User
from sauti.questionnaires import samples
from sauti.questionnaires.actions import (
    Incoming,
    do_agree,
    do_conclude,
    do_import_form,
    do_open_session,
    do_receive_submission,
    do_record_finding,
)
from sauti.questionnaires.models import AnalysisSession, Questionnaire, Submission
from sauti.questionnaires.xlsform import parse_upload

ORG = "haki-mtaani-demo"
# Invented places people answer from (lat, lon): Mathare, Kiamaiko, Kibra.
CENTRES = [(-1.2600, 36.8590), (-1.2560, 36.8700), (-1.3120, 36.7870)]


def _titled(sheets: dict[str, list[list[str]]], title: str) -> bytes:
    copy = {k: [list(r) for r in v] for k, v in sheets.items()}
    copy["settings"][1][copy["settings"][0].index("form_title")] = title
    return samples.xlsx(copy)


def _point(rng: random.Random) -> str:
    lat, lon = rng.choice(CENTRES)
    return f"{lat + rng.uniform(-0.004, 0.004):.5f} {lon + rng.uniform(-0.004, 0.004):.5f}"


def build_demo_questionnaires(rng: random.Random, log: Callable[[str], object] = print) -> None:
    org = Organisation.objects.filter(slug=ORG).first()
    if org is None or Questionnaire.objects.filter(organisation=org, form_id="water_point").exists():
        return
    log("Questionnaires (invented answers) …")
    eviction, _v = do_import_form(
        org, parse_upload(_titled(samples.EVICTION, "Eviction monitoring (demo, invented answers)")), None
    )
    water, _v = do_import_form(
        org, parse_upload(_titled(samples.WATER, "Water-point survey (demo, invented answers)")), None
    )
    now = timezone.now()
    for i in range(120):
        days = rng.randint(0, 60)
        meters = days < 30  # the new meters came a month ago: disconnections rise
        working = rng.choices(["yes", "partly", "no"], [5, 2, 4 if meters else 2])[0]
        problems = rng.sample(["dirty", "meters", "cartels"], rng.randint(0, 2)) + (
            ["meters"] if meters and rng.random() < 0.6 else []
        )
        do_receive_submission(
            water,
            Incoming(
                instance_id=f"demo:water:{i}",
                answers={
                    "working": working,
                    "source": rng.choice(["kiosk", "tap", "borehole"]),
                    "price": rng.choice([5, 10, 10, 20, 30, 50]),
                    "queue_minutes": rng.randint(0, 90),
                    "disconnected": "yes" if rng.random() < (0.5 if meters else 0.2) else "no",
                    "problems": " ".join(sorted(set(problems))) or "none",
                },
                channel=rng.choice([Submission.Channel.SMS, Submission.Channel.USSD, Submission.Channel.ODK]),
                language=rng.choice(["sw", "sw", "en"]),
                received_at=now - timedelta(days=days, hours=rng.randint(0, 12)),
            ),
        )
    for i in range(24):
        do_receive_submission(
            eviction,
            Incoming(
                instance_id=f"demo:eviction:{i}",
                answers={
                    "eviction_date": (now - timedelta(days=rng.randint(1, 90))).date().isoformat(),
                    "notice": rng.choices(["written", "verbal", "none"], [1, 2, 4])[0],
                    "actors": " ".join(
                        rng.sample(["police", "county", "private", "landlord"], rng.randint(1, 2))
                    ),
                    "households": rng.randint(2, 120),
                    "violence": rng.choice(["yes", "no"]),
                    "place_text": rng.choice(["Mathare 4A", "Kiamaiko", "Kibra Soweto"]),
                    "location": _point(rng),
                    "losses": [{"item": "Iron sheets (invented)", "value_kes": rng.randint(1, 30) * 1000}],
                },
                channel=Submission.Channel.ODK,
                received_at=now - timedelta(days=rng.randint(0, 60)),
            ),
        )
    group = Group.objects.filter(organisation=org, name="Mathare 4A Residents' Association").first()
    coordinator = User.objects.filter(memberships__organisation=org, memberships__role="coordinator").first()
    if group is None or coordinator is None or AnalysisSession.objects.filter(organisation=org).exists():
        return
    session = do_open_session(water, group, coordinator, "Mathare water data evening (demo)")
    finding = do_record_finding(
        session,
        coordinator,
        "Water disconnections doubled since the new meters came (demo finding)",
        figures=[{"key": "disconnected=yes", "text": "Disconnected in the last month?: Yes"}],
    )
    do_agree(finding, coordinator)
    do_conclude(finding, coordinator)
