"""Trust over time (issue 18): anonymous answers by segment and place, waves, means with intervals."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from django.test import Client
from django.utils import timezone

from sauti.dialogues.reach import ensure_default_segments
from sauti.trust import actions, stats
from sauti.trust.models import TrustResponse, TrustSurvey
from tests.dialogues.conftest import Dialogue


def test_estimates_are_means_with_t_intervals() -> None:
    e = stats.estimate([4, 4, 5, 3, 4])
    assert e.n == 5 and e.mean == 4.0
    # t(0.975, 4) = 2.776; sd = 0.7071; half = 2.776 * 0.7071 / sqrt(5) = 0.878
    assert e.low == pytest.approx(3.12, abs=0.01) and e.high == pytest.approx(4.88, abs=0.01)
    single = stats.estimate([2])
    assert single.low is None and single.mean == 2
    assert stats.estimate([5, 5, 5]).high == 5.0
    with pytest.raises(ValueError):
        stats.estimate([])


def _survey(d: Dialogue) -> TrustSurvey:
    ensure_default_segments(d.programme)
    c = d.world.client_for(d.world.wanjiku)
    r = c.post(f"/trust/programme/{d.programme.pk}/new/", {"title": "Trust in the police — Korogocho"})
    assert r.status_code == 302
    return TrustSurvey.objects.get(programme=d.programme)


def _answer(client: Client, survey: TrustSurvey, scores: list[int], segment: str = "youth") -> int:
    data = {f"item_{item.pk}": str(s) for item, s in zip(survey.items.all(), scores, strict=True)}
    data["segment"] = segment
    return client.post(f"/trust/answer/{survey.token}/", data).status_code


def test_anonymous_answers_over_two_waves_show_the_trend(dia: Dialogue) -> None:
    survey = _survey(dia)
    assert survey.items.count() == 4 and survey.waves.count() == 1
    for scores in ([1, 2, 2, 1], [2, 2, 3, 1], [1, 1, 2, 2]):
        assert _answer(Client(), survey, scores) == 200
    assert _answer(Client(), survey, [3, 3, 3, 3], segment="women") == 200
    # One browser answers once per wave.
    browser = Client()
    assert _answer(browser, survey, [5, 5, 5, 5]) == 200
    assert _answer(browser, survey, [5, 5, 5, 5]) == 400
    assert TrustResponse.objects.filter(wave__survey=survey).count() == 5
    assert not TrustResponse.objects.filter(wave__survey=survey, respondent="").exists()

    wave = actions.do_add_wave(
        survey,
        dia.world.wanjiku,
        label="After six months",
        starts_on=timezone.localdate() + dt.timedelta(days=1),
    )
    for scores in ([4, 3, 4, 3], [4, 4, 4, 3], [5, 4, 4, 4]):
        actions.do_record_trust_response(
            survey,
            channel="paper",
            scores=dict(zip(survey.items.values_list("pk", flat=True), scores, strict=True)),
            segment="youth",
            wave=wave,
        )
    c = dia.world.client_for(dia.world.wanjiku)
    page = c.get(f"/trust/{survey.pk}/").content.decode()
    assert "After six months" in page
    assert "n=3" in page and "n=4" in page
    # Youth on the first statement: baseline 1, 2, 1, 5 → 2.25; follow-up 4, 4, 5 → 4.33.
    assert "2.25" in page and "4.33" in page
    assert c.get(f"/trust/{survey.pk}/?by=settlement").status_code == 200


def test_bad_answers_get_a_400_in_the_users_language(dia: Dialogue) -> None:
    survey = _survey(dia)
    r = Client().post(f"/trust/answer/{survey.token}/", {"segment": "youth"}, HTTP_ACCEPT_LANGUAGE="sw")
    assert r.status_code == 400
    assert "Chagua nambari kuanzia 1 hadi 5" in r.content.decode()
    data = {f"item_{i.pk}": "9" for i in survey.items.all()}
    assert Client().post(f"/trust/answer/{survey.token}/", data).status_code == 400
    assert Client().get("/trust/answer/nope/").status_code == 404
    assert TrustResponse.objects.count() == 0


def test_only_the_programme_sees_results(dia: Dialogue) -> None:
    survey = _survey(dia)
    w = dia.world
    assert w.client_for(w.bob).get(f"/trust/{survey.pk}/").status_code == 404
    assert w.client_for(w.kamau).post(f"/trust/{survey.pk}/paper/", {}).status_code in (403, 404)
    assert Client().get(f"/trust/{survey.pk}/").status_code == 302


def test_web_answers_are_throttled_per_client(dia: Dialogue) -> None:
    """Review (session 6): twelve answers from one address with fresh cookies were all stored."""
    now = int(timezone.now().timestamp())
    start = dt.datetime.fromtimestamp(now - now % 600 + 1, tz=dt.UTC)  # fixed windows: not across an end
    with time_machine.travel(start, tick=True):
        _throttled(dia)


def _throttled(dia: Dialogue) -> None:
    survey = _survey(dia)
    coordinator = dia.world.client_for(dia.world.wanjiku)
    saved = coordinator.post("/throttles/umoja/", {"scope": "trust", "limit": "5", "window_seconds": "600"})
    assert saved.status_code == 302
    assert "Trust survey answers (web)" in coordinator.get("/throttles/umoja/").content.decode()
    assert [_answer(Client(), survey, [3, 3, 3, 3]) for _ in range(5)] == [200] * 5
    data = {f"item_{item.pk}": "3" for item in survey.items.all()} | {"segment": "youth"}
    refused = Client().post(f"/trust/answer/{survey.token}/", data)
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 600
    assert "Too many answers from this connection" in refused.content.decode()
    sw = Client().post(f"/trust/answer/{survey.token}/", data, HTTP_ACCEPT_LANGUAGE="sw")
    assert sw.status_code == 429 and "Majibu mengi mno" in sw.content.decode()
    assert TrustResponse.objects.filter(wave__survey=survey).count() == 5
