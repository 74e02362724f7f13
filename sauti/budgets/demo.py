"""Demo budgets: the real Mombasa FY 2024/25 figures (Controller of Budget, Tables 3.348 and 3.349) imported for
an invented organisation, with invented site observations, each labelled as invented, and one proposal
(flagged projects only: the dialogue demo's programmes stay as they are)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from sauti.audit import audit
from sauti.budgets.actions import (
    ObservationInput,
    do_add_conclusion,
    do_create_proposal,
    do_import,
    do_link_submission,
    do_observe,
    do_record_fate,
)
from sauti.budgets.models import Observation, Project, Proposal, SubmissionLink
from sauti.people.models import Group, Membership, Organisation, Role, User
from sauti.places.models import County
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
from sauti.questionnaires.models import Submission
from sauti.questionnaires.xlsform import parse_upload

COB_TEXT = Path(__file__).parent / "data" / "cob_cbirr_fy2024-25_mombasa.txt"
SLUG = "pwani-demo"
LABEL = "[Demo: invented observation]"
MEMBERS = [
    ("admin", Role.ADMIN),
    ("wanjiku", Role.COORDINATOR),
    ("otieno", Role.MONITOR),
    ("kamau", Role.ANALYST),
]
# (row in Table 3.348, status seen, days ago, note) — invented.
OBSERVATIONS = [
    (1, "stalled", 20, "Stand roofing half done, no workers on site for weeks."),
    (2, "not_started", 15, "Only a signboard at the site; no construction."),
    (5, "exists", 12, "Walls up to window level; builders present."),
    (8, "poor_quality", 9, "Extension finished but the roof already leaks."),
    (9, "complete", 5, "New cabro paving and shelters at the stage."),
]


def build_demo_budgets(rng: random.Random, log: Callable[[str], object] = print) -> None:
    org, _created = Organisation.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "Pwani Budget Watch (demo)",
            "kind": "cbo",
            "description": "Invented organisation following Mombasa's real development budget (demo).",
            "county": County.objects.get(code=1),
            "is_demo": True,
        },
    )
    if not org.is_demo:
        return
    for username, role in MEMBERS:
        user = User.objects.filter(username=username).first()
        if user is not None:
            Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": role})
    if not Project.objects.filter(organisation=org).exists():
        log("Budgets: Mombasa FY 2024/25 (Controller of Budget) …")
        with audit.acting_as("command:demo-data"):
            do_import(org, org.county or County.objects.get(code=1), COB_TEXT.name, COB_TEXT.read_bytes())
    monitor = User.objects.filter(username="otieno").first()
    if not Observation.objects.filter(organisation=org).exists():
        log("Budgets: invented site observations …")
        today = timezone.localdate()
        for row, status, days, note in OBSERVATIONS:
            project = Project.objects.filter(organisation=org, source_row=row).first()
            if project is None:
                continue
            do_observe(
                project,
                ObservationInput(
                    status=status,
                    note=f"{LABEL} {note}",
                    observed_on=today - timedelta(days=days + rng.randint(0, 2)),
                    by=monitor,
                    language="en",
                    external_id=f"demo-budget-{row}",
                    invented=True,
                ),
            )
    coordinator = User.objects.filter(username="wanjiku").first()
    if coordinator is not None and not Proposal.objects.filter(organisation=org).exists():
        proposal = do_create_proposal(
            org, title="Memorandum to the Mombasa ADP 2026/27 public participation (demo)", cycle="ADP 2026/27",
            priorities=[], projects=list(Project.objects.filter(organisation=org, flagged=True)),
            office=None, programme=None, by=coordinator,
        )  # fmt: skip
        do_record_fate(proposal, fate=Proposal.Fate.SUBMITTED, note="", by=coordinator)
    if coordinator is not None and not SubmissionLink.objects.filter(organisation=org).exists():
        _questionnaire_links(org, coordinator, rng, log)


# Water-point survey answers (invented) about the water projects a Kisauni group follows.
WATER_ANSWERS = [("no", "tap", 20, "yes", "meters"), ("partly", "kiosk", 10, "no", "dirty"),
                 ("no", "borehole", 30, "yes", "cartels meters"), ("yes", "tap", 5, "no", "none"),
                 ("no", "kiosk", 50, "yes", "meters")]  # fmt: skip


def _questionnaire_links(
    org: Organisation, coordinator: User, rng: random.Random, log: Callable[[str], object]
) -> None:
    """Issue 20: survey answers linked to the projects they are about, and a group's agreed conclusion made
    an item of a memorandum still being drafted. All invented, labelled as such."""
    projects = list(Project.objects.filter(organisation=org).order_by("number")[:3])
    if not projects:
        return
    log("Budgets: survey answers about projects, a conclusion in a draft memorandum (invented) …")
    sheets = {k: [list(r) for r in v] for k, v in samples.WATER.items()}
    sheets["settings"][1][sheets["settings"][0].index("form_title")] = (
        "Water-point survey, Mombasa (demo, invented)"
    )
    form, _version = do_import_form(org, parse_upload(samples.xlsx(sheets), "water.xlsx"), coordinator)
    now = timezone.now()
    for i in range(15):
        working, source, price, disconnected, problems = WATER_ANSWERS[i % len(WATER_ANSWERS)]
        sub = do_receive_submission(
            form,
            Incoming(
                instance_id=f"demo:pwani-water:{i}",
                answers={"working": working, "source": source, "price": price, "queue_minutes": rng.randint(5, 90),
                         "disconnected": disconnected, "problems": problems},
                channel=Submission.Channel.ODK,
                language="sw",
                received_at=now - timedelta(days=rng.randint(1, 40)),
            ),
        ).submission  # fmt: skip
        if i < 9:
            do_link_submission(sub, projects[i % len(projects)], by=coordinator)
    group, _created = Group.objects.get_or_create(
        organisation=org,
        name="Kisauni Water Action Group (demo)",
        defaults={"kind": "residents", "description": "Invented group for the demo."},
    )
    session = do_open_session(form, group, coordinator, "Kisauni water and the county projects (demo)")
    finding = do_record_finding(
        session,
        coordinator,
        "Most water points near the funded projects were not working when surveyed (demo conclusion)",
        figures=[{"key": "working=no", "text": "Is the water point working?: Not working — 9 of 15 (demo)"}],
    )
    do_agree(finding, coordinator)
    do_conclude(finding, coordinator)
    draft = do_create_proposal(
        org, title="Memorandum on water projects, Mombasa ADP 2027/28 (demo draft)", cycle="ADP 2027/28",
        priorities=[], projects=projects[:1], office=None, programme=None, by=coordinator,
    )  # fmt: skip
    do_add_conclusion(draft, finding, by=coordinator)
