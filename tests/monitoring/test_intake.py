"""Web intake: the public report form (no login, no JavaScript needed) and the field monitor's form."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from typing import Any

import pytest
from PIL import Image

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sauti.core.crypto import lookup_hash
from sauti.monitoring.models import Attachment, Case, Report
from sauti.people.models import Consent, Contact
from tests.conftest import World
from tests.monitoring.test_cases import GPS, jpeg_with_gps

TODAY = timezone.localdate()


def post(client: Client, url: str = "/report/?org=umoja", **fields: Any) -> Any:
    data: dict[str, Any] = {"description": "The county water kiosk has been closed for a week", **fields}
    return client.post(url, data)


def nothing_saved() -> bool:
    return not (
        Report.objects.exists()
        or Case.objects.exists()
        or Attachment.objects.exists()
        or Consent.objects.filter(purpose="reporting").exists()
        or Contact.objects.filter(reports__isnull=False).exists()
        or Contact.objects.count() > 3  # the three members the personas fixture adds
    )


def test_the_public_form_needs_no_login_and_asks_which_organisation_when_there_are_several(
    world: World,
) -> None:
    client = world.client_for(None)
    page = client.get("/report/").content.decode()
    assert 'name="org"' in page and "Haki Mtaani" in page and "csrfmiddlewaretoken" in page
    assert 'enctype="multipart/form-data"' in page and 'name="website"' in page
    chosen = client.get("/report/?org=haki").content.decode()
    assert 'name="org"' not in chosen and "Your report goes to Haki Mtaani" in chosen
    assert client.get("/report/?org=nowhere").status_code == 404


def test_categories_are_labelled_in_the_readers_language(world: World) -> None:
    client = world.client_for(None)
    client.cookies["sauti_language"] = "sw"
    page = client.get("/report/?org=umoja").content.decode()
    assert "Makazi na kufurushwa" in page and "Housing and evictions" not in page


def test_an_anonymous_report_gets_a_reference_and_what_happens_next(world: World) -> None:
    client = world.client_for(None)
    response = post(
        client,
        occurred_on=(TODAY - timedelta(days=2)).strftime("%d/%m/%Y"),
        place_text="Kwa Reuben",
        category="water",
        people_affected="300",
    )
    assert response.status_code == 302 and response["Location"] == "/report/thanks/"
    report = Report.objects.get()
    assert (report.channel, report.organisation, report.reporter, report.occurred_on) == (
        "web",
        world.umoja,
        None,
        TODAY - timedelta(days=2),
    )
    assert report.ward is not None and report.ward.code == 1408 and report.people_affected == 300
    assert list(report.categories.values_list("key", flat=True)) == ["water"]
    assert report.case is not None and report.case.status == "new"
    thanks = client.get("/report/thanks/").content.decode()
    assert f">{report.reference}<" in thanks and "What happens next" in thanks and "anonymously" in thanks


def test_a_reporter_who_consents_is_kept_as_a_contact_with_the_consent_recorded(world: World) -> None:
    response = post(
        world.client_for(None),
        reporter_name="Akinyi Atieno",
        reporter_phone="0712 345 678",
        consent="on",
    )
    assert response.status_code == 302
    report = Report.objects.select_related("reporter").get()
    contact = report.reporter
    assert contact is not None and contact.phone == "+254712345678" and contact.name == "Akinyi Atieno"
    assert contact.phone_hash == lookup_hash("+254712345678")
    consent = Consent.objects.get(contact=contact)
    assert (consent.purpose, consent.granted, consent.method, consent.recorded_by) == (
        "reporting",
        True,
        "web",
        None,
    )


def test_a_name_without_consent_is_refused_rather_than_kept(world: World) -> None:
    response = post(world.client_for(None), reporter_name="Akinyi Atieno")
    assert response.status_code == 400
    assert "tick the consent box" in response.content.decode()
    assert nothing_saved()


TOO_BIG = b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": ""}, "Say what happened."),
        ({"description": "   "}, "Say what happened."),
        ({"occurred_on": (TODAY + timedelta(days=1)).isoformat()}, "The date is in the future."),
        ({"occurred_on": "1950-06-01"}, "The date is before 1963"),
        ({"occurred_on": "31/02/2024"}, "Enter a valid date."),
        ({"lat": "51.5", "lon": "-0.12"}, "These coordinates are outside Kenya."),
        ({"lat": "-1.26"}, "Give both latitude and longitude"),
        ({"lat": "north", "lon": "36.8"}, "Enter a number."),
        ({"category": "aliens"}, "Unknown category: aliens."),
        ({"people_affected": "-4"}, "greater than or equal to 0"),
        ({"reporter_phone": "0712", "consent": "on"}, "not a valid phone number"),
        ({"attachment": SimpleUploadedFile("big.jpg", TOO_BIG, "image/jpeg")}, "is larger than 10 MB"),
        (
            {"attachment": SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not a photo", "image/jpeg")},
            "is not a photo",
        ),
        ({"website": "http://spam.example"}, "could not be accepted"),
    ],
    ids=lambda v: str(v)[:30] if isinstance(v, str) else None,
)
def test_bad_input_is_refused_with_the_reason_and_nothing_is_saved(
    world: World, fields: dict[str, Any], message: str
) -> None:
    response = post(world.client_for(None), **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert nothing_saved()


def test_a_refused_report_keeps_what_was_typed(world: World) -> None:
    response = post(world.client_for(None), place_text="Mathare 4A", category="aliens")
    html = response.content.decode()
    assert "The county water kiosk has been closed for a week" in html and 'value="Mathare 4A"' in html


def test_several_organisations_mean_the_reporter_must_choose(world: World) -> None:
    response = post(world.client_for(None), url="/report/")
    assert response.status_code == 400 and "Choose the organisation" in response.content.decode()
    assert post(world.client_for(None), url="/report/", org="haki").status_code == 302
    assert Report.objects.get().organisation == world.haki


def test_the_form_is_csrf_protected(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    assert post(client).status_code == 403
    assert nothing_saved()


def test_the_thanks_page_without_a_report_goes_back_to_the_form(world: World) -> None:
    response = world.client_for(None).get("/report/thanks/")
    assert response.status_code == 302 and response["Location"] == "/report/"


def test_a_photo_is_stored_as_sent_and_shown_without_its_location(world: World) -> None:
    photo = jpeg_with_gps()
    response = post(world.client_for(None), attachment=SimpleUploadedFile("site.jpg", photo, "image/jpeg"))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.sha256 == hashlib.sha256(photo).hexdigest()
    with attachment.file.open("rb") as f:
        assert f.read() == photo
    with attachment.public_file.open("rb") as f, Image.open(io.BytesIO(f.read())) as public:
        assert not public.getexif()
    with Image.open(io.BytesIO(photo)) as original:
        assert original.getexif().get_ifd(0x8825) == GPS


def test_the_place_picker_offers_places_and_fills_the_field(world: World) -> None:
    client = world.client_for(None)
    options = client.get("/report/place/?place_text=Mabat").content.decode()
    assert "Mabatini" in options and "pick=1" in options and 'hx-swap-oob="true"' in options
    picked = client.get("/report/place/?pick=1&place_text=Korogocho&county=47").content.decode()
    assert 'value="Korogocho"' in picked and 'name="county_hint" id="id_county_hint" value="47"' in picked
    assert "Chosen: Korogocho" in picked
    assert "pick=1" not in client.get("/report/place/?place_text=ab").content.decode()
    assert 'value=""' in client.get("/report/place/?pick=1&place_text=X&county=99").content.decode()


def test_a_picked_place_with_its_county_locates_the_report(world: World) -> None:
    post(world.client_for(None), place_text="Korogocho", county_hint="47")
    report = Report.objects.get()
    assert (
        report.county is not None and report.county.code == 47 and report.precision in ("ward", "settlement")
    )


# The field monitor's form ----------------------------------------------------------------------------


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, format="PNG")
    return out.getvalue()


def test_a_monitor_files_a_detailed_report_with_the_reporters_verbal_consent(world: World) -> None:
    client = world.client_for(world.otieno)
    assert client.get("/cases/new-report/").status_code == 200
    response = client.post(
        "/cases/new-report/",
        {
            "description": "Bulldozers at the railway reserve, 60 houses down",
            "occurred_on": (TODAY - timedelta(days=1)).isoformat(),
            "place_text": "Mabatini",
            "lat": "-1.2621",
            "lon": "36.8577",
            "categories": ["housing-demolition", "security-police-abuse"],
            "people_affected": "240",
            "attachments": [
                SimpleUploadedFile("a.jpg", jpeg_with_gps(), "image/jpeg"),
                SimpleUploadedFile("b.png", png(), "image/png"),
            ],
            "reporter_name": "Mzee Juma",
            "reporter_phone": "0722 000 111",
            "consent": "on",
        },
    )
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{report.case_id}/"
    assert (report.channel, report.submitted_by, report.precision, report.people_affected) == (
        "monitor",
        world.otieno,
        "point",
        240,
    )
    assert sorted(report.categories.values_list("key", flat=True)) == [
        "housing-demolition",
        "security-police-abuse",
    ]
    assert report.attachments.count() == 2
    consent = Consent.objects.get(contact=report.reporter)
    assert (consent.method, consent.recorded_by) == ("verbal", world.otieno)
    page = client.get(response["Location"]).content.decode()
    assert "Mzee Juma" not in page and f"Report {report.reference} saved" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"categories": ["housing", "aliens"]}, "Unknown category: aliens."),
        ({"lat": "-4.0", "lon": "20.0"}, "outside Kenya"),
        ({"occurred_on": date(2999, 1, 1).isoformat()}, "in the future"),
        (
            {"attachments": [SimpleUploadedFile(f"p{i}.png", png(), "image/png") for i in range(6)]},
            "At most 5 files",
        ),
        (
            {"attachments": [SimpleUploadedFile("doc.exe", b"MZ\x90\x00", "application/pdf")]},
            "is not a photo",
        ),
    ],
)
def test_the_monitor_form_refuses_bad_input_and_saves_nothing(
    world: World, fields: dict[str, Any], message: str
) -> None:
    data: dict[str, Any] = {"description": "Something happened", **fields}
    response = world.client_for(world.otieno).post("/cases/new-report/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert nothing_saved()


def test_a_monitor_of_several_organisations_picks_one(world: World) -> None:
    from sauti.people.models import Membership, Role

    Membership.objects.create(user=world.otieno, organisation=world.haki, role=Role.MONITOR)
    client = world.client_for(world.otieno)
    assert client.post("/cases/new-report/", {"description": "x"}).status_code == 400
    assert client.post("/cases/new-report/", {"description": "x", "org": "haki"}).status_code == 302
    assert Report.objects.get().organisation == world.haki


@pytest.mark.parametrize("persona", ["kamau", "chief", "outsider"])
def test_only_those_who_may_submit_reports_get_the_monitor_form(world: World, persona: str) -> None:
    client = world.client_for(getattr(world, persona))
    assert client.get("/cases/new-report/").status_code == 403
    assert client.post("/cases/new-report/", {"description": "x"}).status_code == 403
    assert nothing_saved()


def test_a_refused_upload_leaves_no_file_behind(world: World) -> None:
    from django.core.files.storage import default_storage

    good = jpeg_with_gps((7, 77, 177))  # a colour no other test uses, so a digest of its own
    digest = hashlib.sha256(good).hexdigest()
    response = world.client_for(world.otieno).post(
        "/cases/new-report/",
        {
            "description": "Two files, one of them bad",
            "attachments": [
                SimpleUploadedFile("good.jpg", good, "image/jpeg"),
                SimpleUploadedFile("bad.pdf", b"MZ\x90\x00", "application/pdf"),
            ],
        },
    )
    assert response.status_code == 400 and nothing_saved()
    assert not default_storage.exists(f"attachments/{world.umoja.pk}/{digest[:2]}/{digest}")


def test_the_public_forms_category_is_pre_filled_from_the_description_and_a_choice_is_kept(
    world: World,
) -> None:
    client = world.client_for(None)
    page = client.get("/report/?org=umoja").content.decode()
    assert (
        'hx-get="/report/category/?org=umoja"' in page and 'hx-trigger="change from:#id_description"' in page
    )
    field = client.get(
        "/report/category/", {"org": "umoja", "description": "Maji yamekatwa tangu jana", "category": ""}
    ).content.decode()
    assert '<option value="water" selected>' in field and "Chosen from what you wrote" in field
    kept = client.get(
        "/report/category/", {"org": "umoja", "description": "Maji yamekatwa tangu jana", "category": "land"}
    ).content.decode()
    assert '<option value="land" selected>' in kept and "Chosen from what you wrote" not in kept
    empty = client.get("/report/category/", {"org": "umoja", "description": ""}).content.decode()
    assert '<option value="" selected>' in empty and "Chosen from" not in empty
    assert client.get("/report/category/", {"org": "nowhere"}).status_code == 404
    # Sent as pre-filled, the category counts as the reporter's (they saw it and could change it).
    assert post(client, category="water").status_code == 302
    report = Report.objects.get()
    assert report.category_source == "reporter" and [c.key for c in report.categories.all()] == ["water"]
