"""The data migration turning the old free-text `attached_to` into programme/meeting links."""

from __future__ import annotations

import pytest

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

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
    # The model as of AFTER: later migrations may add columns the database does not have yet here.
    new = executor.loader.project_state(AFTER).apps.get_model("opinions", "Conversation")
    links = {c.title: (c.programme_id, c.meeting_id) for c in new.objects.all()}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest schema for the next tests
    assert links == {
        "programme": (dia.programme.pk, None),
        "meeting": (dia.programme.pk, dia.held.pk),
        "other org": (None, None),
        "missing": (None, None),
        "free text": (None, None),
        "empty": (None, None),
    }
