"""Site visits from the field: the ODK site-visit form (OpenRosa list, download, multipart submission), the
USSD "Project status" menu (Africa's Talking callback), and a coordinator changing a project's category."""

from __future__ import annotations

import uuid
from itertools import count
from typing import Any

import pytest
from PIL import Image

from django.test import Client

from sauti.audit import audit
from sauti.budgets.models import Correction, Observation, Project
from sauti.messaging.models import CHANNEL_CACHE, Channel, ChannelKind
from sauti.messaging.segments import measure
from sauti.monitoring.models import Attachment, Category, Report
from sauti.people.models import Contact
from tests.budgets.test_register import jpeg_with_gps, project
from tests.conftest import World
from tests.monitoring.test_openrosa import FORMLIST, XFORMS, basic, message, parse, post

MIKINDANI = "-4.0435 39.6682 12.0 4.0"


def visit_xml(
    instance_id: str | None = None,
    *,
    form_id: str = "budget-visit-umoja",
    project: str = "P8",
    status: str = "not_started",
    note: str = "Only the old building, no works",
    location: str = MIKINDANI,
    photo: str = "",
    photo_2: str = "",
    observed_on: str = "",
) -> bytes:
    """A finalised site-visit instance as ODK Collect writes it."""
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    return (
        "<?xml version='1.0' ?>"
        f'<report id="{form_id}" version="x" xmlns:jr="http://openrosa.org/javarosa" '
        'xmlns:orx="http://openrosa.org/xforms">'
        f"<project>{project}</project><status>{status}</status><note>{note}</note>"
        f"<observed_on>{observed_on}</observed_on><location>{location}</location>"
        f"<photo>{photo}</photo><photo_2>{photo_2}</photo_2>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></report>"
    ).encode()


def test_the_site_visit_form_is_listed_and_downloads_in_both_languages(mombasa: World) -> None:
    collect = Client()
    listing = parse(collect.get("/odk/formList", headers=basic("otieno")).content)
    forms = {x.findtext(f"{FORMLIST}formID"): x for x in listing.iter(f"{FORMLIST}xform")}
    assert "budget-visit-umoja" in forms and "budget-visit-haki" not in forms  # haki has no projects
    url = forms["budget-visit-umoja"].findtext(f"{FORMLIST}downloadUrl") or ""
    xml = collect.get(url.removeprefix("http://testserver"), headers=basic("otieno")).content
    root = parse(xml)
    assert root.tag == "{http://www.w3.org/1999/xhtml}html"
    text = xml.decode()
    assert 'lang="English (en)"' in text and 'lang="Kiswahili (sw)"' in text
    for name in ("project", "status", "note", "location", "photo", "photo_2", "observed_on"):
        assert f"/report/{name}" in text, name
    assert "Not started" in text and "geopoint" in text
    md5 = forms["budget-visit-umoja"].findtext(f"{FORMLIST}hash")
    assert md5 and md5.startswith("md5:")
    # Downloading the form of an organisation one is not in: the OpenRosa 404.
    outsider = collect.get("/odk/forms/haki/budget-visit-haki.xml", headers=basic("otieno"))
    assert outsider.status_code in (403, 404)
    assert root.find(f".//{XFORMS}model") is not None


def test_an_odk_site_visit_makes_the_web_forms_observation_once(mombasa: World) -> None:
    p = project(mombasa, 8)  # Likoni fire station: 100% paid and complete as published
    collect = Client()
    instance = f"uuid:{uuid.uuid4()}"
    xml = visit_xml(instance, project=f"P{p.number}", photo="site.jpg")
    response = post(collect, xml, files={"site.jpg": ("image/jpeg", jpeg_with_gps())})
    assert response.status_code == 201, message(response)
    assert response["X-OpenRosa-Version"] == "1.0" and p.reference in message(response)
    observation = Observation.objects.get(project=p)
    assert observation.source == "odk" and observation.status == "not_started"
    assert (observation.lat, observation.lon) == (-4.0435, 39.6682)
    report = observation.report
    assert report is not None and report.channel == "odk" and report.external_id == instance
    assert report.submitted_by == mombasa.otieno
    attachment = Attachment.objects.get(report=report)
    with Image.open(attachment.public_file) as public:
        assert not public.getexif()  # the public copy is EXIF-free
    assert audit.history("budgets.observation", [observation.pk])
    assert audit.history("monitoring.report", [report.pk])
    p.refresh_from_db()
    assert p.observed_status == "not_started" and "progress_mismatch" in p.flags
    # Collect retries the same instance: 202, nothing new.
    again = post(collect, xml, files={"site.jpg": ("image/jpeg", jpeg_with_gps())})
    assert again.status_code == 202
    assert Observation.objects.count() == 1 and Report.objects.filter(channel="odk").count() == 1
    # Another instance under the same instanceID: 409.
    other = post(collect, visit_xml(instance, project=f"P{p.number}", status="complete"))
    assert other.status_code == 409 and Observation.objects.count() == 1
    # A bare number is a project code too; the visit is shown on the project page.
    assert post(collect, visit_xml(project=str(p.number), status="stalled", note="")).status_code == 201
    page = mombasa.client_for(mombasa.wanjiku).get(f"/budgets/umoja/projects/{p.number}/").content.decode()
    assert "Field form (ODK)" in page


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"project": "P9999"}, "no project number"),
        ({"project": "Likoni"}, "no project number"),
        ({"status": "demolished"}, "Choose what you saw"),
        ({"status": ""}, "Choose what you saw"),
        ({"location": "north of the market"}, "GPS"),
        ({"location": "95 200"}, "GPS"),
        ({"observed_on": "2999-01-01"}, "in the future"),
        ({"observed_on": "yesterday"}, "is not valid"),
    ],
)
def test_bad_odk_site_visits_get_the_openrosa_error(
    mombasa: World, fields: dict[str, str], needle: str
) -> None:
    response = post(Client(), visit_xml(**fields))
    assert response.status_code == 400 and needle in message(response)
    assert 'nature="submit_failure"' in response.content.decode()
    assert Observation.objects.count() == 0 and Report.objects.count() == 0


def test_odk_site_visits_need_the_right_to_observe_and_answer_in_kiswahili(mombasa: World) -> None:
    # An analyst may neither send reports nor record site visits: the form is not theirs to fill.
    denied = post(Client(), visit_xml(), user="kamau")
    assert denied.status_code == 400 and Observation.objects.count() == 0
    assert "budget-visit-umoja" not in Client().get("/odk/formList", headers=basic("kamau")).content.decode()
    mombasa.otieno.preferred_language = "sw"
    mombasa.otieno.save()
    response = post(Client(), visit_xml(project="P9999"))
    assert response.status_code == 400 and "Hakuna mradi" in message(response)


# --- USSD ----------------------------------------------------------------------------------------------

_sessions = count(1)


class Dial:
    """One USSD session through Africa's Talking's callback (form POST, `text` = inputs joined by `*`)."""

    def __init__(self, channel: Channel, phone: str = "+254711000777") -> None:
        self.channel, self.phone = channel, phone
        self.session_id = f"ATUid_budget_{next(_sessions)}"
        self.inputs: list[str] = []
        self.client = Client(enforce_csrf_checks=True)

    def start(self) -> str:
        return self._post("")

    def send(self, entry: str) -> str:
        self.inputs.append(entry)
        return self._post("*".join(self.inputs))

    def _post(self, text: str) -> str:
        data = {
            "sessionId": self.session_id,
            "serviceCode": "*384*1234#",
            "phoneNumber": self.phone,
            "networkCode": "63902",
            "text": text,
        }
        response = self.client.post(f"/messaging/hooks/at/{self.channel.token}/ussd/", data)
        assert response.status_code == 200
        body = response.content.decode()
        m = measure(body.removeprefix("CON ").removeprefix("END "), normalise=False)
        assert m.encoding == "GSM-7" and m.units <= 160, body
        return body


@pytest.fixture
def at_channel(mombasa: World) -> Any:
    CHANNEL_CACHE.clear()
    channel = Channel(
        organisation=mombasa.umoja,
        kind=ChannelKind.AFRICASTALKING,
        name="AT",
        address="21512",
        ussd_code="*384*1234#",
        base_url="http://127.0.0.1:9",
    )
    channel.credentials = {"username": "umoja", "api_key": "at-secret-key"}
    channel.save()
    yield channel
    CHANNEL_CACHE.clear()


@pytest.mark.parametrize("lang", ["en", "sw"])
def test_a_ussd_site_visit_in_the_sessions_language(mombasa: World, at_channel: Channel, lang: str) -> None:
    phone = "+254711000777"
    contact = Contact(organisation=mombasa.umoja, language=lang)
    contact.phone = phone
    contact.save()
    p = project(mombasa, 9)  # 100% complete as published
    dial = Dial(at_channel, phone)
    home = dial.start()
    assert home.startswith("CON ") and ("6. Project status" if lang == "en" else "6. Hali ya mradi") in home
    ask = dial.send("6")
    assert ask.startswith("CON ") and ("project number" if lang == "en" else "namba ya mradi") in ask
    unknown = dial.send("9999")
    assert (
        unknown.startswith("CON ")
        and ("no project number 9999" if lang == "en" else "Hakuna mradi namba 9999") in unknown
    )
    options = dial.send(f"P{p.number}")
    assert options.startswith(f"CON P{p.number} ")
    assert ("3. Stalled" if lang == "en" else "3. Umekwama") in options
    wrong = dial.send("7")
    assert ("Choose a number" if lang == "en" else "Chagua namba") in wrong and wrong.startswith(
        f"CON P{p.number} "
    )
    confirm = dial.send("3")
    assert confirm.startswith("CON ") and "1. " in confirm and "2. " in confirm
    done = dial.send("1")
    assert (
        done.startswith("END ")
        and p.reference in done
        and ("Thank you" if lang == "en" else "Asante") in done
    )
    observation = Observation.objects.get(project=p)
    assert observation.status == "stalled" and observation.source == "ussd"
    report = observation.report
    assert report is not None and report.channel == "ussd" and report.language == lang
    assert report.reporter is not None and report.reporter.pk == contact.pk
    assert audit.history("budgets.observation", [observation.pk])
    p.refresh_from_db()
    assert p.observed_status == "stalled" and "progress_mismatch" in p.flags
    # The gateway repeats the last request: the same answer, nothing new.
    assert dial._post("*".join(dial.inputs)) == done
    assert Observation.objects.count() == 1 and Report.objects.filter(channel="ussd").count() == 1


def test_ussd_back_home_and_cancel(mombasa: World, at_channel: Channel) -> None:
    p = project(mombasa, 4)
    dial = Dial(at_channel)  # a number Sauti does not know: Kiswahili
    dial.start()
    dial.send("6")
    assert "Hiyo si namba ya mradi" in dial.send("hello")
    dial.send(str(p.number))
    back = dial.send("0")  # back to the project number
    assert back.startswith("CON ") and "namba ya mradi" in back
    dial.send(str(p.number))
    dial.send("1")
    assert dial.send("2").startswith("END ")  # cancel
    assert Observation.objects.count() == 0
    # 0 at the first question goes home, and the rest of the menu still works from there.
    other = Dial(at_channel)
    other.start()
    other.send("6")
    home = other.send("0")
    assert home.startswith("CON ") and "6. " in home and "1. " in home
    assert "CON" in other.send("2")  # check a report: asks for its number
    # Surveys (5) keep their own path.
    survey = Dial(at_channel)
    survey.start()
    assert survey.send("5").startswith(("CON", "END"))
    assert Observation.objects.count() == 0


# --- Category by hand ----------------------------------------------------------------------------------


def test_a_coordinator_changes_a_projects_category_audited(mombasa: World) -> None:
    p = project(mombasa, 8)
    water = Category.objects.get(organisation=mombasa.umoja, key="water")
    security = Category.objects.get(organisation=mombasa.umoja, key="security")
    url = f"/budgets/umoja/projects/{p.number}/category/"
    coordinator = mombasa.client_for(mombasa.wanjiku)
    # Bad input: 400 with a reason, nothing changed.
    assert coordinator.post(url, {"category": "abc"}).status_code == 400
    other_org = Category.objects.filter(organisation=mombasa.haki).first()
    assert other_org is not None
    bad = coordinator.post(url, {"category": other_org.pk})
    assert bad.status_code == 400 and "valid choice" in bad.content.decode()
    assert coordinator.post(url, {}).status_code == 400
    # Members may not.
    assert mombasa.client_for(mombasa.otieno).post(url, {"category": water.pk}).status_code == 403
    before = p.category
    response = coordinator.post(url, {"category": security.pk, "reason": "Fire station: disaster management"})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.category == security
    correction = Correction.objects.get(project=p, field="category")
    assert correction.by == mombasa.wanjiku and correction.corrected_value == security.name_en
    assert correction.published_value == (before.name_en if before else "")
    assert audit.history("budgets.correction", [correction.pk])
    page = coordinator.get(f"/budgets/umoja/projects/{p.number}/").content.decode()
    assert security.name_en in page and "category chosen by wanjiku" in page
    # The department's mapping: every project published under the same sector at once.
    same = Project.objects.filter(organisation=mombasa.umoja, sector_published=p.sector_published)
    assert coordinator.post(url, {"category": water.pk, "same_sector": "on"}).status_code == 302
    assert set(same.values_list("category", flat=True)) == {water.pk}
    assert Correction.objects.filter(field="category").count() == 1 + same.count()
    # Kiswahili reason for bad input.
    sw = mombasa.client_for(mombasa.wanjiku)
    sw.cookies["django_language"] = "sw"
    assert sw.post(url, {"category": "abc"}, headers={"Accept-Language": "sw"}).status_code == 400


def test_a_damaged_photo_is_refused_with_the_openrosa_message(mombasa: World) -> None:
    xml = visit_xml(photo="site.jpg")
    response = post(Client(), xml, files={"site.jpg": ("image/jpeg", b"\xff\xd8 not really a jpeg")})
    assert response.status_code == 400 and "is not a photo" in message(response)
    assert Observation.objects.count() == 0 and Report.objects.count() == 0
