"""Stable opinion maps: updates start from the stored map, the same votes change nothing, a facilitator freezes
the map shown at a meeting, and an import replays Polis' history."""

from __future__ import annotations

import random
from collections.abc import Callable
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.urls import reverse

from sauti.opinions.actions import do_join, do_recompute, do_vote
from sauti.opinions.models import Analysis, Conversation, Vote
from tests.conftest import World

from .conftest import populate
from .polisdata import MATH, math_blob


def test_recompute_without_new_votes_changes_nothing(conversation: Conversation) -> None:
    populate(conversation, n=40)
    first = do_recompute(conversation, force=True)
    assert first is not None and first.result["state"]["base_ids"]
    before = dict(first.result)
    again = do_recompute(conversation, force=True)
    assert again is not None and again.result == before


def test_an_update_starts_from_the_stored_map_and_keeps_the_groups(conversation: Conversation) -> None:
    populate(conversation, n=40)
    before = do_recompute(conversation, force=True)
    assert before is not None
    groups_before = before.result["groups"]
    rng = random.Random(3)
    newcomer = do_join(conversation)
    for statement in conversation.statements.all():
        do_vote(newcomer, statement, rng.choice((Vote.AGREE, Vote.DISAGREE)))
    after = do_recompute(conversation, force=True)
    assert after is not None
    assert after.result["fingerprint"] != before.result["fingerprint"]
    moved = [p for p, g in groups_before.items() if after.result["groups"][p] != g]
    assert moved == []  # the two camps keep their group numbers
    assert set(before.result["in_conv"]) <= set(after.result["in_conv"])


def test_a_frozen_map_stays_as_shown_until_unfrozen(
    world: World, conversation: Conversation, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    populate(conversation, n=30)
    do_recompute(conversation, force=True)
    shown = Analysis.objects.get().result
    client = world.client_for(world.wanjiku)
    response = client.post(reverse("opinions:freeze", args=[conversation.pk]), {"frozen": "on"})
    assert response.status_code == 302
    assert Conversation.objects.get(pk=conversation.pk).map_frozen
    conversation.refresh_from_db()
    late = do_join(conversation)
    do_vote(late, conversation.statements.get(number=0), Vote.AGREE)
    assert do_recompute(conversation, force=True) is None
    assert Analysis.objects.get().result == shown
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("opinions:freeze", args=[conversation.pk]), {})
    assert not Conversation.objects.get(pk=conversation.pk).map_frozen
    assert Analysis.objects.get().result["participants"] == 31  # brought up to date on unfreezing


def test_only_facilitators_freeze(world: World, conversation: Conversation) -> None:
    response = world.client_for(None).post(
        reverse("opinions:freeze", args=[conversation.pk]), {"frozen": "on"}
    )
    assert response.status_code == 302 and "/login" in response["Location"]
    conversation.refresh_from_db()
    assert not conversation.map_frozen


def test_import_replays_polis_history(world: Any) -> None:
    call_command("opinions", "import", str(MATH / "below-100-ptpts"), "--org", "umoja", stdout=StringIO())
    conversation = Conversation.objects.get()
    stored = Analysis.objects.get(conversation=conversation).result
    # Participants 5, 10, 11 and 14 now have fewer than 7 votes: only the replayed history keeps them in.
    assert set(stored["in_conv"]) == set(math_blob("below-100-ptpts")["in-conv"])
    assert do_recompute(conversation, force=True) is not None
    assert Analysis.objects.get().result == stored  # same votes: the replayed map stands


def test_a_new_vote_patches_the_kept_live_map(conversation: Conversation, monkeypatch: Any) -> None:
    from sauti.opinions import actions

    populate(conversation, n=40)
    before = do_recompute(conversation, force=True)
    assert before is not None
    newcomer = do_join(conversation)
    statements = list(conversation.statements.all())
    do_vote(newcomer, statements[0], Vote.AGREE)

    def no_full_run(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a full run was made")

    monkeypatch.setattr(actions, "conversation_votes", no_full_run)
    patched = do_recompute(conversation, force=True)
    assert patched is not None and patched.result["participants"] == 41
    assert patched.result["groups"] == {**before.result["groups"], str(newcomer.number): None}
    monkeypatch.undo()
    actions.LIVE.clear()
    Analysis.objects.filter(pk=patched.pk).update(result=before.result)  # the same update, run in full
    full = do_recompute(conversation, force=True)
    assert full is not None and full.result["groups"] == patched.result["groups"]
    assert full.result["repness"] == patched.result["repness"]
