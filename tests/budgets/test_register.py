"""The project register: ward choice, corrections, site visits (web, SMS), discrepancy flags, audit."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sauti.audit import audit
from sauti.audit.models import AuditEntry
from sauti.budgets.models import Correction, Observation, Project
from sauti.conversations.actions import do_handle_sms
from sauti.monitoring.actions import ReportInput, do_submit_report
from sauti.monitoring.models import Attachment, Report
from tests.budgets.conftest import run
from tests.conftest import World

GPS = {1: "S", 2: (4.0, 3.0, 0.0), 3: "E", 4: (39.0, 40.0, 0.0)}


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "FieldCam"
    exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def project(world: World, row: int) -> Project:
    return Project.objects.get(organisation=world.umoja, source_row=row)


def test_the_register_shows_figures_sources_and_flags(mombasa: World) -> None:
    client = mombasa.client_for(mombasa.kamau)  # an analyst sees the register
    page = client.get("/budgets/umoja/").content.decode()
    assert "Proposal for uiwanja wa mbuzi stadium industrial parks" in page
    assert "Listed twice" in page and "p. 377, row 2" in page
    detail = client.get(f"/budgets/umoja/projects/{project(mombasa, 3).number}/").content.decode()
    assert "TONONOKA WARD- MVITA SUB COUNTY" in detail and "Tononoka (28)" in detail
    assert "Choose the ward" not in detail  # analysts do not correct
    assert client.get("/budgets/umoja/projects/999/").status_code == 404
    assert mombasa.client_for(mombasa.bob).get("/budgets/umoja/").status_code == 404
    assert mombasa.client_for(mombasa.chief).get("/budgets/umoja/").status_code == 200


def test_a_coordinator_chooses_the_ward_bomu_was_asked_about(mombasa: World) -> None:
    bomu = project(mombasa, 1)
    assert bomu.ward is None and bomu.ward_match == "asked"
    client = mombasa.client_for(mombasa.wanjiku)
    url = f"/budgets/umoja/projects/{bomu.number}/"
    assert "Choose the ward" in client.get(url).content.decode()
    # A ward of another county, or nothing, is refused with the reason.
    response = client.post(url + "ward/", {"ward": "1446"})
    assert response.status_code == 400 and "Choose a ward of Mombasa" in response.content.decode()
    assert client.post(url + "ward/", {}).status_code == 400
    # A suggestion ticked, the list left blank (both are sent): the suggestion counts.
    assert (
        client.post(url + "ward/", {"ward": "29", "ward_other": ""}).status_code == 302
    )  # a ward of Mombasa
    bomu = Project.objects.get(pk=bomu.pk)
    assert bomu.ward is not None and bomu.ward.code == 29 and bomu.ward_match == "confirmed"
    assert Correction.objects.get(project=bomu, field="ward").published_value == "BOMU"
    assert run("projects", "--org", "umoja", "--ward", "29", "--json")[0]["ward_code"] == 29
    # Monitors may not choose.
    assert mombasa.client_for(mombasa.otieno).post(url + "ward/", {"ward": "28"}).status_code == 403


def test_a_correction_keeps_the_published_figure_beside_it(mombasa: World) -> None:
    p = project(mombasa, 5)
    client = mombasa.client_for(mombasa.wanjiku)
    url = f"/budgets/umoja/projects/{p.number}/correct/"
    for bad in ({"field": "paid", "value": "abc", "reason": "x"}, {"field": "paid", "value": "-5", "reason": "x"},
                {"field": "paid", "value": "5", "reason": ""}, {"field": "name", "value": "5", "reason": "x"}):  # fmt: skip
        assert client.post(url, bad).status_code == 400
    response = client.post(
        url, {"field": "paid", "value": "6,100,000", "reason": "County treasury letter 12/08/2025"}
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.paid == 5860582  # the published figure stays
    page = client.get(f"/budgets/umoja/projects/{p.number}/").content.decode()
    assert "5860582" in page.replace(",", "") and "6100000" in page
    out = next(x for x in run("projects", "--org", "umoja", "--json") if x["number"] == p.number)
    assert out["paid"] == 5860582 and out["corrections"][0]["corrected"] == "6100000"
    assert AuditEntry.objects.filter(model="budgets.correction").count() == 1


def test_a_site_visit_with_a_photo_flags_paid_but_not_started(mombasa: World) -> None:
    p = project(mombasa, 8)  # Likoni fire station: 100% paid and complete as published
    client = mombasa.client_for(mombasa.otieno)
    url = f"/budgets/umoja/projects/{p.number}/observe/"
    assert client.post(url, {"status": "nonsense"}).status_code == 400
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert client.post(url, {"status": "not_started", "observed_on": future}).status_code == 400
    photo = SimpleUploadedFile("site.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = client.post(
        url,
        {
            "status": "not_started",
            "note": "Only the old building, no works",
            "lat": "-4.06",
            "lon": "39.66",
            "photos": photo,
        },
    )
    assert response.status_code == 302
    observation = Observation.objects.get(project=p)
    assert observation.report is not None and observation.report.submitted_by == mombasa.otieno
    attachment = Attachment.objects.get(report=observation.report)
    with Image.open(attachment.public_file) as public:
        assert not public.getexif()
    p.refresh_from_db()
    assert p.observed_status == "not_started" and "progress_mismatch" in p.flags and p.flagged
    # Audited like any report: the observation and its report are in the chain.
    assert audit.history("budgets.observation", [observation.pk])
    assert audit.history("monitoring.report", [observation.report.pk])
    # The report can be followed as a case.
    assert observation.report.case is not None
    page = mombasa.client_for(mombasa.wanjiku).get(f"/budgets/umoja/projects/{p.number}/").content.decode()
    assert "Published progress and community observations disagree" in page and "/cases/attachments/" in page
    # Analysts and officials may not record visits.
    assert mombasa.client_for(mombasa.kamau).post(url, {"status": "complete"}).status_code == 403


def test_a_complete_project_seen_complete_is_not_flagged(mombasa: World) -> None:
    p = project(mombasa, 4)
    mombasa.client_for(mombasa.achieng).post(
        f"/budgets/umoja/projects/{p.number}/observe/", {"status": "complete"}
    )
    p.refresh_from_db()
    assert p.observed_status == "complete" and p.flags == []


def _sms(world: World, text: str, inbound_id: int, phone: str = "+254711222333") -> list[str]:
    return do_handle_sms(
        organisation=world.umoja, phone=phone, text=text, received_at=timezone.now(), inbound_id=inbound_id
    )


def test_site_visits_by_sms_in_the_senders_language(mombasa: World) -> None:
    p = project(mombasa, 9)
    replies = _sms(mombasa, f"MRADI {p.number}", 1)
    assert replies[0].startswith(f"P{p.number} Routine maintenance") and "2 haujaanza" in replies[0]
    replies = _sms(mombasa, f"PROJECT {p.number}", 2)
    assert "2 not started" in replies[0]
    replies = _sms(mombasa, f"MRADI {p.number} 3 hakuna mafundi tangu Machi", 3)
    assert "Asante" in replies[0]
    observation = Observation.objects.get(project=p)
    assert (
        observation.status == "stalled"
        and observation.source == "sms"
        and observation.note == "hakuna mafundi tangu Machi"
    )
    report = observation.report
    assert report is not None and report.channel == "sms" and report.reporter is not None
    # The same inbound message again: nothing new.
    assert _sms(mombasa, f"MRADI {p.number} 3 hakuna mafundi tangu Machi", 3) == replies
    assert (
        Observation.objects.filter(project=p).count() == 1
        and Report.objects.filter(channel="sms").count() == 1
    )
    p.refresh_from_db()
    assert "progress_mismatch" in p.flags  # 100% complete as published, stalled on site
    assert "Thank you" in _sms(mombasa, f"PROJECT {p.number} 4", 4)[0]
    assert "no project number 9999" in _sms(mombasa, "PROJECT 9999 2", 5)[0]
    # Free text that merely starts with the word is a report, not a command.
    assert Observation.objects.count() == 2
    _sms(mombasa, "Project ya maji Likoni imekwama", 6)
    assert Observation.objects.count() == 2


def test_scorecard_and_departments_are_public_and_traceable(mombasa: World) -> None:
    anonymous = mombasa.client_for(None)
    page = anonymous.get("/budgets/umoja/scorecard/").content.decode()
    assert "Tononoka" in page and "Mikindani" in page
    ward = anonymous.get("/budgets/umoja/scorecard/?ward=28").content.decode()
    assert "p. 377, row 2" in ward and "p. 378, row 9" in ward
    assert anonymous.get("/budgets/umoja/scorecard/?ward=abc").status_code == 400
    assert anonymous.get("/budgets/umoja/scorecard/?ward=99999").status_code == 400
    assert anonymous.get("/budgets/nobody/scorecard/").status_code == 404
    departments = anonymous.get("/budgets/umoja/departments/1/").content.decode()
    assert "<svg" in departments and "Finance and Economic Planning" in departments
    assert "Total (as published)" in departments and "p. 379" in departments
    assert anonymous.get("/budgets/umoja/departments/99/").status_code == 404
    sw = anonymous.get("/budgets/umoja/scorecard/", HTTP_ACCEPT_LANGUAGE="sw")
    assert sw.status_code == 200
    scores = run("scorecard", "--org", "umoja", "--json")
    tononoka = next(w for w in scores["wards"] if w["ward_code"] == 28)
    assert tononoka["planned"] == 3 and tononoka["flagged"] == 2
    assert tononoka["contract_sum"] == 17392080 * 2 + 4983825
    assert scores["total"]["planned"] == 10
    one = run("scorecard", "--org", "umoja", "--ward", "8", "--json")
    assert [w["ward"] for w in one["wards"]] == ["Mikindani"]


def test_a_coordinator_links_an_existing_case_to_a_project(mombasa: World) -> None:
    report = do_submit_report(
        mombasa.umoja,
        ReportInput(description="The ECD centre at Amani has no roof yet", channel="web", language="en"),
    )
    other = do_submit_report(mombasa.haki, ReportInput(description="Another org's report", channel="web"))
    assert report.case is not None and other.case is not None
    p = project(mombasa, 5)
    client = mombasa.client_for(mombasa.wanjiku)
    url = f"/budgets/umoja/projects/{p.number}/cases/"
    assert client.post(url, {"reference": "not a ref"}).status_code == 400
    assert client.post(url, {"reference": f"C{other.case.pk}"}).status_code == 400  # not visible to her
    assert client.post(url, {"reference": f"R{report.pk}"}).status_code == 302
    assert list(p.cases.all()) == [report.case]
    page = client.get(f"/budgets/umoja/projects/{p.number}/").content.decode()
    assert f"/cases/{report.case.pk}/" in page
    assert (
        mombasa.client_for(mombasa.otieno).post(url, {"reference": f"C{report.case.pk}"}).status_code == 403
    )
