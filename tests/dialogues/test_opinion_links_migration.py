"""The data migration turning the old free-text `attached_to` into programme/meeting links."""

from __future__ import annotations

import pytest

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sauti.opinions.models import Conversation
from tests.dialogues.conftest import Dialogue

BEFORE = [("opinions", "0001_initial")]
AFTER = [("opinions", "0002_programme_meeting_links")]


@pytest.mark.django_db(transaction=True)
def test_attached_to_text_becomes_links(dia: Dialogue) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("opinions", "Conversation")
    umoja, haki = dia.world.umoja.pk, dia.world.haki.pk
    cases = {
        "programme": (umoja, f"dialogues.Programme:{dia.programme.pk}"),
        "meeting": (umoja, f" dialogues.Meeting:{dia.held.pk} "),
        "other org": (haki, f"dialogues.Programme:{dia.programme.pk}"),
        "missing": (umoja, "dialogues.Meeting:999999"),
        "free text": (umoja, "Mkutano wa Mabatini"),
        "empty": (umoja, ""),
    }
    for title, (org, text) in cases.items():
        old.objects.create(organisation_id=org, title=title, attached_to=text, public_code=title[:16])
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    links = {c.title: (c.programme_id, c.meeting_id) for c in Conversation.objects.all()}
    assert links == {
        "programme": (dia.programme.pk, None),
        "meeting": (dia.programme.pk, dia.held.pk),
        "other org": (None, None),
        "missing": (None, None),
        "free text": (None, None),
        "empty": (None, None),
    }
