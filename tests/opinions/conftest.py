from __future__ import annotations

import random

import pytest

from sauti.opinions.actions import (
    StatementText,
    do_add_statement,
    do_create_conversation,
    do_join,
    do_recompute,
)
from sauti.opinions.models import Conversation, Vote
from tests.conftest import World

STATEMENTS = [
    ("Maji ya bomba yafike kila ploti.", "Piped water should reach every plot."),
    ("Polisi wa jamii wanasaidia usalama.", "Community police help security."),
    ("Ada ya shule ipunguzwe.", "School fees should be reduced."),
    ("Soko jipya lijengwe karibu na barabara.", "A new market should be built near the road."),
    ("Vijana wapewe kazi za mtaa kwanza.", "Local youth should get local jobs first."),
    ("Takataka zizolewe kila wiki.", "Rubbish should be collected every week."),
    ("Chifu asikilize wakazi kila mwezi.", "The chief should hear residents every month."),
    ("Bodaboda zipigwe marufuku usiku.", "Boda bodas should be banned at night."),
]


def populate(conversation: Conversation, n: int = 40, seed: int = 1) -> None:
    """n participants in two camps voting on every statement: camp A agrees with even statements."""
    rng = random.Random(seed)
    statements = list(conversation.statements.all())
    votes = []
    for i in range(n):
        participant = do_join(conversation, language="sw" if i % 2 else "en")
        camp = i % 2
        for s in statements:
            likes = (s.number % 2 == camp) if s.number != 5 else True  # statement 5: everyone agrees
            value = 1 if likes else -1
            if rng.random() < 0.1:
                value = 0
            votes.append(Vote(conversation=conversation, participant=participant, statement=s, value=value))
    Vote.objects.bulk_create(votes)


@pytest.fixture
def conversation(world: World) -> Conversation:
    c = do_create_conversation(world.umoja, world.wanjiku, "Mabatini priorities", "What should change first?")
    for sw, en in STATEMENTS:
        do_add_statement(c, StatementText(en=en, sw=sw), by_facilitator=True)
    return c


@pytest.fixture
def analysed(conversation: Conversation) -> Conversation:
    populate(conversation)
    do_recompute(conversation, force=True)
    return conversation
