"""Issue 15, "Reporters hear back": the status page opened with a reference and its secret, and "Is it fixed?"."""

from __future__ import annotations

import datetime as dt
import re
from itertools import count

import pytest

from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from sauti.conversations.actions import do_handle_sms
from sauti.messaging.models import Channel, ChannelKind, OutboundMessage
from sauti.monitoring.actions import do_transition
from sauti.monitoring.models import Case, CaseEvent, FixAnswer, Report, StatusKey
from sauti.monitoring.reporters import do_ask_if_fixed, do_keep_resolved, needs_decision, parse_fixed
from sauti.people.models import Office
from tests.conftest import World

PHONE = "+254711000333"
_ids = count(9000)


def sms(world: World, text: str, phone: str = PHONE) -> list[str]:
    return do_handle_sms(
        organisation=world.umoja, phone=phone, text=text, received_at=timezone.now(), inbound_id=next(_ids)
    )


def web_report(client: Client, *, phone: str = "", name: str = "") -> tuple[str, str]:
    data = {
        "org": "umoja",
        "description": "Maji yamekatwa Mathare 4A, Mama Wanjiru 0722 111 222 alisema",
        "place_text": "Mathare 4A",
        "category": "water",
    }
    if phone:
        data |= {"reporter_name": name, "reporter_phone": phone, "consent": "on"}
    response = client.post("/report/?org=umoja", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get("/report/thanks/").content.decode()
    ref = re.search(r'id="reference">(R\d+)<', page)
    key = re.search(r'id="status-key">([A-Z0-9]{6})<', page)
    assert ref and key, page
    assert "HALI " + ref.group(1) in page and "/report/status/" in page
    return ref.group(1), key.group(1)


def test_the_thanks_page_gives_a_code_that_opens_the_status_page_without_identities(world: World) -> None:
    client = Client()
    ref, key = web_report(client, phone="0722111222", name="Mama Wanjiru")
    report = Report.objects.get(pk=int(ref[1:]))
    assert key not in StatusKey.objects.get(report=report).key_hash  # only a keyed hash is kept
    page = Client().post("/report/status/", {"reference": ref.lower(), "key": key.lower()})
    assert page.status_code == 200
    html = page.content.decode()
    assert ref in html and 'id="case-status"' in html and "Mathare" in html
    assert "0722" not in html and "Wanjiru" not in html  # redacted text, no phone, no name
    assert report.reporter is not None and report.reporter.pseudonym not in html
    assert "wanjiku" not in html.lower()  # no staff names


def test_a_wrong_pair_and_an_unknown_reference_get_the_same_404_and_guessing_is_throttled(
    world: World,
) -> None:
    ref, key = web_report(Client())
    client = Client()
    wrong = client.post("/report/status/", {"reference": ref, "key": "AAAAAA"})
    unknown = client.post("/report/status/", {"reference": "R999999", "key": key})
    assert wrong.status_code == unknown.status_code == 404
    message = "We found no report with this reference and code."
    assert message in wrong.content.decode() and message in unknown.content.decode()
    assert client.post("/report/status/", {"reference": "", "key": ""}).status_code == 400
    with override_settings(SAUTI_THROTTLE_STATUS=2):
        statuses = [
            client.post("/report/status/", {"reference": ref, "key": "BBBBBB"}).status_code for _ in range(3)
        ]
        right = client.post("/report/status/", {"reference": ref, "key": key}, HTTP_ACCEPT_LANGUAGE="sw")
    assert statuses[-1] == 429 and right.status_code == 429  # even the right code, once past the limit
    assert "Majaribio mengi mno" in right.content.decode()


def test_the_status_page_answers_in_kiswahili_and_works_without_a_case_change(world: World) -> None:
    ref, key = web_report(Client())
    client = Client()
    client.cookies["sauti_language"] = "sw"
    html = client.post("/report/status/", {"reference": ref, "key": key}).content.decode()
    assert "Ripoti yako " + ref in html


@pytest.fixture
def resolved(world: World) -> Case:
    Channel.objects.create(organisation=world.umoja, kind=ChannelKind.DEV, name="Dev", address="SIM")
    sms(world, "Maji yamekatwa Mathare 4A tangu jana, watu 200 hawana maji")
    case = Report.objects.get().case
    assert case is not None
    for status, extra in (
        ("triaged", {}),
        ("verified", {"method": "site_visit"}),
        ("referred", {"referred_to": Office.objects.get(name="Chief, Mabatini")}),
        ("resolved", {}),
    ):
        do_transition(case, status, world.wanjiku, **extra)
    return case


def test_reporters_are_asked_once_a_day_after_resolution_and_a_no_awaits_the_coordinator(
    world: World, resolved: Case
) -> None:
    assert do_ask_if_fixed() == 0  # not yet a day
    later = timezone.now() + dt.timedelta(days=1, hours=1)
    assert do_ask_if_fixed(later) == 1
    assert do_ask_if_fixed(later) == 0  # never asked twice
    asked = OutboundMessage.objects.filter(purpose="fixed").get()
    assert "Je, imerekebishwa? Jibu 1 ndiyo / 2 hapana" in asked.text  # in the reporter's language
    assert sms(world, "2") == []  # an answer, not a new report
    answer = FixAnswer.objects.get()
    assert (answer.answer, answer.channel) == ("no", "sms")
    assert list(needs_decision(Case.objects.all())) == [resolved]
    assert Report.objects.count() == 1
    assert (
        "Asante. Mratibu ataiangalia ripoti"
        in OutboundMessage.objects.filter(purpose="fixed-reply").get().text
    )
    # A later unrelated SMS is a new report.
    sms(world, "Nyumba zimebomolewa usiku Mabatini")
    assert Report.objects.count() == 2
    # The coordinator sees it on the home page and the case page, with the counts.
    client = Client()
    client.force_login(world.wanjiku)
    home = client.get("/").content.decode()
    assert 'id="n-not-fixed">1<' in home
    page = client.get(f"/cases/{resolved.pk}/").content.decode()
    assert 'id="fix-state"' in page and "0 fixed, 1 not fixed, of 1 asked" in page
    # Keeping it resolved needs a reason, and settles it.
    assert client.post(f"/cases/{resolved.pk}/fixed/keep/", {"reason": ""}).status_code == 400
    assert client.post(f"/cases/{resolved.pk}/fixed/keep/", {"reason": "Pipe checked"}).status_code == 302
    assert not needs_decision(Case.objects.all()).exists()
    assert "Pipe checked" in CaseEvent.objects.filter(case=resolved).order_by("-pk").first().reason  # type: ignore[union-attr]


def test_a_reopened_case_settles_the_no_and_a_second_answer_is_refused(world: World, resolved: Case) -> None:
    do_ask_if_fixed(timezone.now() + dt.timedelta(days=2))
    sms(world, "hapana")
    sms(world, "ndiyo")  # already answered: refused politely, not a report
    assert FixAnswer.objects.get().answer == "no" and Report.objects.count() == 1
    do_transition(resolved, "triaged", world.wanjiku)
    assert not needs_decision(Case.objects.all()).exists()
    with pytest.raises(ValueError):
        do_keep_resolved(resolved, world.wanjiku, "too late")


def test_held_and_sensitive_resolutions_are_not_asked(world: World, resolved: Case) -> None:
    do_transition(resolved, "triaged", world.wanjiku)
    do_transition(resolved, "verified", world.wanjiku, method="site_visit")
    do_transition(resolved, "resolved", world.wanjiku, inform=False)
    assert do_ask_if_fixed(timezone.now() + dt.timedelta(days=2)) == 0


@pytest.mark.parametrize(
    ("text", "answer"),
    [("1", "yes"), ("Ndiyo", "yes"), ("yes!", "yes"), ("2", "no"), ("hapana bado", "no"), ("No", "no"),
     ("3", None), ("Maji yamekatwa tena Mathare 4A leo", None), ("1 2", None)],
)  # fmt: skip
def test_fixed_answers_are_read_and_anything_else_is_left(text: str, answer: str | None) -> None:
    assert parse_fixed(text) == answer
