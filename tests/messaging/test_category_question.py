"""When the reading is unsure of a report's category, the SMS flow asks the reporter to choose (numbered, in
their language); 0, a bad answer or silence keeps the best guess and the report goes on. Through the
real wire path: Africa's Talking callbacks posted to the webhook."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import count
from typing import Any

import pytest

from django.core.management import call_command
from django.utils import timezone

from sauti.conversations.models import SmsConversation
from sauti.messaging.models import Channel, InboundMessage, OutboundMessage
from sauti.monitoring.models import Report
from tests.conftest import World
from tests.messaging.fakes import FakeProvider, at_success

Post = Callable[..., Any]
PHONE = "+254791542222"
_ids = count(1)

# Both close calls on training rows of the labelled set's kind (the reading offers two categories).
SW_UNSURE = "Kanjo wa Mathare 4A wanachukua 200 kila siku kutoka kwa mama mboga bila risiti"
EN_UNSURE = "The borehole water in Mathare 4A is mixed with sewage, children are sick"
SURE = "Maji yamekatwa Mathare 4A tangu jana, watu 200 hawana maji"


@pytest.fixture
def send(at_channel: Channel, post: Post, fake_provider: FakeProvider) -> Callable[[str], str]:
    """Post one inbound SMS as Africa's Talking does; the reply Sauti sent back to it."""
    fake_provider.answer(201, at_success(PHONE))

    def _send(text: str) -> str:
        n = next(_ids)
        data = {
            "from": PHONE,
            "to": "21512",
            "text": text,
            "date": timezone.now().strftime("%Y-%m-%d %H:%M:%S"),
            "id": f"cat-{n}",
            "linkId": f"link-{n}",
            "networkCode": "63902",
        }
        assert post(f"/messaging/hooks/at/{at_channel.token}/incoming/", data).status_code == 200
        message = InboundMessage.objects.get(provider_id=f"cat-{n}")
        return "\n".join(o.text for o in OutboundMessage.objects.filter(in_reply_to=message).order_by("pk"))

    return _send


def numbered(reply: str) -> dict[str, str]:
    return {line.split(". ", 1)[0]: line.split(". ", 1)[1] for line in reply.splitlines()[1:] if ". " in line}


@pytest.mark.parametrize(
    ("text", "question", "offered", "pick", "chosen"),
    [
        (SW_UNSURE, "Ripoti yako inahusu nini? Jibu kwa namba:", {"Ufisadi", "Usalama, polisi"}, "Ufisadi",
         "corruption"),
        (EN_UNSURE, "What is your report about? Reply with the number:", {"Water", "Toilets, sewage, garbage"},
         "Water", "water"),
    ],
)  # fmt: skip
def test_an_unsure_category_is_asked_in_the_senders_language_and_the_choice_is_kept(
    world: World,
    send: Callable[[str], str],
    text: str,
    question: str,
    offered: set[str],
    pick: str,
    chosen: str,
) -> None:
    reply = send(text)
    assert question in reply, reply
    options = numbered(reply)
    assert set(options.values()) - {"Ruka", "Skip"} == offered and options["0"] in ("Ruka", "Skip")
    assert not Report.objects.exists()
    number = next(n for n, label in options.items() if label == pick)
    confirmation = send(number)
    report = Report.objects.get()
    assert report.reference in confirmation
    assert [c.key for c in report.categories.all()] == [chosen]
    assert report.category_source == "reporter"
    assert report.settlement is not None and report.settlement.name == "Mathare 4A"


@pytest.mark.parametrize("answer", ["0", "7", "99", "sijui", "hao ni kanjo wa kaunti wanakula pesa zetu"])
def test_skip_a_wrong_number_or_words_keep_the_best_guess_and_the_report_goes_on(
    world: World, send: Callable[[str], str], answer: str
) -> None:
    options = numbered(send(SW_UNSURE))
    guess = {"Ufisadi": "corruption", "Usalama, polisi": "security"}[options["1"]]
    confirmation = send(answer)
    report = Report.objects.get()
    assert report.reference in confirmation
    assert [c.key for c in report.categories.all()] == [guess]
    assert report.category_source == "reading"
    if len(answer.split()) > 3:  # more words about the problem are kept with it
        assert answer in report.description


def test_silence_keeps_the_best_guess(world: World, send: Callable[[str], str]) -> None:
    send(EN_UNSURE)
    SmsConversation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    call_command("expire_conversations", stdout=__import__("io").StringIO())
    report = Report.objects.get()
    assert report.categories.count() == 1 and report.category_source == "reading"


def test_a_sure_reading_is_not_asked(world: World, send: Callable[[str], str]) -> None:
    reply = send(SURE)
    report = Report.objects.get()
    assert report.reference in reply and "Ripoti yako inahusu" not in reply
    assert [c.key for c in report.categories.all()] == ["water"]
    assert report.category_source == "reading"


def test_a_category_named_by_keyword_is_the_reporters_and_not_asked(
    world: World, send: Callable[[str], str]
) -> None:
    reply = send("RIPOTI ufisadi Mathare 4A kanjo wanachukua 200 kila siku bila risiti")
    assert "inahusu nini" not in reply
    report = Report.objects.get()
    assert [c.key for c in report.categories.all()] == ["corruption"]
    assert report.category_source == "reporter"


def test_the_case_page_says_whether_the_category_was_chosen_or_guessed(
    world: World, send: Callable[[str], str]
) -> None:
    send(SW_UNSURE)
    send("0")
    report = Report.objects.get()
    assert report.case is not None
    page = world.client_for(world.wanjiku).get(f"/cases/{report.case.pk}/").content.decode()
    assert "guessed from the message" in page or "imekisiwa kutoka kwa ujumbe" in page
