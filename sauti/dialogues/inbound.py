"""Where an incoming SMS goes when it answers something this app asked (the messaging layer calls this).

`handle_reply(contact, text)` returns True when the text was taken as an answer (and the sender was told
the outcome through notify.send_sms), False when nothing is awaiting an answer from this contact, so the
messaging layer treats the text as a new report instead.
"""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef

from sauti.dialogues.actions import do_record_sms_vote, do_record_verification_reply
from sauti.dialogues.models import (
    Ballot,
    ConsensusRound,
    Notification,
    VerificationAnswer,
    VerificationSurvey,
)
from sauti.dialogues.sms import answer_words
from sauti.people.models import Contact

BALLOT_TEXT = re.compile(r"(?i)(?:kura|vote)?[\s\d,.;:/-]*\d[\s\d,.;:/-]*")
MAX_ANSWER_WORDS = 4


def awaiting(contact: Contact) -> VerificationSurvey | ConsensusRound | None:
    """The latest question sent to this contact that they have not answered yet."""
    sent = Notification.objects.filter(contact=contact)
    survey_ids = [
        int(p.split(":", 1)[1])
        for p in sent.filter(purpose__startswith="verification:").values_list("purpose", flat=True)
    ]
    survey = (
        VerificationSurvey.objects.filter(pk__in=survey_ids)
        .exclude(Exists(VerificationAnswer.objects.filter(survey=OuterRef("pk"), contact=contact)))
        .order_by("-created_at", "-pk")
        .first()
    )
    ballot_sent = sent.filter(purpose="consensus-ballot").order_by("-pk").first()
    rnd = None
    if ballot_sent is not None:
        rnd = (
            ConsensusRound.objects.filter(
                state=ConsensusRound.State.OPEN,
                programme__groups__memberships__contact=contact,
                opened_at__lte=ballot_sent.created_at,
            )
            .exclude(Exists(Ballot.objects.filter(round=OuterRef("pk"), voter_key=f"contact:{contact.pk}")))
            .order_by("-opened_at", "-pk")
            .first()
        )
    if survey and rnd:
        return survey if survey.created_at >= rnd.opened_at else rnd
    return survey or rnd


def looks_like_answer(target: VerificationSurvey | ConsensusRound, text: str) -> bool:
    """Ballots are numbers only ("3 1 5", "kura 3,1"); survey answers carry a yes/no word and are short.
    Anything else is more likely a new report ("Maji yamekatwa tena Mathare 4A")."""
    if isinstance(target, ConsensusRound):
        return BALLOT_TEXT.fullmatch(text.strip()) is not None
    return bool(answer_words(text)) and len(text.split()) <= MAX_ANSWER_WORDS


def handle_reply(contact: Contact, text: str) -> bool:
    target = awaiting(contact)
    if target is None or not looks_like_answer(target, text):
        return False
    if isinstance(target, VerificationSurvey):
        do_record_verification_reply(target, contact, text)
    else:
        do_record_sms_vote(target, contact, text)
    return True
