"""The impact app's part of the demo: outcomes and sessions in Korogocho, Kayole and Mathare for the invented
community–police programme, so its impact report has every figure (all invented)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from sauti.dialogues import actions
from sauti.dialogues.actions import WalkIn
from sauti.dialogues.demo import POLICE_TITLE
from sauti.dialogues.models import Programme
from sauti.people.models import User

OUTCOMES = (
    ("women_leaders", 4, 120, "Women elected to the Korogocho community policing committee (invented demo)"),
    ("women_leaders", 2, 40, "Women chairing Kayole peace committees (invented demo)"),
    ("group_formed", 1, 90, "Youth peace group formed in Kayole (invented demo)"),
    ("group_formed", 2, 30, "Women's savings and safety groups formed in Mathare (invented demo)"),
    ("mentorship", 6, 60, "Officers mentoring at-risk youth in Korogocho (invented demo)"),
)
SESSIONS = (
    (75, "community_police", "Dialogue session — Kayole (demo)", "Kayole social hall", ""),
    (45, "community_police", "Dialogue session — Mathare (demo)", "Mathare 4A chief's camp", ""),
    (25, "peace_action", "Clean-up with officers — Kayole (demo)", "Kayole market", "clean_up"),
)


def build_demo_impact(rng: random.Random, log: Callable[[str], object] = print) -> None:
    programme = Programme.objects.filter(title=POLICE_TITLE).first()
    if programme is None or programme.outcomes.exists():
        return
    log("Impact: outcomes and sessions in Korogocho, Kayole and Mathare …")
    by = User.objects.get(username="zawadi")
    today = timezone.localdate()
    for kind, count, days, what in OUTCOMES:
        actions.do_record_outcome(
            programme, by, kind=kind, count=count, description=what, achieved_on=today - timedelta(days=days)
        )
    for days, kind, title, venue, peace in SESSIONS:
        start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=days)
        meeting = actions.do_schedule_meeting(
            programme, by, kind=kind, title=title, starts_at=start, ends_at=start + timedelta(hours=3),
            already_held=True, venue=venue, **({"peace_action": peace} if peace else {}),
        )  # fmt: skip
        walk_ins = [
            WalkIn(rng.choice("ffm"), rng.choice(["18_24", "25_35", "36_59"]), None, "member")
            for _ in range(rng.randint(12, 30))
        ]
        actions.do_record_attendance(meeting, by, walk_ins=walk_ins)
