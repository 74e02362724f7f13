"""Demo opinion map: an invented conversation (clearly labelled) with invented votes from three camps."""

from __future__ import annotations

import random
from collections.abc import Callable

from sauti.audit import audit
from sauti.audit.models import Action
from sauti.opinions.actions import (
    StatementText,
    do_add_statement,
    do_create_conversation,
    do_join,
    do_recompute,
)
from sauti.opinions.models import Conversation, Vote
from sauti.people.models import Organisation

TITLE = "Mathare priorities for the ward dialogue (demo, invented votes)"
STATEMENTS = [
    (
        "Maji ya bomba yafike kila ploti kabla ya mwisho wa mwaka.",
        "Piped water should reach every plot by the end of the year.",
    ),
    ("Polisi wa jamii wanasaidia usalama mtaani.", "Community policing makes the estate safer."),
    (
        "Ada za shule za upili zipunguzwe kwa familia maskini.",
        "Secondary school fees should be cut for poor families.",
    ),
    ("Soko jipya lijengwe karibu na barabara kuu.", "A new market should be built next to the main road."),
    ("Vijana wa mtaa wapewe kazi za kaunti kwanza.", "Local youth should get county jobs first."),
    ("Takataka zizolewe kila wiki na kaunti.", "The county should collect rubbish every week."),
    ("Chifu akutane na wakazi kila mwezi.", "The chief should meet residents every month."),
    ("Bodaboda zipigwe marufuku baada ya saa nne usiku.", "Boda bodas should be banned after 10 pm."),
    ("Vibanda vya biashara visibomolewe bila notisi.", "Kiosks should never be demolished without notice."),
    ("Pesa za CDF zitangazwe hadharani kila robo mwaka.", "CDF spending should be published every quarter."),
]
# Agree probability per camp (residents, traders, youth) and statement; invented.
LEAN = [
    (0.9, 0.8, 0.85), (0.7, 0.6, 0.15), (0.85, 0.5, 0.8), (0.3, 0.9, 0.4), (0.4, 0.3, 0.95),
    (0.9, 0.85, 0.8), (0.8, 0.6, 0.5), (0.7, 0.2, 0.1), (0.5, 0.95, 0.7), (0.85, 0.8, 0.9),
]  # fmt: skip


def build_demo_opinions(rng: random.Random, log: Callable[[str], object] = print) -> None:
    org = Organisation.objects.filter(slug="haki-mtaani-demo").first()
    if org is None or Conversation.objects.filter(organisation=org, title=TITLE).exists():
        return
    log("Opinion map …")
    conversation = do_create_conversation(
        org,
        None,
        TITLE,
        "Which changes matter most before the ward dialogue? (Demo: statements and votes are invented.)",
    )
    for sw, en in STATEMENTS:
        do_add_statement(conversation, StatementText(en=en, sw=sw), by_facilitator=True)
    statements = list(conversation.statements.all())
    votes = []
    for i in range(90):
        camp = i % 3
        participant = do_join(conversation, language=rng.choice(["sw", "sw", "en"]))
        for s, lean in zip(statements, LEAN, strict=True):
            if rng.random() < 0.15:
                continue  # not seen
            roll = rng.random()
            value = Vote.PASS if roll < 0.08 else (Vote.AGREE if rng.random() < lean[camp] else Vote.DISAGREE)
            votes.append(Vote(conversation=conversation, participant=participant, statement=s, value=value))
    Vote.objects.bulk_create(votes)
    audit.log_rows(Vote, [v.pk for v in votes], Action.CREATE)
    submitter = do_join(conversation)
    do_add_statement(
        conversation,
        StatementText(sw="Taa za barabarani ziwekwe Mathare 4A."),
        by_facilitator=False,
        author=submitter,
    )
    do_recompute(conversation, force=True)
