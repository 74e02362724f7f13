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
from sauti.budgets.actions import ObservationInput, do_create_proposal, do_import, do_observe, do_record_fate
from sauti.budgets.models import Observation, Project, Proposal
from sauti.people.models import Membership, Organisation, Role, User
from sauti.places.models import County

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
