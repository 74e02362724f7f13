"""Issue 15 walked through as its users meet it (review): defects found on the demo, each pinned by a test."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from sauti.monitoring.actions import ReportInput, do_submit_report
from tests.conftest import World


def _client(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


def test_a_monitors_home_lists_only_reports_whose_cases_the_monitor_may_open(world: World) -> None:
    today = timezone.localdate()
    here = do_submit_report(
        world.umoja,
        ReportInput(description="Kiosk closed", channel="web", occurred_on=today, submitted_by=world.otieno),
    )
    elsewhere = do_submit_report(
        world.haki,
        ReportInput(description="Road cut", channel="web", occurred_on=today, submitted_by=world.otieno),
    )
    c = _client(world.otieno)
    home = c.get("/").content.decode()
    assert f"/cases/{here.case_id}/" in home
    assert f"/cases/{elsewhere.case_id}/" not in home
    assert c.get(f"/cases/{here.case_id}/").status_code == 200
