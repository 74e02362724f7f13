"""Facilitator pages, the public voting page (no account) and the report, through the test client."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from sauti.opinions.actions import do_recompute
from sauti.opinions.models import Analysis, Conversation, Moderation, Participant, Statement, Vote
from tests.conftest import World


def test_coordinator_creates_a_conversation_and_seeds_statements(world: World) -> None:
    client = world.client_for(world.wanjiku)
    response = client.post(
        "/opinions/new/",
        {"organisation": "umoja", "title": "  Water in Mabatini ", "allow_submissions": "on"},
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/opinions/{conversation.pk}/"
    assert conversation.title == "Water in Mabatini" and conversation.organisation == world.umoja
    assert conversation.allow_submissions
    response = client.post(
        f"/opinions/{conversation.pk}/statements/",
        {"text_sw": "Maji yaje kila siku", "text_en": "Water daily"},
    )
    assert response.status_code == 302
    statement = conversation.statements.get()
    assert (statement.number, statement.moderation, statement.is_seed) == (0, Moderation.ACCEPTED, True)
    page = client.get(f"/opinions/{conversation.pk}/").content.decode()
    assert "Maji yaje kila siku" in page and f"/o/{conversation.public_code}/" in page


def test_bad_facilitator_input_is_a_400_with_a_reason(world: World, conversation: Conversation) -> None:
    client = world.client_for(world.wanjiku)
    response = client.post("/opinions/new/", {"organisation": "umoja", "title": "   "})
    assert response.status_code == 400 and "Give the conversation a title." in response.content.decode()
    response = client.post("/opinions/new/", {"organisation": "haki", "title": "x"})
    assert response.status_code == 400 and "Choose one of your organisations." in response.content.decode()
    response = client.post(f"/opinions/{conversation.pk}/statements/", {"text_sw": " ", "text_en": ""})
    assert response.status_code == 400 and "Write the statement" in response.content.decode()
    response = client.post(f"/opinions/{conversation.pk}/statements/", {"text_en": "x" * 281})
    assert response.status_code == 400 and "at most 280 characters" in response.content.decode()
    response = client.post(f"/opinions/{conversation.pk}/statements/0/moderate/", {"decision": "maybe"})
    assert response.status_code == 400 and "Unknown moderation decision." in response.content.decode()
    assert (
        client.post(f"/opinions/{conversation.pk}/statements/99/moderate/", {"decision": "meta"}).status_code
        == 404
    )


def ticket(client: Client, conversation: Conversation) -> dict[str, str]:
    """The join ticket of the vote page, as a browser sends it back with its first vote."""
    page = client.get(f"/o/{conversation.public_code}/").content.decode()
    found = re.search(r'name="ticket" value="([^"]+)"', page)
    assert found is not None
    return {"ticket": found.group(1)}


def test_public_voting_without_an_account(conversation: Conversation) -> None:
    client = Client(headers={"Accept-Language": "sw"})
    page = client.get(f"/o/{conversation.public_code}/")
    assert page.status_code == 200
    assert "Maji ya bomba yafike kila ploti." in page.content.decode()
    assert (
        "Piped water should reach every plot."
        in Client().get(f"/o/{conversation.public_code}/").content.decode()
    )
    assert Participant.objects.count() == 0  # visiting alone creates nobody

    response = client.post(
        f"/o/{conversation.public_code}/vote/",
        {"statement": "0", "vote": "1", **ticket(client, conversation)},
    )
    assert response.status_code == 302
    participant = Participant.objects.get()
    assert client.cookies[f"sauti_op_{conversation.public_code}"].value == participant.token
    assert (
        "Polisi wa jamii wanasaidia usalama."
        in client.get(f"/o/{conversation.public_code}/").content.decode()
    )
    assert participant.language == "sw"

    # A changed mind is a new row; the latest counts.
    client.post(f"/o/{conversation.public_code}/vote/", {"statement": "0", "vote": "-1"})
    assert list(Vote.objects.values_list("value", flat=True)) == [1, -1]
    assert Participant.objects.count() == 1


def test_voting_with_htmx_returns_the_next_card_only(conversation: Conversation) -> None:
    client = Client()
    response = client.post(
        f"/o/{conversation.public_code}/vote/",
        {"statement": "0", "vote": "0", **ticket(client, conversation)},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert (
        response.status_code == 200 and "<!doctype" not in body and "Community police help security." in body
    )
    assert "7 statements left" in body
    assert f"sauti_op_{conversation.public_code}" in response.cookies


def test_bad_votes_are_400s_with_a_reason(conversation: Conversation) -> None:
    client = Client()
    url = f"/o/{conversation.public_code}/vote/"
    t = ticket(client, conversation)
    response = client.post(url, {"statement": "0", "vote": "5", **t})
    assert response.status_code == 400 and "A vote is agree, disagree or pass." in response.content.decode()
    response = client.post(url, {"statement": "zero", "vote": "1", **t})
    assert response.status_code == 400
    response = client.post(url, {"statement": "42", "vote": "1", **t})
    assert response.status_code == 400 and "That statement does not exist." in response.content.decode()
    Statement.objects.filter(conversation=conversation, number=1).update(moderation=Moderation.REJECTED)
    response = client.post(url, {"statement": "1", "vote": "1", **t})
    assert response.status_code == 400 and "not open for votes" in response.content.decode()
    Conversation.objects.filter(pk=conversation.pk).update(is_open=False)
    response = client.post(url, {"statement": "0", "vote": "1", **t})
    assert response.status_code == 400 and "This conversation is closed." in response.content.decode()
    assert Vote.objects.count() == 0
    assert client.get("/o/nosuchcode/").status_code == 404


def test_participants_submit_statements_that_wait_for_moderation(
    world: World, conversation: Conversation
) -> None:
    client = Client(headers={"Accept-Language": "sw"})
    url = f"/o/{conversation.public_code}/statement/"
    response = client.post(url, {"text": "Tujenge choo cha umma sokoni.", **ticket(client, conversation)})
    with translation.override("sw"):
        thanks = gettext("Thank you. Your statement will appear once a moderator accepts it.")
    assert response.status_code == 200 and thanks in response.content.decode()
    submitted = Statement.objects.get(text_sw="Tujenge choo cha umma sokoni.")
    assert submitted.moderation == Moderation.PENDING and submitted.author is not None
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "spam", "website": "http://x"}).status_code == 400

    facilitator = world.client_for(world.wanjiku)
    assert "Tujenge choo" in facilitator.get(f"/opinions/{conversation.pk}/").content.decode()
    facilitator.post(
        f"/opinions/{conversation.pk}/statements/{submitted.number}/moderate/", {"decision": "accepted"}
    )
    submitted.refresh_from_db()
    assert submitted.moderation == Moderation.ACCEPTED

    Conversation.objects.filter(pk=conversation.pk).update(allow_submissions=False)
    response = client.post(url, {"text": "Another one"})
    with translation.override("sw"):
        refused = gettext("This conversation does not take new statements.")
    assert response.status_code == 400 and refused in response.content.decode()


def test_report_before_enough_votes_says_so(world: World, conversation: Conversation) -> None:
    client = world.client_for(world.kamau)
    page = client.get(f"/opinions/{conversation.pk}/report/")
    assert page.status_code == 200 and "Not enough data yet for an opinion map" in page.content.decode()
    voter = Client()
    voter.post(
        f"/o/{conversation.public_code}/vote/", {"statement": "0", "vote": "1", **ticket(voter, conversation)}
    )
    do_recompute(conversation, force=True)
    assert "only one participant" in Analysis.objects.get().error
    pdf = client.get(f"/opinions/{conversation.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_report_shows_the_map_groups_and_common_ground(world: World, analysed: Conversation) -> None:
    client = world.client_for(world.chief)  # officials see aggregates, never who voted
    page = client.get(f"/opinions/{analysed.pk}/report/").content.decode()
    assert "<svg" in page and "<circle" in page and "<polygon" in page
    assert "Group A: 20 people" in page and "Group B: 20 people" in page
    result = Analysis.objects.get().result
    assert result["consensus"]["agree"][0] == 5  # everyone agrees with statement 5
    assert "Rubbish should be collected every week." in page.split("Common ground")[1]
    assert "Where the groups differ most" in page
    assert "opinions/opinions.css" in page
    css = (Path(__file__).resolve().parents[2] / "sauti/opinions/static/opinions/opinions.css").read_text()
    assert "@media print" in css and ".no-print" in css
    pdf = client.get(f"/opinions/{analysed.pk}/report.pdf")
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )
    assert len(pdf.content) > 2000


def test_report_in_kiswahili(world: World, analysed: Conversation) -> None:
    world.kamau.preferred_language = "sw"
    world.kamau.save()
    client = world.client_for(world.kamau)
    page = client.get(f"/opinions/{analysed.pk}/report/", headers={"Accept-Language": "sw"}).content.decode()
    assert "Takataka zizolewe kila wiki." in page


def test_recompute_button_and_list(world: World, analysed: Conversation) -> None:
    client = world.client_for(world.wanjiku)
    assert client.post(f"/opinions/{analysed.pk}/recompute/").status_code == 302
    listing = client.get("/opinions/").content.decode()
    assert "Mabatini priorities" in listing and "/opinions/new/" in listing
    assert "/opinions/new/" not in world.client_for(world.kamau).get("/opinions/").content.decode()


def test_a_client_without_cookies_cannot_vote_again_and_again(conversation: Conversation) -> None:
    """Issue 14: every cookie-less POST used to be a new participant, so one script voted without limit."""
    from django.core.cache import cache

    cache.clear()
    url = f"/o/{conversation.public_code}/vote/"
    assert Client().post(url, {"statement": "0", "vote": "1"}).status_code == 400  # no ticket, no vote
    t = ticket(Client(), conversation)
    for _ in range(5):  # the same page's ticket, replayed without the cookie: one participant
        assert Client().post(url, {"statement": "0", "vote": "1", **t}).status_code == 302
    assert Participant.objects.count() == 1
    forged = {"ticket": t["ticket"][:-3] + "abc"}
    assert Client().post(url, {"statement": "0", "vote": "1", **forged}).status_code == 400
    from sauti.opinions.views import JOINS_PER_ADDRESS_PER_HOUR

    for _ in range(JOINS_PER_ADDRESS_PER_HOUR + 3):  # fresh pages: new participants, up to the cap
        Client().post(url, {"statement": "0", "vote": "1", **ticket(Client(), conversation)})
    assert Participant.objects.count() == JOINS_PER_ADDRESS_PER_HOUR
