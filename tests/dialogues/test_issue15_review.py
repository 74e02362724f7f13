"""Issue 15 walked through as its users meet it (review): defects found on the demo, each pinned by a test."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from sauti.dialogues import actions
from sauti.monitoring.actions import ReportInput, do_submit_report
from tests.conftest import World
from tests.dialogues.conftest import Dialogue
from tests.dialogues.test_views import frozen_round


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


def test_an_invitation_without_a_date_asks_the_official_to_propose_one(dia: Dialogue) -> None:
    """Review: the demo's waiting invitation had no date, so the official saw only "Or propose another
    date" (another than which?) and no way to accept."""
    w = dia.world
    inv = actions.do_draft_invitation(
        frozen_round(dia), w.wanjiku, office=dia.office, official_name="Chief Otieno", language="en"
    )
    actions.do_advance_invitation(inv, w.wanjiku)
    home = w.client_for(w.chief).get("/").content.decode()
    card = home[home.index(f'id="invitation-{inv.pk}"') :]
    card = card[: card.index("</article>")]
    assert "No date has been set yet: propose one." in card
    assert "another date" not in card and 'value="accept"' not in card
