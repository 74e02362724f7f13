"""Reports made from a report form (issue 20, session 5): the description carries the answers, the case a
title of its category and place, the place is one place (a GPS point that disagrees with the typed settlement places the
report and the disagreement is said), and reports from different wards never share a case."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from sauti.monitoring import grouping
from sauti.monitoring.models import Report
from sauti.questionnaires.actions import Incoming, do_receive_submission
from sauti.questionnaires.models import Questionnaire, Submission
from tests.conftest import World
from tests.questionnaires.helpers import imported

KIBRA = "-1.31438 36.78910"  # Mugumo-Ini ward, by Kibra
KIAMAIKO = "-1.25450 36.87590"
MABATINI = "-1.26070 36.85880"
KOROGOCHO = "-1.24570 36.89120"  # Ruaraka constituency, about 2 km from Kiamaiko


def _send(
    form: Questionnaire, n: int, point: str, place: str, days_ago: int = 0, **answers: object
) -> Report:
    day = timezone.localdate() - timedelta(days=days_ago)
    received = do_receive_submission(
        form,
        Incoming(
            instance_id=f"uuid:rf-{n}",
            answers={
                "eviction_date": day.isoformat(),
                "notice": "none",
                "actors": "police",
                "households": 10 + n,
                "violence": "no",
                "place_text": place,
                "location": point,
                **answers,
            },
            channel=Submission.Channel.ODK,
            language="en",
            received_at=timezone.now() - timedelta(days=days_ago),
        ),
    )
    report = received.submission.report
    assert report is not None
    return report


def test_a_form_report_carries_its_answers_and_its_case_a_meaningful_title(world: World) -> None:
    form = imported(world.umoja, "eviction")
    report = _send(form, 1, MABATINI, "Mabatini", households=37)
    assert "How many households were evicted?: 37" in report.description
    assert "Was a notice given?: No notice" in report.description
    assert report.case is not None
    title = report.case.title
    assert title == "Housing and evictions — Mabatini"
    page = world.client_for(world.wanjiku).get(f"/cases/{report.case.pk}/")
    assert page.status_code == 200 and "How many households were evicted?" in page.content.decode()


def test_a_point_that_disagrees_with_the_typed_settlement_places_the_report_and_says_so(world: World) -> None:
    form = imported(world.umoja, "eviction")
    report = _send(form, 2, KIBRA, "Mathare 4A")
    sub = Submission.objects.get(report=report)
    assert report.ward is not None and report.ward.name == "Mugumo-Ini"
    assert report.settlement is None or report.settlement.ward_id in (None, report.ward.pk)
    assert sub.ward == report.ward
    assert "the GPS point is not in Mathare 4A as typed" in report.description
    agreeing = _send(form, 3, MABATINI, "Mabatini")
    assert "the GPS point is not in" not in agreeing.description


def test_form_reports_from_different_wards_never_share_a_case(world: World) -> None:
    """Case 179 of the demo: one typed settlement, GPS points in four wards, boilerplate text alike."""
    form = imported(world.umoja, "eviction")
    reports = [
        _send(form, 10 + i, point, "Mathare 4A", days_ago=i)
        for i, point in enumerate([KIBRA, KIAMAIKO, MABATINI, KOROGOCHO])
    ]
    wards = {r.ward_id for r in reports}
    assert len(wards) == 4
    cases: dict[int | None, set[int | None]] = {}
    for r in Report.objects.filter(pk__in=[r.pk for r in reports]):
        cases.setdefault(r.case_id, set()).add(r.ward_id)
    assert all(len(w) == 1 for w in cases.values()), cases


def test_form_reports_from_one_place_a_day_apart_share_a_case(world: World) -> None:
    form = imported(world.umoja, "eviction")
    first = _send(form, 20, KIAMAIKO, "Kiamaiko", days_ago=1, households=12)
    second = _send(form, 21, KIAMAIKO, "Kiamaiko", days_ago=0, households=80)
    assert first.case_id is not None and second.case_id == first.case_id


def test_a_form_s_title_and_question_labels_are_not_evidence_of_one_event() -> None:
    def facts(text: str) -> grouping.Facts:
        return grouping.Facts(frozenset(), 1446, None, 47, None, None, None, text)

    a = "Eviction monitoring\nHow many households were evicted?: 12\nWho carried out the eviction?: Police"
    b = "Eviction monitoring\nHow many households were evicted?: 80\nWho carried out the eviction?: Landlord"
    assert grouping.text_similarity(facts(a), facts(b)) < grouping.MIN_TEXT_ALONE
    same = "Eviction monitoring\nHow many households were evicted?: 12\nWho carried out the eviction?: Police"
    assert grouping.text_similarity(facts(a), facts(same)) == 1.0
    sms = facts("Police demolished kiosks at Mabatini market")
    assert grouping.text_similarity(sms, facts("Police demolished the kiosks at Mabatini market")) > 0.9
