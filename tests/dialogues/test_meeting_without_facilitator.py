"""A meeting whose facilitator was removed (SET_NULL) still shows (review of issue 16: a template filter's
argument is resolved strictly, so `|default:meeting.facilitator.username` raised on None)."""

from __future__ import annotations

import datetime as dt

import pytest

from sauti.dialogues import actions
from tests.dialogues.conftest import Dialogue, future


@pytest.mark.parametrize("language", ["en", "sw"])
def test_a_meeting_without_a_facilitator_shows(dia: Dialogue, language: str) -> None:
    w = dia.world
    meeting = actions.do_schedule_meeting(
        dia.programme,
        w.wanjiku,
        kind="dialogue",
        title="No facilitator",
        starts_at=future(3),
        ends_at=future(3) + dt.timedelta(hours=2),
    )
    meeting.facilitator = None
    meeting.save(update_fields=["facilitator"])
    client = w.client_for(w.wanjiku)
    client.cookies["sauti_language"] = language
    page = client.get(f"/dialogues/meetings/{meeting.pk}/")
    assert page.status_code == 200
    assert "No facilitator" in page.content.decode()
