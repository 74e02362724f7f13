"""What the SMS and USSD flows ask about the place, through Africa's Talking callbacks (issue 16 review items
4 and 9): an organisation working in one county is never asked the county; one working in several is
offered its own counties; a name typed instead of a number on the "which place?" list is said not to be
understood."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Any

import pytest

from sauti.messaging.models import Channel, OutboundMessage
from sauti.monitoring.models import Report
from sauti.places.models import County
from tests.conftest import World

Post = Callable[..., Any]
_ids = count(1)
PHONE = "+254791541113"


def sms(channel: Channel, post: Post, text: str) -> str:
    n = next(_ids)
    data = {"from": PHONE, "to": "21512", "text": text, "date": "2026-12-08 00:05:45", "id": f"x-{n}"}
    assert post(f"/messaging/hooks/at/{channel.token}/incoming/", data).status_code == 200
    return OutboundMessage.objects.order_by("-pk").values_list("text", flat=True)[0]


def ussd(channel: Channel, post: Post, text: str) -> str:
    """The screen after dialling and entering `text` ("1*2"), hop by hop as a phone does."""
    session = f"ATUid_{next(_ids)}"
    hops = text.split("*")
    for n in range(len(hops) + 1):
        data = {
            "sessionId": session,
            "serviceCode": "*384*1234#",
            "phoneNumber": PHONE,
            "text": "*".join(hops[:n]),
        }
        response = post(f"/messaging/hooks/at/{channel.token}/ussd/", data)
        assert response.status_code == 200
    return str(response.content.decode())


def working_in(world: World, *codes: int) -> None:
    world.umoja.area_counties.set(County.objects.filter(code__in=codes))


@pytest.mark.parametrize(
    ("text", "question"),
    [("No water from the taps all week, we buy from vendors", "Which ward in Nairobi? Name or number:"),
     ("Lango limefungwa siku nzima leo", "Wadi gani Nairobi? Jina au namba:")],
)  # fmt: skip
def test_sms_to_a_one_county_organisation_asks_the_ward_in_that_county(
    world: World, at_channel: Channel, post: Post, text: str, question: str
) -> None:
    working_in(world, 47)
    reply = sms(at_channel, post, text)
    assert question in reply, reply
    assert "Mombasa" not in reply and "county" not in reply.lower() and "kaunti" not in reply.lower()
    sms(at_channel, post, "Huruma")
    sms(at_channel, post, "0")  # no landmark
    report = Report.objects.get()
    assert report.ward is not None and report.ward.code == 1447 and report.county.code == 47  # type: ignore[union-attr]


def test_sms_skipping_the_ward_of_a_one_county_organisation_keeps_the_county(
    world: World, at_channel: Channel, post: Post
) -> None:
    working_in(world, 47)
    sms(at_channel, post, "No water from the taps all week, we buy from vendors")
    assert "Where exactly in Nairobi?" in sms(at_channel, post, "0")
    sms(at_channel, post, "0")
    report = Report.objects.get()
    assert report.ward is None and report.county is not None and report.county.code == 47


@pytest.mark.parametrize(
    ("text", "question"),
    [("No water from the taps all week, we buy from vendors", "Which county? Reply with the name or number:"),
     ("Lango limefungwa siku nzima leo", "Kaunti gani? Jibu kwa jina au namba:")],
)  # fmt: skip
def test_sms_to_a_two_county_organisation_lists_its_counties_only(
    world: World, at_channel: Channel, post: Post, text: str, question: str
) -> None:
    working_in(world, 47, 22)
    reply = sms(at_channel, post, text)
    assert question in reply
    lines = reply.splitlines()
    assert "1. Kiambu" in lines and "2. Nairobi" in lines and "3. Mombasa" not in reply
    assert not any(line.startswith("3.") or line.startswith("98.") for line in lines)
    # Any other county can still be named.
    assert "Mombasa" in sms(at_channel, post, "Mombasa")


def test_ussd_of_a_one_county_organisation_goes_from_the_problem_to_the_ward(
    world: World, at_channel: Channel, post: Post
) -> None:
    working_in(world, 47)
    screen = ussd(at_channel, post, "1*2")  # report, water
    assert screen.startswith("CON") and ("Ward?" in screen or "Wadi?" in screen), screen
    assert "Kaunti" not in screen and "County" not in screen
    back = ussd(at_channel, post, "1*2*0")  # back from the ward: the problem menu, not a one-line county menu
    assert "Kaunti" not in back and "County" not in back and "2." in back


def test_ussd_of_a_two_county_organisation_lists_its_counties_only(
    world: World, at_channel: Channel, post: Post
) -> None:
    working_in(world, 47, 22)
    screen = ussd(at_channel, post, "1*2")
    lines = screen.splitlines()
    assert "1. Kiambu" in lines and "2. Nairobi" in lines and "Mombasa" not in screen
    # Typed, another county is still found: its wards come next.
    assert "Changamwe" in ussd(at_channel, post, "1*2*Mombasa")


@pytest.mark.parametrize(
    ("text", "note", "question"),
    [("No water in Huruma since yesterday", "Sorry, we could not find Kasarani. Reply with a number:",
      "Several places"),
     ("Maji yamekatwa Huruma tangu jana", "Samahani, hatukupata Kasarani. Jibu kwa nambari:",
      "Mahali kadhaa")],
)  # fmt: skip
def test_sms_a_name_instead_of_a_number_on_the_place_list_is_said_not_to_be_found(
    world: World, at_channel: Channel, post: Post, text: str, note: str, question: str
) -> None:
    working_in(world, 22)  # Kiambu: both Hurumas are outside the area, so the sender is asked
    first = sms(at_channel, post, text)
    assert question in first
    options = [line for line in first.splitlines() if line[:2] in ("1.", "2.")]
    again = sms(at_channel, post, "Kasarani")
    assert again.startswith(note), again
    assert all(option in again for option in options) and "0. " in again
    assert len(again) <= 160
    assert not Report.objects.exists()
