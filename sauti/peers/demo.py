"""The peers app's part of the demo: a shared practice, an exchange visit and an adoption."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from sauti.peers import actions as peer_actions
from sauti.peers.models import Practice
from sauti.people.models import Organisation, User


def build_demo_peers(rng: random.Random, log: Callable[[str], object] = print) -> None:
    umoja = Organisation.objects.filter(slug="umoja-demo").first()
    if umoja is None or Practice.objects.filter(organisation=umoja).exists():
        return
    log("Peer learning: a shared practice, an exchange visit and an adoption …")
    _peer_exchange(umoja)


def _peer_exchange(org: Organisation) -> None:
    """Invented: a pay-toilet practice (after seed 002's Tuelewane model) shown to a visiting group that adopts it."""
    wanjiku = User.objects.get(username="wanjiku")
    groups = list(org.groups.order_by("pk")[:2])
    if len(groups) < 2:
        return
    host, visitor = groups
    practice = peer_actions.do_save_practice(
        org,
        wanjiku,
        groups=[host],
        title="Pay toilet run by a women's group (demo)",
        language="en",
        problem="No clean, safe toilets in the settlement; women and girls unsafe at night.",
        approach="The group built a toilet block with a county grant; small fees pay a caretaker, water and repairs; "
        "the accounts are read out at the monthly meeting.",
        cost="About KES 250,000 to build; fees of KES 5 cover running costs",
        where_it_works="Dense settlements with a piped water point",
        county=None,
        shareable=True,
    )
    today = timezone.localdate()
    visit = peer_actions.do_record_visit(
        org,
        wanjiku,
        host_group=host,
        visiting_groups=[visitor],
        other_visitors="Kisumu women's savings group (demo)",
        held_on=today - timedelta(days=75),
        place="Mathare 4A",
        practices=[practice],
    )
    peer_actions.do_add_lesson(
        visit,
        wanjiku,
        side="visitor",
        group_name=visitor.name,
        text="Keep fees low enough for children to use it.",
    )
    peer_actions.do_add_lesson(
        visit,
        wanjiku,
        side="host",
        group_name=host.name,
        text="Visitors asked to see the accounts: post them on the door.",
    )
    peer_actions.do_record_adoption(
        practice,
        wanjiku,
        group=visitor,
        status="running",
        started_on=today - timedelta(days=30),
        results="About 120 users a day; the caretaker is paid from fees (invented demo figures).",
        visit=visit,
    )
