"""Answering an organisation's own forms on ODK Collect and on the web; report forms become located reports;
identities in answers are encrypted and shown only to those allowed (each view logged); links; audit."""

from __future__ import annotations

import io

from PIL import Image

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sauti.audit.models import AuditEntry
from sauti.dialogues.models import Meeting, Programme
from sauti.monitoring.models import Report
from sauti.people.models import IdentityAccess
from sauti.questionnaires.models import Submission, SubmissionFile
from tests.conftest import World
from tests.questionnaires.helpers import imported, instance, post_instance

TODAY = timezone.localdate().isoformat()
EVICTION_BODY = (
    "<intro/><respondent_name>Mama Wanjiru Kamau</respondent_name><phone>+254733444555</phone>"
    f"<eviction_date>{TODAY}</eviction_date><notice>written</notice><notice_days>7</notice_days>"
    "<actors>police county</actors><households>40</households><violence>yes</violence>"
    "<place><place_text>Mabatini</place_text><location>-1.2621 36.8577 1650 5</location></place>"
    "<losses><item>Iron sheets</item><value_kes>12000</value_kes></losses>"
    "<losses><item>Beds</item><value_kes>8000.5</value_kes></losses>"
    "<photo>p1.jpg</photo>"
)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 90, 30)).save(out, format="JPEG")
    return out.getvalue()


def test_an_eviction_report_form_from_odk_collect_becomes_a_located_report(world: World) -> None:
    imported(world.umoja, "eviction")
    client = world.client_for(None)
    xml = instance("eviction_monitoring", "2026120101", EVICTION_BODY, "uuid:e-1")
    response = post_instance(
        client, xml, url="/odk/umoja/submission", files={"p1.jpg": ("image/jpeg", jpeg())}
    )
    assert response.status_code == 201, response.content
    assert "Eviction monitoring" in response.content.decode()
    sub = Submission.objects.get()
    assert sub.answers["losses"] == [
        {"item": "Iron sheets", "value_kes": 12000.0},
        {"item": "Beds", "value_kes": 8000.5},
    ]
    assert sub.answers["actors"] == ["police", "county"] and sub.answers["households"] == 40
    # Identities are not in the answers: they are in an encrypted Contact.
    assert "respondent_name" not in sub.answers and "phone" not in sub.answers
    assert sub.respondent is not None and sub.respondent.name == "Mama Wanjiru Kamau"
    assert "Wanjiru" not in sub.respondent.name_ciphertext
    assert sub.ward is not None and sub.ward.code == 1445 and sub.lat == -1.2621
    report = Report.objects.get()
    assert sub.report == report and report.channel == "odk"
    assert set(report.categories.values_list("key", flat=True)) == {"housing"}
    assert "How many households were evicted?: 40" in report.description or "Kaya ngapi" in report.description
    assert "Wanjiru" not in report.description
    assert report.reporter == sub.respondent and report.case is not None
    assert SubmissionFile.objects.get(submission=sub).question == "photo"
    # Audited, and idempotent on instanceID: a retry is a duplicate, other answers a conflict.
    assert AuditEntry.objects.filter(model="questionnaires.submission", object_pk=str(sub.pk)).exists()
    again = post_instance(client, xml, url="/odk/umoja/submission", files={"p1.jpg": ("image/jpeg", jpeg())})
    assert again.status_code == 202
    changed = instance(
        "eviction_monitoring",
        "2026120101",
        EVICTION_BODY.replace("<households>40", "<households>41"),
        "uuid:e-1",
    )
    assert post_instance(client, changed, url="/odk/umoja/submission").status_code == 409
    assert Submission.objects.count() == 1 and Report.objects.count() == 1


def test_answers_that_do_not_fit_are_kept_flagged_and_unknown_forms_refused(world: World) -> None:
    imported(world.umoja)
    client = world.client_for(None)
    # ODK Collect checked them on the phone: not fitting means the form changed; kept and flagged (issue 20).
    bad = instance("water_point", "2026120101", "<working>maybe</working><price>20</price>")
    assert post_instance(client, bad).status_code == 201
    nan = instance("water_point", "2026120101", "<working>yes</working><price>twenty</price>")
    assert post_instance(client, nan).status_code == 201
    assert Submission.objects.filter(mismatch=True).count() == 2
    # Another organisation's member cannot send to this form, and an unknown form is no Sauti form.
    assert (
        post_instance(client, instance("water_point", "1", "<working>yes</working>"), user="bob").status_code
        == 400
    )
    assert Submission.objects.count() == 2


def test_officials_and_analysts_never_see_identities_and_each_reveal_is_logged(world: World) -> None:
    imported(world.umoja, "eviction")
    post_instance(
        world.client_for(None), instance("eviction_monitoring", "2026120101", EVICTION_BODY, "uuid:e-2")
    )
    sub = Submission.objects.get()
    url = f"/forms/submissions/{sub.pk}/"
    kamau = world.client_for(world.kamau).get(url)
    assert kamau.status_code == 200 and "Wanjiru" not in kamau.content.decode()
    assert world.client_for(world.kamau).get(url + "?reveal=1").status_code == 403
    assert world.client_for(world.chief).get(url).status_code == 403
    assert world.client_for(world.bob).get(url).status_code == 404
    coordinator = world.client_for(world.wanjiku)
    assert "Wanjiru" not in coordinator.get(url).content.decode()
    revealed = coordinator.get(url + "?reveal=1").content.decode()
    assert "Mama Wanjiru Kamau" in revealed and "+254733444555" in revealed
    assert IdentityAccess.objects.filter(user=world.wanjiku, contact=sub.respondent).count() == 1
    # Exports and results never carry them.
    export = coordinator.get(f"/forms/{sub.questionnaire_id}/export.csv")
    assert "Wanjiru" not in b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]


def test_web_answer_form_without_javascript(world: World) -> None:
    form = imported(world.umoja, "eviction")
    client = world.client_for(world.otieno)
    page = client.get(f"/forms/{form.pk}/answer/")
    assert page.status_code == 200 and "<script" not in page.content.decode().split("<main", 1)[1]
    assert 'type="radio"' in page.content.decode() and 'name="losses__0__item"' in page.content.decode()
    data = {
        "instance_id": "uuid:web-1",
        "version": "2026120101",
        "eviction_date": TODAY,
        "notice": "none",
        "notice_days": "400",  # not relevant (notice is not written): dropped, its constraint not applied
        "actors": ["landlord"],
        "households": "12",
        "violence": "no",
        "place_text": "Kiamaiko",
        "location": "-1.2580 36.8610",
        "losses__0__item": "Water tank",
        "losses__0__value_kes": "3000",
        "photo": SimpleUploadedFile("x.jpg", jpeg(), content_type="image/jpeg"),
    }
    response = client.post(f"/forms/{form.pk}/answer/", data)
    assert response.status_code == 200, response.content.decode()[-2000:]
    sub = Submission.objects.get(instance_id="uuid:web-1")
    assert sub.channel == "web" and "notice_days" not in sub.answers
    assert sub.answers["losses"] == [{"item": "Water tank", "value_kes": 3000.0}]
    assert sub.report is not None and sub.report.channel == "web"
    # A constraint broken where it applies is refused on the page, with the form's own message.
    data.update({"instance_id": "uuid:web-2", "households": "0", "photo": ""})
    refused = client.post(f"/forms/{form.pk}/answer/", data)
    assert refused.status_code == 400 and "1 to 5000" in refused.content.decode()
    assert not Submission.objects.filter(instance_id="uuid:web-2").exists()
    # Posting the same page twice stores it once.
    data.update({"instance_id": "uuid:web-1", "households": "12"})
    client.post(f"/forms/{form.pk}/answer/", data)
    assert Submission.objects.count() == 1


def test_a_submission_links_to_a_case_and_a_meeting(world: World) -> None:
    imported(world.umoja, "eviction")
    post_instance(
        world.client_for(None), instance("eviction_monitoring", "2026120101", EVICTION_BODY, "uuid:e-3")
    )
    sub = Submission.objects.get()
    assert sub.report is not None and sub.report.case is not None
    programme = Programme.objects.create(
        organisation=world.umoja,
        title="Mathare housing dialogue",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    meeting = Meeting.objects.create(
        programme=programme, kind="dialogue", title="Baraza", starts_at=timezone.now(), ends_at=timezone.now()
    )
    url = f"/forms/submissions/{sub.pk}/"
    assert world.client_for(world.otieno).post(url, {"case": sub.report.case.pk}).status_code == 403
    response = world.client_for(world.wanjiku).post(url, {"case": sub.report.case.pk, "meeting": meeting.pk})
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.case == sub.report.case and sub.meeting == meeting
    assert world.client_for(world.wanjiku).post(url, {"case": 999999}).status_code == 400
