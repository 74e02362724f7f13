"""The mapping app's part of the demo: the two mapping sessions of the demo community–police programme."""

from __future__ import annotations

import random
from collections.abc import Callable

from sauti.dialogues.demo import FIRST_MAPPING, POLICE_TITLE, SECOND_MAPPING
from sauti.dialogues.models import Meeting
from sauti.dialogues.reach import ensure_default_segments
from sauti.mapping import actions as mapping_actions
from sauti.people.models import User


def build_demo_mapping(rng: random.Random, log: Callable[[str], object] = print) -> None:
    meetings = Meeting.objects.filter(programme__title=POLICE_TITLE, kind="mapping")
    first = meetings.filter(title=FIRST_MAPPING).first()
    second = meetings.filter(title=SECOND_MAPPING).first()
    if first is None or second is None or first.mapping_exercises.exists():
        return
    log("Mapping: hotspots and actors, twice …")
    _mapping(first, second, User.objects.get(username="zawadi"))


def _mapping(first: Meeting, second: Meeting, by: User) -> None:
    """Invented: youth and police mark the same places differently; mistrust turns to cooperation later."""
    ensure_default_segments(first.programme)
    marks = [
        ("Korogocho market", "unsafe", "youth", "Swoops and arrests at night"),
        ("Korogocho market", "safe", "police", "Patrolled every evening"),
        ("River bank behind Grogan", "go_zone", "women", "Attacks when fetching water"),
        ("Kamunde road", "conflict", "youth", "Fights between groups"),
        ("Chief's camp", "safe", "women", "Lit and staffed"),
    ]
    actors = [
        ("Korogocho police post", "police"),
        ("Youth groups", "youth"),
        ("Women's groups", "women"),
        ("Chief's office", "administration"),
        ("Gangs", "gangs"),
    ]
    ties = {
        first: [
            (1, 0, "mistrust", 3),
            (2, 0, "mistrust", 2),
            (3, 0, "cooperation", 2),
            (4, 1, "conflict", 3),
        ],
        second: [
            (1, 0, "cooperation", 2),
            (2, 0, "trust", 2),
            (3, 0, "cooperation", 3),
            (4, 1, "conflict", 2),
        ],
    }
    for meeting in (first, second):
        exercise = mapping_actions.do_start_exercise(meeting, by, title=f"{meeting.title} (demo)")
        for label, kind, segment, reason in marks:
            if meeting is second and label == "Korogocho market" and segment == "youth":
                kind, reason = "safe", "Officers now known by name"
            mapping_actions.do_mark_hotspot(
                exercise, by, label=label, kind=kind, segment=segment, reason=reason
            )
        made = [mapping_actions.do_add_actor(exercise, by, name=n, kind=k) for n, k in actors]
        for a, b, kind, strength in ties[meeting]:
            mapping_actions.do_add_tie(
                exercise, by, source=made[a], target=made[b], kind=kind, strength=strength
            )
