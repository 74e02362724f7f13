"""Votes enqueue a recompute on commit; the task skips when an analysis newer than the last vote exists."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
import time_machine

from django.core.management import CommandError, call_command

from sauti.opinions.actions import do_join, do_moderate, do_recompute, do_vote
from sauti.opinions.models import Analysis, Conversation, Moderation, Statement, Vote
from sauti.opinions.tasks import recompute_analysis

from .conftest import populate
from .polisdata import MATH, OPEN


def test_a_vote_enqueues_a_recompute_on_commit(
    conversation: Conversation, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    populate(conversation, n=30)
    participant = do_join(conversation)
    statement = conversation.statements.get(number=0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        do_vote(participant, statement, Vote.AGREE)
    assert len(callbacks) == 1
    analysis = Analysis.objects.get(conversation=conversation)  # the immediate backend ran the task
    assert analysis.result["participants"] == 31 and analysis.error == ""


def test_recompute_is_skipped_when_the_analysis_is_newer_than_the_last_vote(
    conversation: Conversation,
) -> None:
    populate(conversation, n=30)
    participant = do_join(conversation)
    with time_machine.travel("2026-03-01 10:00:00Z", tick=False):
        do_vote(participant, conversation.statements.get(number=0), Vote.AGREE)
    with time_machine.travel("2026-03-01 10:00:05Z", tick=False):
        assert recompute_analysis.call(conversation.pk) is True
        conversation.refresh_from_db()
        assert recompute_analysis.call(conversation.pk) is False  # nothing new: skipped
    with time_machine.travel("2026-03-01 10:01:00Z", tick=False):
        do_vote(participant, conversation.statements.get(number=1), Vote.DISAGREE)
        conversation.refresh_from_db()
        assert recompute_analysis.call(conversation.pk) is True
        conversation.refresh_from_db()
        # Moderation changes what is analysed, so it counts as new even without votes.
        do_moderate(conversation.statements.get(number=2), Moderation.REJECTED)
        assert recompute_analysis.call(conversation.pk) is True
    assert 2 in Analysis.objects.get().result["mod_out"]
    assert recompute_analysis.call(987654) is False


def test_votes_are_append_only(conversation: Conversation) -> None:
    participant = do_join(conversation)
    vote = do_vote(participant, conversation.statements.get(number=0), Vote.AGREE)
    vote.value = Vote.DISAGREE
    with pytest.raises(ValueError, match="append-only"):
        vote.save()


def test_in_conversation_membership_is_sticky(conversation: Conversation) -> None:
    populate(conversation, n=30)
    first = do_recompute(conversation, force=True)
    assert first is not None
    before = set(first.result["in_conv"])
    # New statements raise nobody's vote count but the threshold stays 7: all stay in.
    assert len(before) == 30
    again = do_recompute(conversation, force=True)
    assert again is not None and set(again.result["in_conv"]) >= before


def test_import_an_opendata_folder(world: Any) -> None:
    out = StringIO()
    call_command("opinions", "import", str(OPEN / "london.youth.policing"), "--org", "umoja", stdout=out)
    conversation = Conversation.objects.get()
    assert conversation.organisation == world.umoja and conversation.groups_hint == 3
    assert conversation.participants.count() == 26
    assert conversation.statements.count() == 39
    assert conversation.votes.count() == 638  # the latest vote per participant and statement
    assert "votes: 638 / 638" in out.getvalue()
    analysis = Analysis.objects.get(conversation=conversation)
    assert len(analysis.result["group_sizes"]) == 3
    rejected = set(Statement.objects.filter(moderation=Moderation.REJECTED).values_list("number", flat=True))
    assert rejected and rejected <= set(analysis.result["mod_out"])


def test_import_an_api_json_folder_gives_the_same_analysis_as_analyze(world: Any) -> None:
    call_command(
        "opinions",
        "import",
        str(MATH / "below-100-ptpts"),
        "--org",
        "umoja",
        "--title",
        "Polis test",
        stdout=StringIO(),
    )
    conversation = Conversation.objects.get()
    assert conversation.title == "Polis test"
    stored = Analysis.objects.get().result
    out = StringIO()
    call_command("opinions", "analyze", str(MATH / "below-100-ptpts"), "--json", stdout=out)
    import json

    direct = json.loads(out.getvalue())
    assert stored["consensus"] == direct["consensus"] and stored["in_conv"] == direct["in_conv"]
    assert stored["groups"] == direct["groups"]


def test_import_errors(world: Any, tmp_path: Any) -> None:
    with pytest.raises(CommandError, match="no organisation with the slug nope"):
        call_command("opinions", "import", str(OPEN / "london.youth.policing"), "--org", "nope")
    (tmp_path / "votes.json").write_text('[{"pid": 1, "tid": 1, "vote": 9}]')
    with pytest.raises(CommandError, match="not one of -1, 0, 1"):
        call_command("opinions", "import", str(tmp_path), "--org", "umoja")
    assert not Conversation.objects.exists()


def test_demo_opinion_map(db: None) -> None:
    import random

    from sauti.opinions.demo import TITLE, build_demo_opinions
    from sauti.people.models import Organisation

    Organisation.objects.create(name="Haki Mtaani (demo)", slug="haki-mtaani-demo", is_demo=True)
    build_demo_opinions(random.Random(3), log=lambda _m: None)
    build_demo_opinions(random.Random(3), log=lambda _m: None)  # idempotent
    conversation = Conversation.objects.get(title=TITLE)
    analysis = Analysis.objects.get(conversation=conversation)
    assert analysis.error == "" and len(analysis.result["group_sizes"]) >= 2
    assert conversation.statements.filter(moderation=Moderation.PENDING).count() == 1
