"""A person's identity erased from the people reached by dialogue sessions (people.erasure; registered in
DialoguesConfig.ready): they stay counted, without a name or number."""

from __future__ import annotations

from sauti.dialogues.models import Participant as ReachedPerson
from sauti.people.erasure import Erasure


def erase_identity(e: Erasure) -> None:
    if e.phash:
        ReachedPerson.objects.filter(organisation_id=e.org_id, phone_hash=e.phash).update(
            name_ciphertext="", phone_ciphertext="", phone_hash="", name_hash=""
        )
