"""Demo questionnaires (issue 20): an eviction-monitoring questionnaire and a water-point survey in en/sw,
with invented submissions, clearly labelled (form titles say so; instance IDs start with `demo:`), and an
analysis session of the Mathare group with an agreed conclusion made a priority of a demo programme.

Session 5: every water-point answer has a ward among the seeds' Mathare and Korogocho wards (Mabatini, the
Mathare group's ward, the most), so the session's figures are real; the conclusion's words carry the
figures they rest on (computed here, not written in advance); an eviction's typed place and its GPS point
are of one place."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from sauti.dialogues.actions import do_create_programme
from sauti.dialogues.models import Programme
from sauti.people.models import Group, Organisation, User
from sauti.places.models import Ward
from sauti.questionnaires import samples
from sauti.questionnaires.actions import (
    Incoming,
    do_agree,
    do_conclude,
    do_import_form,
    do_make_priority,
    do_open_session,
    do_receive_submission,
    do_record_finding,
)
from sauti.questionnaires.models import AnalysisSession, Questionnaire, Submission
from sauti.questionnaires.results import Filters, results
from sauti.questionnaires.xlsform import parse_upload

ORG = "haki-mtaani-demo"
# Invented places evictions are reported from: the name typed and a point near it (lat, lon).
PLACES = [
    ("Mabatini", (-1.2607, 36.8588)),
    ("Kiamaiko", (-1.2545, 36.8759)),
    ("Korogocho", (-1.2457, 36.8912)),
]
# Wards the water points are in (IEBC codes), Mabatini most: Mabatini, Kiamaiko, Hospital, Huruma, Korogocho.
WATER_WARDS = ([1446] * 9) + [1450, 1450, 1450, 1445, 1445, 1447, 1447, 1405, 1405]
MABATINI = 1446
PROGRAMME = "Mathare water and housing dialogue (demo)"


def _titled(sheets: dict[str, list[list[str]]], title: str) -> bytes:
    copy = {k: [list(r) for r in v] for k, v in sheets.items()}
    copy["settings"][1][copy["settings"][0].index("form_title")] = title
    return samples.xlsx(copy)


def _point(rng: random.Random, centre: tuple[float, float]) -> str:
    lat, lon = centre
    return f"{lat + rng.uniform(-0.002, 0.002):.5f} {lon + rng.uniform(-0.002, 0.002):.5f}"


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
                    "disconnected": "yes" if rng.random() < (0.55 if meters else 0.15) else "no",
                    "problems": " ".join(sorted(set(problems))) or "none",
                },
                channel=rng.choice([Submission.Channel.SMS, Submission.Channel.USSD, Submission.Channel.ODK]),
                language=rng.choice(["sw", "sw", "en"]),
                received_at=now - timedelta(days=days, hours=rng.randint(0, 12)),
                ward_code=rng.choice(WATER_WARDS),
            ),
        )
    for i in range(24):
        place, centre = rng.choice(PLACES)
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
                    "place_text": place,
                    "location": _point(rng, centre),
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
    ward = Ward.objects.get(code=MABATINI)
    res = results(water, Filters(ward_id=ward.pk), "en")
    line = next(ln for q in res.questions if q.name == "disconnected" for ln in q.lines if ln.value == "yes")
    label = next(q.label for q in res.questions if q.name == "disconnected")
    (b_yes, b_all), (a_yes, a_all) = _disconnected_share(water, ward, now)
    before, after = _percent(b_yes, b_all), _percent(a_yes, a_all)
    # The words cite only the figures the finding links (issue 20, session 6: they once disagreed).
    finding = do_record_finding(
        session,
        coordinator,
        f"Water disconnections in Mabatini rose from {before}% to {after}% of the water points asked since "
        "the new meters came a month ago (demo finding)",
        figures=[
            {"key": "disconnected=yes", "text": f"{label}: {line.label} — {line.count} ({line.percent}%)"},
            {
                "key": "disconnected=yes",
                "text": f"{label}: {line.label}, month before the meters — {b_yes} of {b_all} ({before}%)",
            },
            {
                "key": "disconnected=yes",
                "text": f"{label}: {line.label}, since the meters — {a_yes} of {a_all} ({after}%)",
            },
        ],
    )
    do_agree(finding, coordinator)
    do_conclude(finding, coordinator)
    programme = Programme.objects.filter(organisation=org, title=PROGRAMME).first() or do_create_programme(
        org,
        coordinator,
        title=PROGRAMME,
        description="Demo programme: the Mathare groups take their survey findings to the county.",
        starts_on=now.date() - timedelta(days=30),
        ends_on=now.date() + timedelta(days=300),
        groups=[group],
        wards=[ward],
    )
    do_make_priority(finding, programme, coordinator)


def _percent(n: int, total: int) -> float:
    return round(100 * n / max(total, 1), 1)


def _disconnected_share(
    water: Questionnaire, ward: Ward, now: datetime
) -> tuple[tuple[int, int], tuple[int, int]]:
    """(yes, answers) of Mabatini saying "disconnected" in the month before the meters and since."""
    month_ago = now - timedelta(days=30)
    counts = {True: [0, 0], False: [0, 0]}
    for answers, received in Submission.objects.filter(questionnaire=water, ward=ward).values_list(
        "answers", "received_at"
    ):
        tally = counts[received >= month_ago]
        tally[0] += answers.get("disconnected") == "yes"
        tally[1] += 1
    before, after = counts[False], counts[True]
    return (before[0], before[1]), (after[0], after[1])
