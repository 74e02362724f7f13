"""Issue 15: reporters hear back without anyone pressing a button; coordinators can hold it."""

from __future__ import annotations

import pytest

from sauti.messaging.models import Channel, OutboundMessage
from sauti.monitoring.models import Case, Report
from tests.conftest import World
from tests.messaging.test_processing import Post, sms


def _case(dev_channel: Channel, post: Post) -> Case:
    sms(dev_channel, post, "Maji yamekatwa Mathare 4A tangu jana, watu 200 hawana maji", "1")
    case = Report.objects.get().case
    assert case is not None
    return case


def _move(world: World, case: Case, to: str, **extra: str) -> int:
    client = world.client_for(world.wanjiku)
    if case.status == "new":
        assert client.post(f"/cases/{case.pk}/status/", {"to_status": "triaged"}).status_code == 302
    data = {"to_status": to, "method": "photo", **extra}
    return client.post(f"/cases/{case.pk}/status/", data).status_code


def test_the_reporter_gets_an_sms_when_the_case_is_verified(
    world: World, dev_channel: Channel, post: Post
) -> None:
    case = _case(dev_channel, post)
    assert not OutboundMessage.objects.filter(purpose="case-status").exists()  # triage is not news
    assert _move(world, case, "verified") == 302
    message = OutboundMessage.objects.filter(purpose="case-status").get()
    assert Report.objects.get().reference in message.text and "HALI" in message.text


@pytest.mark.parametrize("sensitive", [False, True])
def test_the_coordinator_holds_it_and_sensitive_cases_are_held(
    world: World, dev_channel: Channel, post: Post, sensitive: bool
) -> None:
    case = _case(dev_channel, post)
    Case.objects.filter(pk=case.pk).update(is_sensitive=sensitive)
    case.refresh_from_db()
    extra = {} if sensitive else {"hold": "on"}
    assert _move(world, case, "verified", **extra) == 302
    assert not OutboundMessage.objects.filter(purpose="case-status").exists()


def test_the_thanks_page_says_how_to_follow_the_report(world: World) -> None:
    client = world.client_for(None)
    session = client.session
    session["sauti_last_report"] = {"reference": "R123", "organisation": "Umoja", "identified": True}
    session.save()
    page = client.get("/report/thanks/").content.decode()
    assert "HALI R123" in page
