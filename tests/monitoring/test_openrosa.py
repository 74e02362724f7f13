"""The OpenRosa API as ODK Collect speaks it: form list, form download, HEAD + multipart POST submissions."""

from __future__ import annotations

import base64
import io
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils import timezone

from sauti.monitoring.models import Attachment, Category, Report
from sauti.monitoring.openrosa.submission import SubmissionError, parse_submission
from sauti.monitoring.openrosa.xlsform import xform_for
from sauti.monitoring.taxonomy import TOP_LEVEL_KEYS
from tests.conftest import PASSWORD, World

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

XFORMS = "{http://www.w3.org/2002/xforms}"
FORMLIST = "{http://openrosa.org/xforms/xformsList}"
RESPONSE = "{http://openrosa.org/http/response}"
TODAY = timezone.localdate()
MATHARE = "-1.2621 36.8577 1650.0 5.0"  # ODK geopoint: lat lon altitude accuracy


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-OpenRosa-Version": "1.0"}


def instance_xml(
    form_id: str = "sauti-umoja",
    instance_id: str | None = None,
    *,
    description: str = "Bulldozers demolished twenty homes at dawn",
    occurred_on: str = TODAY.isoformat(),
    category: str = "housing",
    subcategory: str = "housing-demolition",
    place_text: str = "Mabatini",
    location: str = MATHARE,
    people_affected: str = "80",
    photo: str = "",
    language: str = "sw",
) -> bytes:
    """A finalised instance as ODK Collect writes it (namespaced meta, no whitespace between elements)."""
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    return (
        "<?xml version='1.0' ?>"
        f'<report id="{form_id}" version="abc" xmlns:jr="http://openrosa.org/javarosa" '
        'xmlns:orx="http://openrosa.org/xforms">'
        f"<description>{description}</description><occurred_on>{occurred_on}</occurred_on>"
        f"<category>{category}</category><subcategory>{subcategory}</subcategory>"
        f"<place_text>{place_text}</place_text><location>{location}</location>"
        f"<people_affected>{people_affected}</people_affected><photo>{photo}</photo>"
        f"<language>{language}</language>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></report>"
    ).encode()


def multipart(xml: bytes, files: dict[str, tuple[str, bytes]] | None = None) -> tuple[bytes, str]:
    """The body ODK Collect (OkHttp) sends: xml_submission_file, then one part per attachment named by file."""
    boundary = f"----{uuid.uuid4().hex}"
    parts = [("xml_submission_file", "submission.xml", "text/xml", xml)]
    parts += [(name, name, ctype, data) for name, (ctype, data) in (files or {}).items()]
    body = b""
    for name, filename, ctype, data in parts:
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: {ctype}\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def post(
    client: Client,
    xml: bytes,
    user: str | None = "otieno",
    url: str = "/odk/submission",
    files: dict[str, tuple[str, bytes]] | None = None,
) -> Response:
    body, content_type = multipart(xml, files)
    return client.generic("POST", url, body, content_type=content_type, headers=basic(user) if user else {})


def parse(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)  # noqa: S314 (our own responses)


def message(response: Response) -> str:
    root = parse(response.content)
    assert root.tag == f"{RESPONSE}OpenRosaResponse"
    node = root.find(f"{RESPONSE}message")
    assert node is not None
    return node.text or ""


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def collect() -> Client:
    return Client()


def test_the_form_list_is_openrosa_xml_with_hash_version_and_download_url(
    world: World, collect: Client
) -> None:
    response = collect.get("/odk/formList", headers=basic("otieno"))
    assert response.status_code == 200
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Content-Type"].startswith("text/xml")
    root = parse(response.content)
    forms = root.findall(f"{FORMLIST}xform")
    assert root.tag == f"{FORMLIST}xforms" and len(forms) == 1
    form = forms[0]
    assert form.findtext(f"{FORMLIST}formID") == "sauti-umoja"
    expected = xform_for(world.umoja)
    assert form.findtext(f"{FORMLIST}hash") == f"md5:{expected.md5}"
    assert form.findtext(f"{FORMLIST}version") == expected.version
    url = form.findtext(f"{FORMLIST}downloadUrl") or ""
    assert url.startswith("http://testserver/odk/forms/umoja/")
    download = collect.get(url.removeprefix("http://testserver"), headers=basic("otieno"))
    assert download.status_code == 200 and download.content == expected.xml
    assert (
        collect.get("/odk/formList?formID=sauti-haki", headers=basic("otieno")).content.count(b"<xform>") == 0
    )
    # A coalition superuser sees one form per organisation.
    everyone = parse(collect.get("/odk/formList", headers=basic("alice")).content)
    assert {f.findtext(f"{FORMLIST}formID") for f in everyone} == {"sauti-umoja", "sauti-haki"}


def test_the_form_is_generated_from_the_organisations_taxonomy_in_both_languages(world: World) -> None:
    root = parse(xform_for(world.umoja).xml)
    values = {e.text for e in root.iter(f"{XFORMS}name")}
    assert set(TOP_LEVEL_KEYS) <= values and "water-disconnection" in values
    languages = {t.get("lang") for t in root.iter(f"{XFORMS}translation")}
    assert languages == {"English (en)", "Kiswahili (sw)"}
    assert "Maji" in {e.text for e in root.iter(f"{XFORMS}value")}
    binds = {b.get("nodeset"): b.get("type") for b in root.iter(f"{XFORMS}bind")}
    assert binds["/report/location"] == "geopoint" and binds["/report/photo"] == "binary"
    assert binds["/report/meta/instanceID"] == "string"
    before = xform_for(world.umoja)
    Category.objects.filter(organisation=world.umoja, key="corruption").update(name_en="Graft")
    after = xform_for(world.umoja)
    assert after.version != before.version and after.md5 != before.md5 and b"Graft" in after.xml


def test_calls_without_credentials_are_challenged_and_wrong_passwords_refused(
    world: World, collect: Client
) -> None:
    for response in (
        collect.get("/odk/formList"),
        collect.head("/odk/submission"),
        post(collect, instance_xml(), user=None),
        collect.get("/odk/formList", headers=basic("otieno", "wrong-password")),
        collect.get("/odk/formList", headers={"Authorization": "Basic !!!notbase64"}),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith('Basic realm="Sauti"')
        assert response["X-OpenRosa-Version"] == "1.0"
    assert Report.objects.count() == 0


def test_head_announces_the_accepted_size_with_204(world: World, collect: Client) -> None:
    response = collect.head("/odk/submission", headers=basic("otieno"))
    assert response.status_code == 204
    assert response["X-OpenRosa-Version"] == "1.0"
    assert int(response["X-OpenRosa-Accept-Content-Length"]) >= 10 * 1024 * 1024


def test_a_submission_with_a_photo_becomes_a_placed_report(world: World, collect: Client) -> None:
    xml = instance_xml(instance_id="uuid:11111111-2222-3333-4444-555555555555", photo="1700000000.jpg")
    response = post(collect, xml, files={"1700000000.jpg": ("image/jpeg", jpeg())})
    assert response.status_code == 201, response.content
    assert response["X-OpenRosa-Version"] == "1.0"
    report = Report.objects.get()
    assert message(response) == f"Thank you: report {report.reference} received."
    assert report.channel == "odk" and report.external_id == "uuid:11111111-2222-3333-4444-555555555555"
    assert report.submitted_by == world.otieno and report.organisation == world.umoja
    assert report.ward is not None and report.ward.code == 1445 and report.precision == "point"
    assert set(report.categories.values_list("key", flat=True)) == {"housing", "housing-demolition"}
    assert report.people_affected == 80 and report.occurred_on == TODAY and report.language == "sw"
    assert report.case is not None and report.case.category is not None
    assert report.case.category.key == "housing"
    attachment = Attachment.objects.get(report=report)
    assert attachment.content_type == "image/jpeg" and attachment.original_name == "1700000000.jpg"


def test_a_retry_is_a_duplicate_and_a_changed_instance_a_conflict(world: World, collect: Client) -> None:
    xml = instance_xml(instance_id="uuid:abc")
    assert post(collect, xml).status_code == 201
    again = post(collect, xml)
    assert again.status_code == 202 and message(again) == "Duplicate submission"
    changed = post(collect, instance_xml(instance_id="uuid:abc", people_affected="81"))
    assert changed.status_code == 409
    assert Report.objects.count() == 1 and Report.objects.get().people_affected == 80
    # The same instanceID in another organisation is another report.
    assert post(collect, instance_xml("sauti-haki", "uuid:abc"), user="bob").status_code == 201


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (b"<report id='sauti-umoja'><description>x</description>", "not valid XML"),
        (b"not xml at all", "not valid XML"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<report id='sauti-umoja'><description>&b;</description><meta><instanceID>uuid:1</instanceID></meta></report>",
            "not valid XML",
        ),
        (
            instance_xml().replace(b"<meta><instanceID>", b"<meta><x>").replace(b"</instanceID>", b"</x>"),
            "instance ID",
        ),
        (instance_xml(category="witchcraft", subcategory=""), "Unknown category: witchcraft."),
        (instance_xml(location="4.0 -72.3 0 0"), "outside Kenya"),
        (instance_xml(location="north of the river"), "GPS location"),
        (instance_xml(occurred_on=(TODAY + timedelta(days=3)).isoformat()), "in the future"),
        (instance_xml(occurred_on="1950-01-01"), "before 1963"),
        (instance_xml(occurred_on="yesterday"), "is not valid"),
        (instance_xml(people_affected="many"), "not a whole number"),
        (instance_xml(description=""), "Say what happened"),
        (instance_xml("kobo-form-7"), "not a Sauti form"),
    ],
)
def test_bad_submissions_get_400_with_a_reason_and_save_nothing(
    world: World, collect: Client, xml: bytes, expected: str
) -> None:
    response = post(collect, xml)
    assert response.status_code == 400
    assert expected in message(response)
    assert response["X-OpenRosa-Version"] == "1.0"
    assert Report.objects.count() == 0


def test_a_fake_photo_is_refused_and_nothing_is_saved(world: World, collect: Client) -> None:
    xml = instance_xml(photo="evil.jpg")
    response = post(collect, xml, files={"evil.jpg": ("image/jpeg", b"MZ\x90\x00 this is an exe")})
    assert response.status_code == 400 and "not a photo" in message(response)
    assert Report.objects.count() == 0 and Attachment.objects.count() == 0


def test_a_body_without_the_xml_part_is_400(world: World, collect: Client) -> None:
    response = collect.post("/odk/submission", {"something": "else"}, headers=basic("otieno"))
    assert response.status_code == 400 and "xml_submission_file" in message(response)
    raw = collect.generic(
        "POST", "/odk/submission", instance_xml(), content_type="text/xml", headers=basic("otieno")
    )
    assert raw.status_code == 400


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("otieno", 201),
        ("achieng", 201),
        ("wanjiku", 201),
        ("kamau", 403),
        ("chief", 403),
        ("bob", 404),
        ("outsider", 404),
    ],
)
def test_only_people_who_may_submit_reports_to_the_organisation_can(
    world: World, collect: Client, persona: str, status: int
) -> None:
    response = post(collect, instance_xml(), user=persona)
    assert response.status_code == status
    assert response["X-OpenRosa-Version"] == "1.0"
    assert Report.objects.count() == (1 if status == 201 else 0)
    form_status = collect.get("/odk/forms/umoja/form.xml", headers=basic(persona)).status_code
    assert form_status == (200 if status == 201 else status)


def test_the_organisation_url_lists_and_accepts_only_its_own_form(world: World, collect: Client) -> None:
    listed = collect.get("/odk/umoja/formList", headers=basic("alice"))
    assert listed.content.count(b"<xform>") == 1 and b"sauti-umoja" in listed.content
    assert collect.head("/odk/umoja/submission", headers=basic("otieno")).status_code == 204
    assert collect.head("/odk/haki/submission", headers=basic("otieno")).status_code == 404
    wrong = post(collect, instance_xml("sauti-haki"), user="alice", url="/odk/umoja/submission")
    assert wrong.status_code == 400
    assert post(collect, instance_xml(), user="otieno", url="/odk/umoja/submission").status_code == 201


def test_enketo_in_a_logged_in_browser_uses_the_session_and_its_csrf_token(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.otieno)
    assert browser.get("/odk/formList").status_code == 200
    body, content_type = multipart(instance_xml())
    refused = browser.generic("POST", "/odk/submission", body, content_type=content_type)
    assert refused.status_code == 401 and Report.objects.count() == 0
    page = RequestFactory().get("/")
    token = get_token(page)
    browser.cookies[settings.CSRF_COOKIE_NAME] = page.META["CSRF_COOKIE"]
    accepted = browser.generic(
        "POST", "/odk/submission", body, content_type=content_type, headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201


def test_the_xlsform_can_be_downloaded_for_kobo_or_central(world: World, collect: Client) -> None:
    from openpyxl import load_workbook

    response = collect.get("/odk/forms/umoja/xlsform.xlsx", headers=basic("wanjiku"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["survey", "choices", "settings"]
    names = [row[1] for row in book["choices"].iter_rows(min_row=2, values_only=True)]
    assert "public-projects" in names


def test_the_parser_refuses_entities_even_without_a_doctype_keyword_case() -> None:
    with pytest.raises(SubmissionError):
        parse_submission(b'<?xml version="1.0"?><!doctype r SYSTEM "file:///etc/passwd"><r/>')
    with pytest.raises(SubmissionError):
        parse_submission(b"<r><!ENTITY x 'y'></r>")
