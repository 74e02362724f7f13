"""A person's identity erased from SMS opinion participation (people.erasure; registered in
OpinionsConfig.ready): the participant stays, without the lookup hash of their number, and stopped."""

from __future__ import annotations

from sauti.opinions.models import Participant
from sauti.people.erasure import Erasure


def erase_identity(e: Erasure) -> None:
    if e.phash:
        Participant.objects.filter(external_id=e.phash, conversation__organisation_id=e.org_id).update(
            external_id="", stopped=True
        )
