"""Impact and donor reports (issue 18, item 6): an organisation's figures over a period it chooses, each linked to
the records it counts; the page, the PDF and the DOCX; coordinators and analysts only; no identities."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from django.utils import timezone

from sauti.dialogues import actions
from sauti.dialogues.actions import WalkIn
from sauti.dialogues.models import Programme
from sauti.dialogues.reach import ensure_default_segments
from sauti.impact import report
from sauti.monitoring.actions import ReportInput, do_submit_report, do_transition
from sauti.monitoring.models import Case, Status
from sauti.trust import actions as trust_actions
from tests.dialogues.conftest import Dialogue, past


def _setup(d: Dialogue) -> Programme:
    """A second programme: a contact attending both counts once; a peace action; commitments one of which the
    community confirms; outcomes in and out of the period; a case resolved; a trust survey answered."""
    w = d.world
    today = timezone.localdate()
    second = actions.do_create_programme(
        w.umoja, w.wanjiku, title="Pamoja Mtaani — Korogocho", starts_on=today - dt.timedelta(days=450),
        ends_on=today + dt.timedelta(days=60), groups=[w.mathare_group], offices=[d.office],
    )  # fmt: skip
    actions.do_record_attendance(d.held, w.wanjiku, contacts=d.members[:2])
    peace = actions.do_schedule_meeting(
        second, w.wanjiku, kind="peace_action", title="Meal sharing at the station", starts_at=past(50),
        ends_at=past(48), already_held=True,
    )  # fmt: skip
    actions.do_record_attendance(
        peace, w.wanjiku, contacts=d.members[1:2], walk_ins=[WalkIn("f", "18_24", None, "member")]
    )
    kept = actions.do_record_commitment(
        d.priorities[0], w.wanjiku, office=d.office, official_name="Chief", what="Fix the water point",
        due_on=today + dt.timedelta(days=10),
    )  # fmt: skip
    claimed = actions.do_record_commitment(
        d.priorities[1], w.wanjiku, office=d.office, official_name="Chief", what="Street lights on Juja Road",
        due_on=today + dt.timedelta(days=10),
    )  # fmt: skip
    actions.do_update_commitment(claimed, w.wanjiku, status="fulfilled", progress=100)
    review = actions.do_schedule_meeting(
        d.programme, w.wanjiku, kind="follow_up", title="Review", starts_at=past(30), ends_at=past(29),
        already_held=True,
    )  # fmt: skip
    actions.do_record_show_of_hands(kept, w.wanjiku, meeting=review, yes=9, no=1)
    for kind, n, days in (("women_leaders", 3, 5), ("group_formed", 2, 6), ("women_leaders", 7, 400)):
        actions.do_record_outcome(
            d.programme if days < 100 else second, w.wanjiku, kind=kind, count=n,
            description="Elected to the community policing committee", achieved_on=today - dt.timedelta(days=days),
        )  # fmt: skip
    submitted = do_submit_report(
        w.umoja, ReportInput(description="Maji hayatoki Mathare 4A", channel="web", place_text="Mabatini")
    )
    case = Case.objects.get(pk=submitted.case_id or 0)
    for status in (Status.TRIAGED, Status.VERIFIED, Status.RESOLVED):
        do_transition(Case.objects.get(pk=case.pk), status, w.wanjiku, method="site_visit")
    ensure_default_segments(second)
    survey = trust_actions.do_create_trust_survey(second, w.wanjiku, title="Trust in the police")
    items = list(survey.items.values_list("pk", flat=True))
    for i, score in enumerate((2, 3, 4)):
        trust_actions.do_record_trust_response(
            survey, channel="paper", scores=dict.fromkeys(items, score), segment="youth" if i else ""
        )
    return second


def _number(page: str, key: str) -> int:
    found = re.search(rf'id="n-{key}"><a href="([^"]+)">([\d,]+)</a>', page)
    assert found, key
    return int(found.group(2).replace(",", ""))


def test_the_figures_count_people_once_and_only_what_the_community_confirms(dia: Dialogue) -> None:
    _setup(dia)
    c = dia.world.client_for(dia.world.wanjiku)
    r = c.get("/impact/umoja/")
    assert r.status_code == 200
    page = r.content.decode()
    figures = {key: _number(page, key) for key in report.FIGURES}
    assert figures == {
        "people": 3,  # Akinyi and Mary at the dialogue, Mary again and a walk-in at the peace action
        "sessions": 2,  # the dialogue and the follow-up review
        "activities": 1,
        "commitments": 2,
        "verified": 1,  # the office's own "fulfilled" is not enough
        "cases": 1,
        "women_leaders": 3,  # the 7 of 400 days ago fall outside the year shown by default
        "groups_formed": 2,
        "trust": 3,
    }
    assert "Akinyi" not in page and "Mary" not in page
    assert "n=3" in page  # the trust trend shows n and the interval
    # Each figure links to the records it counts, and their total is the figure.
    for key, value in figures.items():
        url = re.search(rf'id="n-{key}"><a href="([^"]+)"', page).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
        listed = c.get(url)
        assert listed.status_code == 200, key
        body = listed.content.decode()
        assert re.search(rf":\s*{value}</h1>", body), (key, value)
        assert "Akinyi" not in body and "0799000001" not in body
    commitments = c.get(f"/impact/umoja/records/verified/?{report.Period(timezone.localdate() - dt.timedelta(days=365), timezone.localdate()).query()}").content.decode()  # fmt: skip
    assert "Fix the water point" in commitments and "Street lights" not in commitments


def test_the_period_and_the_programmes_are_chosen_freely(dia: Dialogue) -> None:
    second = _setup(dia)
    c = dia.world.client_for(dia.world.kamau)  # an analyst
    today = timezone.localdate()
    old = c.get("/impact/umoja/", {"since": (today - dt.timedelta(days=500)).isoformat(),
                                   "until": (today - dt.timedelta(days=300)).isoformat()})  # fmt: skip
    assert old.status_code == 200
    page = old.content.decode()
    assert _number(page, "women_leaders") == 7
    assert _number(page, "people") == 0 and _number(page, "verified") == 0
    only = c.get("/impact/umoja/", {"programme": second.pk}).content.decode()
    assert (
        _number(only, "people") == 2 and _number(only, "sessions") == 0 and _number(only, "activities") == 1
    )
    assert _number(only, "cases") == 0  # the case is on no priority of that programme
    bad = c.get(
        "/impact/umoja/", {"since": today.isoformat(), "until": (today - dt.timedelta(days=1)).isoformat()}
    )
    assert bad.status_code == 400
    assert "start date is after the end date" in bad.content.decode()
    assert c.get("/impact/umoja/", {"since": "yesterday"}).status_code == 400
    assert c.get("/impact/umoja/records/nonsense/").status_code == 404


def test_only_coordinators_and_analysts_of_the_organisation(dia: Dialogue) -> None:
    w = dia.world
    assert w.client_for(None).get("/impact/umoja/").status_code == 302
    for persona, status in (
        (w.wanjiku, 200),
        (w.kamau, 200),
        (w.otieno, 403),
        (w.achieng, 403),
        (w.bob, 404),
    ):
        assert w.client_for(persona).get("/impact/umoja/").status_code == status, persona.username
        assert w.client_for(persona).get("/impact/umoja/report.pdf").status_code == status, persona.username


def test_the_pdf_and_the_docx_carry_every_figure_and_its_records_address(dia: Dialogue) -> None:
    _setup(dia)
    c = dia.world.client_for(dia.world.wanjiku)
    pdf = c.get("/impact/umoja/report.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    for key in report.FIGURES:
        assert f"/impact/umoja/records/{key}/".encode() in pdf.content  # a link per figure
    docx = c.get("/impact/umoja/report.docx", {"lang": "sw"})
    assert docx.status_code == 200
    xml = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    for key in report.FIGURES:
        assert f"http://testserver/impact/umoja/records/{key}/?since=" in xml
    assert "Ripoti ya matokeo" in xml  # the Kiswahili report
    assert "Akinyi" not in xml
    assert c.get("/impact/umoja/report.odt").status_code == 404


def test_the_people_reached_page_links_to_the_report_for_those_who_may_open_it(dia: Dialogue) -> None:
    url = f"/dialogues/{dia.programme.pk}/reach/"
    assert 'id="impact-link"' in dia.world.client_for(dia.world.kamau).get(url).content.decode()
    assert 'id="impact-link"' not in dia.world.client_for(dia.world.otieno).get(url).content.decode()


def test_bad_dates_name_the_field_in_the_users_language(dia: Dialogue) -> None:
    c = dia.world.client_for(dia.world.kamau)
    page = c.get("/impact/umoja/", {"since": "2026-13-01", "until": "x"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "From: Enter a valid date." in text and "Until: Enter a valid date." in text
    assert "Not saved" not in text  # nothing was being saved: a report was asked for
    c.post("/i18n/setlang/", {"language": "sw", "next": "/"})
    sw = c.get("/impact/umoja/", {"since": "2026-13-01"})
    assert sw.status_code == 400 and "Kuanzia:" in sw.content.decode()


def test_far_away_dates_are_refused_not_a_server_error(dia: Dialogue) -> None:
    """Review (session 6): 9999-12-31 overflowed the day after the period's end: a 500."""
    c = dia.world.client_for(dia.world.wanjiku)
    for since, until in (
        ("9999-12-31", "9999-12-31"),
        ("0001-01-01", "0001-01-02"),
        ("2026-01-01", "9999-12-31"),
    ):
        for url in ("/impact/umoja/", "/impact/umoja/report.pdf", "/impact/umoja/report.docx",
                    "/impact/umoja/records/people/"):  # fmt: skip
            page = c.get(url, {"since": since, "until": until})
            assert page.status_code == 400, (url, since)
    assert "Choose dates between 1900 and 2999." in page.content.decode()
    c.post("/i18n/setlang/", {"language": "sw", "next": "/"})
    sw = c.get("/impact/umoja/", {"since": "9999-12-31", "until": "9999-12-31"})
    assert sw.status_code == 400 and "Chagua tarehe kati ya 1900 na 2999." in sw.content.decode()
