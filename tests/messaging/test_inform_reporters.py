"""A coordinator sends a case's reporters its status by SMS (issue 3: "reporter can be sent a status update")."""

from __future__ import annotations

from django.utils import translation

from sauti.messaging.models import Channel, OutboundMessage
from sauti.monitoring.models import CaseEvent, Report
from tests.conftest import World
from tests.messaging.test_processing import Post, sms


def test_reporters_get_the_case_status_in_their_language(
    world: World, dev_channel: Channel, post: Post
) -> None:
    sms(dev_channel, post, "Maji yamekatwa Mathare 4A tangu jana, watu 200 hawana maji", "1")
    report = Report.objects.get()
    case = report.case
    assert case is not None
    page = world.client_for(world.wanjiku).get(f"/cases/{case.pk}/")
    assert f"/cases/{case.pk}/inform/" in page.content.decode()
    response = world.client_for(world.wanjiku).post(f"/cases/{case.pk}/inform/", follow=True)
    assert response.status_code == 200
    message = OutboundMessage.objects.filter(purpose="case-status").get()
    with translation.override("sw"):
        status = case.get_status_display()
    assert report.reference in message.text and status in message.text
    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.MESSAGE).get()
    assert "1" in event.reason and "+2547" not in event.reason  # counts, never numbers


def test_a_case_without_reachable_reporters_is_a_clear_400(world: World, dev_channel: Channel) -> None:
    from sauti.monitoring.actions import ReportInput, do_submit_report

    report = do_submit_report(world.umoja, ReportInput(description="Anonymous web report", channel="web"))
    assert report.case is not None
    response = world.client_for(world.wanjiku).post(f"/cases/{report.case.pk}/inform/")
    assert response.status_code == 400 and "No reporter" in response.content.decode()
    assert not OutboundMessage.objects.exists()


def test_officials_and_other_organisations_cannot_send(
    world: World, dev_channel: Channel, post: Post
) -> None:
    sms(dev_channel, post, "Maji yamekatwa Mathare 4A tangu jana", "1")
    case = Report.objects.get().case
    assert case is not None
    assert world.client_for(world.bob).post(f"/cases/{case.pk}/inform/").status_code == 404
    assert world.client_for(world.kamau).post(f"/cases/{case.pk}/inform/").status_code == 403
    assert world.client_for(None).post(f"/cases/{case.pk}/inform/").status_code == 302
    assert not OutboundMessage.objects.filter(purpose="case-status").exists()
