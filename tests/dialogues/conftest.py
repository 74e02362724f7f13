"""A dialogue programme on top of the shared personas: Umoja's two groups, the chief's office."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from django.utils import timezone

from sauti.dialogues import actions
from sauti.dialogues.models import ConsensusRound, Meeting, Priority, Programme
from sauti.messaging.models import Channel, ChannelKind
from sauti.people.actions import do_add_member
from sauti.people.models import Contact, Office
from tests.conftest import World


@dataclass
class Dialogue:
    world: World
    programme: Programme
    office: Office
    held: Meeting
    priorities: list[Priority]
    members: list[Contact]  # mathare: 0 leader (sw), 1 member (en), 2 member without consent; kiambu: 3


def past(hours: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def future(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


@pytest.fixture
def dia(world: World) -> Dialogue:
    # SMS leave through the outbox, which needs an active channel (the dev channel records them).
    Channel.objects.create(organisation=world.umoja, kind=ChannelKind.DEV, name="Dev", address="SIM")
    w = world
    office = Office.objects.get(name="Chief, Mabatini")
    today = timezone.localdate()
    programme = actions.do_create_programme(
        w.umoja,
        w.wanjiku,
        title="Women's Leadership and Governance — Mathare",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=300),
        groups=[w.mathare_group, w.kiambu_group],
        offices=[office],
    )
    memberships = [
        do_add_member(
            w.mathare_group,
            name="Akinyi",
            phone="0799000001",
            by=w.wanjiku,
            language="sw",
            gender="f",
            age_band="25_35",
            role="leader",
            consent_messaging=True,
        ),
        do_add_member(
            w.mathare_group,
            name="Mary",
            phone="0799000002",
            by=w.wanjiku,
            language="en",
            gender="f",
            age_band="36_59",
            consent_messaging=True,
        ),
        do_add_member(
            w.mathare_group, name="Juma", phone="0799000003", by=w.wanjiku, gender="m", age_band="18_24"
        ),
        do_add_member(
            w.kiambu_group,
            name="Wairimu",
            phone="0799000004",
            by=w.wanjiku,
            gender="f",
            age_band="60_plus",
            consent_messaging=True,
        ),
    ]
    members = [m.contact for m in memberships]
    held = actions.do_schedule_meeting(
        programme,
        w.wanjiku,
        kind="preparatory",
        title="Preparatory dialogue 1",
        starts_at=past(5),
        ends_at=past(3),
        already_held=True,
        venue="Mabatini social hall",
    )
    priorities = [
        actions.do_raise_priority(programme, w.wanjiku, title=t, group=w.mathare_group, meeting=held)
        for t in ("Water in Mathare 4A", "Street lights", "School fees bursaries")
    ]
    return Dialogue(w, programme, office, held, priorities, members)


def open_round(d: Dialogue) -> ConsensusRound:
    return actions.do_open_round(
        d.programme, d.world.wanjiku, title="Top priorities", priorities=d.priorities, meeting=d.held
    )
