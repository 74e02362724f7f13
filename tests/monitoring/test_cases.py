"""The case page: what each role sees, the lifecycle, grouping decisions, editing, notes, attachments."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from PIL import Image

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sauti.monitoring.actions import ReportInput, do_transition
from sauti.monitoring.models import Attachment, Case, CaseEvent, Category, Report, Status
from sauti.monitoring.web_actions import ReporterDetails, do_submit_report_with_reporter
from sauti.people.models import IdentityAccess, Office
from tests.conftest import World

TODAY = timezone.localdate()
REPORTER_NAME = "Wairimu Njoki"
REPORTER_PHONE = "+254712000099"
GPS = {1: "S", 2: (1.0, 16.0, 30.0), 3: "E", 4: (36.0, 51.0, 0.0)}


def jpeg_with_gps(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    image = Image.new("RGB", (64, 48), colour)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def submit(
    world: World, text: str, *, org: str = "umoja", identified: bool = False, **extra: object
) -> Report:
    fields: dict[str, object] = {"description": text, "channel": "web", "occurred_on": TODAY, **extra}
    organisation = getattr(world, org)
    reporter = (
        ReporterDetails(name=REPORTER_NAME, phone=REPORTER_PHONE, language="sw", consent_method="web")
        if identified
        else None
    )
    return do_submit_report_with_reporter(organisation, ReportInput(**fields), reporter, None)  # type: ignore[arg-type]


@dataclass
class Seeded:
    case: Case  # Umoja, Mabatini, an identified reporter and a photo
    report: Report
    attachment: Attachment
    referred: Case  # Umoja, referred to the chief's office, same reporter, a photo
    referred_attachment: Attachment
    other: Case  # Umoja, another place and category
    haki_case: Case


def seed(world: World) -> Seeded:
    report = submit(
        world,
        "Houses demolished at night near the chief's camp",
        identified=True,
        place_text="Mabatini",
        category_keys=["housing-demolition"],
        people_affected=40,
        attachments=[SimpleUploadedFile("demolition.jpg", jpeg_with_gps())],
    )
    referred_report = submit(
        world,
        "Water kiosk closed for two weeks in Kwa Reuben",
        identified=True,
        place_text="Kwa Reuben",
        category_keys=["water"],
        attachments=[SimpleUploadedFile("kiosk.jpg", jpeg_with_gps((20, 90, 200)))],
    )
    referred = referred_report.case
    assert referred is not None
    do_transition(referred, Status.TRIAGED, world.wanjiku)
    do_transition(referred, Status.VERIFIED, world.wanjiku, method="site_visit")
    do_transition(
        referred, Status.REFERRED, world.wanjiku, referred_to=Office.objects.get(name="Chief, Mabatini")
    )
    other = submit(
        world, "Teachers ask for illegal exam fees", place_text="Githunguri", category_keys=["education"]
    )
    haki = submit(
        world, "Sewage flowing in Kibera lanes", org="haki", place_text="Kibera", category_keys=["sanitation"]
    )
    assert report.case and other.case and haki.case
    return Seeded(
        case=report.case,
        report=report,
        attachment=report.attachments.get(),
        referred=Case.objects.get(pk=referred.pk),
        referred_attachment=referred_report.attachments.get(),
        other=other.case,
        haki_case=haki.case,
    )


@pytest.fixture
def seeded(world: World) -> Seeded:
    return seed(world)


def test_a_coordinator_sees_the_case_with_its_reporter_and_the_view_is_logged(
    world: World, seeded: Seeded
) -> None:
    page = world.client_for(world.wanjiku).get(f"/cases/{seeded.case.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Houses demolished at night" in html and REPORTER_NAME in html and REPORTER_PHONE in html
    assert "Mabatini" in html and "/places/?q=Mabatini" in html
    assert f"/cases/attachments/{seeded.attachment.pk}/?v=thumb" in html
    assert IdentityAccess.objects.filter(user=world.wanjiku, context=f"case {seeded.case.reference}").exists()


@pytest.mark.parametrize("persona", ["otieno", "achieng", "kamau"])
def test_other_roles_see_the_reporter_as_a_pseudonym_and_no_actions(
    world: World, seeded: Seeded, persona: str
) -> None:
    html = world.client_for(getattr(world, persona)).get(f"/cases/{seeded.case.pk}/").content.decode()
    assert REPORTER_NAME not in html and REPORTER_PHONE not in html
    assert seeded.report.reporter is not None and seeded.report.reporter.pseudonym in html
    assert "/status/" not in html and "/notes/" not in html and "?v=original" not in html
    assert not IdentityAccess.objects.filter(user=getattr(world, persona)).exists()


def test_an_official_sees_a_referred_case_read_only_without_identities_or_notes(
    world: World, seeded: Seeded
) -> None:
    from sauti.monitoring.actions import do_add_note

    do_add_note(seeded.referred, world.wanjiku, "Internal: the kiosk owner is a cousin of the MCA")
    page = world.client_for(world.chief).get(f"/cases/{seeded.referred.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "referred to your office" in html and "Water kiosk closed" in html
    assert REPORTER_NAME not in html and REPORTER_PHONE not in html
    assert "cousin of the MCA" not in html
    assert "/status/" not in html and '<form method="post" action="/cases/' not in html
    assert f"/cases/attachments/{seeded.referred_attachment.pk}/" in html
    assert world.client_for(world.chief).get(f"/cases/{seeded.case.pk}/").status_code == 404


def test_a_coordinator_triages_and_verifies_and_the_timeline_says_who_when_how(
    world: World, seeded: Seeded
) -> None:
    client = world.client_for(world.wanjiku)
    url = f"/cases/{seeded.case.pk}/status/"
    assert client.post(url, {"to_status": "triaged", "reason": "Two reports agree"}).status_code == 302
    response = client.post(
        url, {"to_status": "verified", "method": "site_visit", "reason": "Visited on Tuesday"}
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=seeded.case.pk)
    assert case.status == Status.VERIFIED and case.verification_method == "site_visit"
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Status: New → Triaged" in html and "Status: Triaged → Verified" in html
    assert "Site visit by a monitor" in html and "Visited on Tuesday" in html and "Two reports agree" in html
    assert html.count("wanjiku") >= 2


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"to_status": "resolved"}, "cannot become"),
        ({"to_status": "triaged"}, ""),  # allowed: the control case
        ({"to_status": "rejected"}, "Give a reason for rejecting"),
        ({"to_status": "flying"}, "Select a valid choice"),
        ({"to_status": "referred", "referred_to": "999999"}, "Select a valid choice"),
    ],
)
def test_a_wrong_transition_is_refused_with_the_reason_and_nothing_changes(
    world: World, seeded: Seeded, post: dict[str, str], message: str
) -> None:
    client = world.client_for(world.wanjiku)
    response = client.post(f"/cases/{seeded.case.pk}/status/", post)
    events = CaseEvent.objects.filter(case=seeded.case, kind=CaseEvent.Kind.STATUS)
    if not message:
        assert response.status_code == 302 and events.count() == 1
        return
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not events.exists() and Case.objects.get(pk=seeded.case.pk).status == Status.NEW


def test_the_reason_for_a_refused_transition_is_in_the_users_language(world: World, seeded: Seeded) -> None:
    client = world.client_for(world.wanjiku)
    client.cookies["sauti_language"] = "sw"
    response = client.post(f"/cases/{seeded.case.pk}/status/", {"to_status": "resolved"})
    assert response.status_code == 400
    assert 'lang="sw"' in response.content.decode()


def test_verifying_needs_a_method(world: World, seeded: Seeded) -> None:
    client = world.client_for(world.wanjiku)
    client.post(f"/cases/{seeded.case.pk}/status/", {"to_status": "triaged"})
    response = client.post(f"/cases/{seeded.case.pk}/status/", {"to_status": "verified"})
    assert response.status_code == 400 and "Say how the case was verified" in response.content.decode()


def test_editing_a_case_records_what_changed(world: World, seeded: Seeded) -> None:
    client = world.client_for(world.wanjiku)
    category = Category.objects.get(organisation=world.umoja, key="land")
    response = client.post(
        f"/cases/{seeded.case.pk}/edit/",
        {
            "title": "Night demolitions, Mabatini",
            "summary": "40 families",
            "category": category.pk,
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=seeded.case.pk)
    assert (case.title, case.category_id, case.is_public, case.is_sensitive) == (
        "Night demolitions, Mabatini",
        category.pk,
        True,
        False,
    )
    event = case.events.get(kind=CaseEvent.Kind.EDITED)
    assert set(event.data["changes"]) == {"title", "summary", "category", "is_public"}
    assert event.actor == world.wanjiku


def test_editing_refuses_another_organisations_category_and_an_empty_title(
    world: World, seeded: Seeded
) -> None:
    client = world.client_for(world.wanjiku)
    haki_category = Category.objects.get(organisation=world.haki, key="land")
    bad = client.post(f"/cases/{seeded.case.pk}/edit/", {"title": "x", "category": haki_category.pk})
    empty = client.post(f"/cases/{seeded.case.pk}/edit/", {"title": ""})
    assert bad.status_code == 400 and empty.status_code == 400
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.EDITED).exists()


def test_notes_go_on_the_timeline_and_empty_ones_are_refused(world: World, seeded: Seeded) -> None:
    client = world.client_for(world.wanjiku)
    assert client.post(f"/cases/{seeded.case.pk}/notes/", {"text": "Called the chief"}).status_code == 302
    assert client.post(f"/cases/{seeded.case.pk}/notes/", {"text": "   "}).status_code == 400
    assert list(seeded.case.events.filter(kind=CaseEvent.Kind.NOTE).values_list("reason", flat=True)) == [
        "Called the chief"
    ]


def _grouped_pair(world: World) -> tuple[Report, Report]:
    first = submit(
        world,
        "Water disconnected in Kwa Reuben, 200 families without water",
        place_text="Kwa Reuben",
        category_keys=["water"],
    )
    second = submit(
        world,
        "Kwa Reuben water cut since Monday, families without water",
        place_text="Kwa Reuben",
        category_keys=["water-disconnection"],
        occurred_on=TODAY - timedelta(days=1),
    )
    assert second.case_id == first.case_id and not second.grouping_confirmed
    return first, second


def test_a_suggested_grouping_can_be_confirmed(world: World) -> None:
    first, second = _grouped_pair(world)
    client = world.client_for(world.wanjiku)
    html = client.get(f"/cases/{first.case_id}/").content.decode()
    assert "Is it the same event?" in html or "same event" in html
    response = client.post(f"/cases/{first.case_id}/reports/{second.pk}/confirm/")
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.grouping_confirmed
    assert CaseEvent.objects.filter(
        kind=CaseEvent.Kind.GROUPING_CONFIRMED, report=second, actor=world.wanjiku
    ).exists()


def test_a_report_can_be_split_into_its_own_case_or_moved_to_another(world: World) -> None:
    first, second = _grouped_pair(world)
    assert first.case_id is not None
    client = world.client_for(world.wanjiku)
    assert (
        client.post(
            f"/cases/{first.case_id}/reports/{second.pk}/split/", {"reason": "other pipe"}
        ).status_code
        == 302
    )
    second.refresh_from_db()
    assert second.case_id != first.case_id and second.grouping_confirmed
    assert Case.objects.get(pk=first.case_id).report_count == 1
    response = client.post(
        f"/cases/{second.case_id}/reports/{second.pk}/move/", {"target": f"C{first.case_id}"}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.case_id == first.case_id


def test_moving_to_a_case_of_another_organisation_or_a_missing_case_is_refused(
    world: World, seeded: Seeded
) -> None:
    client = world.client_for(world.wanjiku)
    url = f"/cases/{seeded.case.pk}/reports/{seeded.report.pk}/move/"
    for target, message in [
        (f"C{seeded.haki_case.pk}", "There is no case"),
        ("C999999", "There is no case"),
        ("R1", "Give a case number"),
        (f"C{seeded.case.pk}", "already in this case"),
    ]:
        response = client.post(url, {"target": target})
        assert response.status_code == 400, target
        assert message in response.content.decode()
    seeded.report.refresh_from_db()
    assert seeded.report.case_id == seeded.case.pk


def test_a_report_is_only_handled_through_its_own_case(world: World, seeded: Seeded) -> None:
    client = world.client_for(world.wanjiku)
    response = client.post(f"/cases/{seeded.other.pk}/reports/{seeded.report.pk}/confirm/")
    assert response.status_code == 404


def test_the_public_copy_of_a_photo_has_no_exif_while_the_original_keeps_its_hash(
    world: World, seeded: Seeded
) -> None:
    original = jpeg_with_gps()
    attachment = seeded.attachment
    assert attachment.sha256 == hashlib.sha256(original).hexdigest()
    client = world.client_for(world.wanjiku)

    public = b"".join(client.get(f"/cases/attachments/{attachment.pk}/").streaming_content)  # type: ignore[attr-defined]
    with Image.open(io.BytesIO(public)) as image:
        assert not image.getexif() and image.getexif().get_ifd(0x8825) == {}
        assert image.size == (64, 48)
    assert b"TestCam" not in public

    kept = client.get(f"/cases/attachments/{attachment.pk}/?v=original")
    data = b"".join(kept.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(data).hexdigest() == attachment.sha256
    with Image.open(io.BytesIO(data)) as image:
        assert image.getexif().get_ifd(0x8825) == GPS
    assert kept["Content-Disposition"].startswith("attachment")

    thumb = client.get(f"/cases/attachments/{attachment.pk}/?v=thumb")
    assert thumb["Content-Type"] == "image/jpeg" and b"TestCam" not in thumb.content


def test_a_case_page_costs_a_bounded_number_of_queries(
    world: World, seeded: Seeded, django_assert_max_num_queries: object
) -> None:
    for n in range(6):
        submit(
            world,
            f"Demolition number {n} near the chief's camp",
            place_text="Mabatini",
            category_keys=["housing"],
        )
    client = world.client_for(world.kamau)
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        assert client.get(f"/cases/{seeded.case.pk}/").status_code == 200


def test_a_missing_case_is_not_found(world: World) -> None:
    assert world.client_for(world.wanjiku).get("/cases/987654/").status_code == 404


# Categories, editable without code ---------------------------------------------------------------------


def test_a_coordinator_renames_and_retires_a_category(world: World) -> None:
    water = Category.objects.get(organisation=world.umoja, key="water")
    client = world.client_for(world.wanjiku)
    page = client.get("/cases/categories/").content.decode()
    assert 'id="category-water"' in page and "Haki Mtaani" not in page
    response = client.post(
        f"/cases/categories/{water.pk}/",
        {"name_en": "Water supply", "name_sw": "Huduma ya maji", "position": "5"},
    )
    assert response.status_code == 302
    water.refresh_from_db()
    assert (water.name_en, water.name_sw, water.is_active, water.position) == (
        "Water supply",
        "Huduma ya maji",
        False,
        5,
    )
    refused = world.client_for(None).post(
        "/report/?org=umoja", {"description": "Dry taps", "category": "water"}
    )
    assert refused.status_code == 400 and "Unknown category: water." in refused.content.decode()


def test_a_coordinator_adds_a_sub_category_with_a_key_made_from_its_name(world: World) -> None:
    housing = Category.objects.get(organisation=world.umoja, key="housing")
    client = world.client_for(world.wanjiku)
    response = client.post(
        f"/cases/categories/{world.umoja.slug}/new/",
        {"parent": housing.pk, "name_en": "Rent hikes", "name_sw": "Kupandishwa kwa kodi"},
    )
    assert response.status_code == 302
    added = Category.objects.get(organisation=world.umoja, key="housing-rent-hikes")
    assert added.parent == housing and added.is_active
    assert not Category.objects.filter(organisation=world.haki, key="housing-rent-hikes").exists()
    report = submit(world, "Landlord doubled the rent", category_keys=["housing-rent-hikes"])
    assert report.case is not None and report.case.category == housing


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"key": "water", "name_en": "Water again", "name_sw": "Maji tena"},
            "The key “water” is already in use.",
        ),
        ({"key": "!!!", "name_en": "???", "name_sw": "???"}, "Give a key made of letters or digits."),
        ({"name_en": "", "name_sw": "Kitu"}, "This field is required."),
        ({"parent": "sub", "name_en": "Nested", "name_sw": "Ndani"}, "Select a valid choice"),
        ({"parent": "haki", "name_en": "Cross", "name_sw": "Kuvuka"}, "Select a valid choice"),
    ],
)
def test_a_bad_category_is_refused_with_the_reason(
    world: World, fields: dict[str, str], message: str
) -> None:
    parents = {
        "sub": Category.objects.get(organisation=world.umoja, key="water-quality").pk,
        "haki": Category.objects.get(organisation=world.haki, key="water").pk,
    }
    if fields.get("parent") in parents:
        fields = {**fields, "parent": str(parents[fields["parent"]])}
    before = Category.objects.count()
    response = world.client_for(world.wanjiku).post(f"/cases/categories/{world.umoja.slug}/new/", fields)
    assert response.status_code == 400 and message in response.content.decode()
    assert Category.objects.count() == before


def test_a_category_of_another_organisation_cannot_be_edited(world: World) -> None:
    haki_water = Category.objects.get(organisation=world.haki, key="water")
    response = world.client_for(world.wanjiku).post(
        f"/cases/categories/{haki_water.pk}/", {"name_en": "Mine", "name_sw": "Yangu", "position": "1"}
    )
    assert response.status_code == 404
    haki_water.refresh_from_db()
    assert haki_water.name_en == "Water"
