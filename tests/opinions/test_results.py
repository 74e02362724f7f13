"""Participants see where they stand (web and SMS) when the facilitator opens results; the meeting's report
refreshes by htmx without reloading the page."""

from __future__ import annotations

from django.test import Client

from sauti.messaging.segments import segment_count
from sauti.opinions.actions import do_join, do_recompute
from sauti.opinions.models import Analysis, Conversation, Participant
from sauti.opinions.sms import answers_a_statement, reply_to
from tests.conftest import World
from tests.opinions.test_web import ticket


def _vote_everything(client: Client, conversation: Conversation, camp: int) -> Participant:
    first = ticket(client, conversation)  # as a browser does: the vote page first, its join ticket back
    for statement in conversation.statements.all():
        likes = statement.number % 2 == camp or statement.number == 5
        client.post(
            f"/o/{conversation.public_code}/vote/",
            {"statement": statement.number, "vote": 1 if likes else -1, **first},
        )
    return Participant.objects.order_by("-pk").first()  # type: ignore[return-value]


def test_results_hidden_until_the_vote_closes_by_default(analysed: Conversation) -> None:
    client = Client(headers={"Accept-Language": "en"})
    _vote_everything(client, analysed, camp=0)
    page = client.get(f"/o/{analysed.public_code}/results/").content.decode()
    assert "The results will be shown once the vote is closed." in page
    assert "See where you stand" not in client.get(f"/o/{analysed.public_code}/").content.decode()
    analysed.is_open = False
    analysed.save()
    do_recompute(analysed, force=True)
    page = client.get(f"/o/{analysed.public_code}/results/").content.decode()
    assert "Where you stand" in page and "opinion-map" in page


def test_a_participant_sees_their_group_position_and_common_ground_in_their_language(
    world: World, analysed: Conversation
) -> None:
    staff = world.client_for(world.wanjiku)
    response = staff.post(f"/opinions/{analysed.pk}/results-open/", {"when": "during"})
    assert response.status_code == 302
    client = Client(headers={"Accept-Language": "sw"})
    participant = _vote_everything(client, analysed, camp=0)
    assert "/results/" in client.get(f"/o/{analysed.public_code}/").content.decode()
    do_recompute(analysed, force=True)
    groups = Analysis.objects.get().result["groups"]
    page = client.get(f"/o/{analysed.public_code}/results/").content.decode()
    assert groups[str(participant.number)] is not None
    assert "Kura zako zinakuweka katika kundi" in page
    assert 'class="you"' in page
    assert "Maji ya bomba yafike kila ploti." in page  # what camp 0 agrees on, in Kiswahili
    assert "Vijana wapewe kazi za mtaa kwanza." in page  # what everyone agrees on
    # Nobody else's identity: no participant number, token or other person's point.
    others = Participant.objects.exclude(pk=participant.pk)
    for other in others[:10]:
        assert other.token not in page
    assert page.count('class="you"') == 1


def test_bad_results_setting_is_a_400(world: World, analysed: Conversation) -> None:
    response = world.client_for(world.wanjiku).post(f"/opinions/{analysed.pk}/results-open/", {"when": "x"})
    assert (
        response.status_code == 400
        and "Choose when participants see the results." in response.content.decode()
    )
    assert Client().post(f"/opinions/{analysed.pk}/results-open/", {"when": "during"}).status_code == 302


def test_sms_results_summary(analysed: Conversation) -> None:
    participant = Participant.objects.filter(conversation=analysed, language="en").first()
    assert participant is not None
    assert answers_a_statement("matokeo!") and answers_a_statement("Results")
    out = reply_to(participant, "RESULTS")
    assert out == ["The results will be sent once the vote is closed. Thank you for taking part."]
    analysed.results_open = Conversation.Results.DURING
    analysed.save()
    participant = Participant.objects.get(pk=participant.pk)
    out = reply_to(participant, "results")
    assert out[0].startswith("Results: 2 opinion groups (A 20, B 20). You are in group")
    assert any(m.startswith("All groups agree") for m in out)
    assert all(segment_count(m) == 1 for m in out)
    sw = do_join(analysed, channel=Participant.Channel.SMS, language="sw")
    assert reply_to(sw, "MATOKEO")[0].startswith("Matokeo:")


def test_meeting_report_refreshes_only_when_the_map_changed(world: World, analysed: Conversation) -> None:
    client = world.client_for(world.wanjiku)
    page = client.get(f"/opinions/{analysed.pk}/report/").content.decode()
    assert 'hx-trigger="every 20s"' in page
    since = page.split("?since=")[1].split('"')[0]
    live = client.get(f"/opinions/{analysed.pk}/report/live/?since={since}")
    assert live.status_code == 204
    fresh = client.get(f"/opinions/{analysed.pk}/report/live/?since=old")
    assert fresh.status_code == 200 and "<html" not in fresh.content.decode()
    assert "opinion-map" in fresh.content.decode()
    assert Client().get(f"/opinions/{analysed.pk}/report/live/").status_code == 302
