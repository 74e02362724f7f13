"""Issue 14, break 2: identities written in report text never reach those who may not see identities —
case page, case list, API, exports — while coordinators see the original beside the redacted text and can
correct it. And break 6: an official's case page shows no pseudonyms or staff names; a sensitive case of
another organisation referred to the office shows its ward and status, not its text or exact place."""

from __future__ import annotations

import re

import pytest

from django.utils import timezone

from sauti.monitoring.actions import ReportInput, do_submit_report, do_transition
from sauti.monitoring.models import Case, Report, Status
from sauti.people.models import Contact, Office
from tests.conftest import World

TEXT = "Mimi ni Achieng Kibet, simu yangu 0799 000 516. Polisi walinipiga Mabatini na mwenzangu Njeri aliona."
IDENTITIES = ["Achieng", "Kibet", "0799 000 516", "0799000516", "Njeri"]
PSEUDONYM = re.compile(r"P-[BCDFGHJKLMNPQRSTVWXZ2-9]{8}")


def referred(world: World, text: str = TEXT, *, org: str = "umoja", sensitive: bool = False) -> Report:
    organisation = getattr(world, org)
    reporter = Contact(organisation=organisation)
    reporter.name = "Achieng Kibet"
    reporter.phone = "+254799000516"
    reporter.save()
    report = do_submit_report(
        organisation,
        ReportInput(
            description=text,
            channel="sms",
            place_text="Mabatini, behind the chief's camp",
            category_keys=["security"],
            reporter=reporter,
            occurred_on=timezone.localdate(),
        ),
    )
    case = Case.objects.get(pk=report.case_id or 0)
    office = Office.objects.get(name="Chief, Mabatini")
    coordinator = world.wanjiku if org == "umoja" else world.bob
    do_transition(case, Status.TRIAGED, coordinator, reason="Seen by Wanjiku Mwangi")
    do_transition(case, Status.VERIFIED, coordinator, method="site_visit")
    if sensitive:
        Case.objects.filter(pk=case.pk).update(is_sensitive=True)
    do_transition(Case.objects.get(pk=case.pk), Status.REFERRED, coordinator, referred_to=office)
    report.refresh_from_db()
    return report


def leaked(page: str) -> list[str]:
    return [i for i in IDENTITIES if i in page]


def test_the_official_never_reads_the_identities_written_in_a_report(world: World) -> None:
    report = referred(world)
    client = world.client_for(world.chief)
    pages = {
        "case page": client.get(f"/cases/{report.case_id}/").content.decode(),
        "case list": client.get("/cases/").content.decode(),
        "api case": client.get(f"/api/cases/{report.case_id}/").content.decode(),
        "api cases": client.get("/api/cases/").content.decode(),
        "api report": client.get(f"/api/reports/{report.pk}/").content.decode(),
        "api reports": client.get("/api/reports/").content.decode(),
    }
    for name, page in pages.items():
        assert leaked(page) == [], name
    assert "Polisi walinipiga Mabatini" in pages["case page"]  # the rest of the text is there
    assert "Names and phone numbers were hidden in this report." in pages["case page"]
    assert '"redacted":true' in pages["api report"].replace(" ", "")


def test_the_case_title_made_from_the_text_carries_no_identity(world: World) -> None:
    report = referred(world)
    title = Case.objects.get(pk=report.case_id or 0).title
    assert leaked(title) == [] and "[phone]" in title


@pytest.mark.parametrize("persona", ["otieno", "kamau", "achieng"])
def test_members_who_may_not_see_identities_read_the_redacted_text(world: World, persona: str) -> None:
    report = referred(world)
    page = world.client_for(getattr(world, persona)).get(f"/cases/{report.case_id}/").content.decode()
    assert leaked(page) == []


def test_coordinators_see_both_versions_and_correct_the_redaction(world: World) -> None:
    report = referred(world)
    client = world.client_for(world.wanjiku)
    page = client.get(f"/cases/{report.case_id}/").content.decode()
    assert "Achieng Kibet" in page and "Mimi ni [name], simu yangu [phone]" in page
    corrected = "Mtu mmoja, simu [phone]. Polisi walinipiga Mabatini."
    url = f"/cases/{report.case_id}/reports/{report.pk}/redaction/"
    assert world.client_for(world.otieno).post(url, {"text": corrected}).status_code == 403
    assert world.client_for(world.chief).post(url, {"text": corrected}).status_code == 403
    assert client.post(url, {"text": corrected}).status_code == 302
    official = world.client_for(world.chief).get(f"/cases/{report.case_id}/").content.decode()
    assert "Mtu mmoja, simu [phone]" in official
    api = world.client_for(world.chief).get(f"/api/reports/{report.pk}/").json()
    assert api["description"] == corrected


def test_exports_without_identities_carry_none_in_their_text(world: World) -> None:
    referred(world)
    for user in (world.kamau, world.wanjiku):
        response = world.client_for(user).get("/exports/reports.csv?org=umoja")
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert leaked(body.decode("utf-8-sig")) == [], user


def test_an_officials_case_page_shows_no_pseudonyms_or_staff_names(world: World) -> None:
    report = referred(world)
    page = world.client_for(world.chief).get(f"/cases/{report.case_id}/").content.decode()
    assert not PSEUDONYM.search(page)
    assert "wanjiku" not in page.lower()


def test_a_sensitive_case_of_another_organisation_shows_its_office_ward_and_status_only(world: World) -> None:
    report = referred(
        world, "Nilibakwa na jirani yangu karibu na choo cha umma Kiamaiko.", org="haki", sensitive=True
    )
    client = world.client_for(world.chief)
    page = client.get(f"/cases/{report.case_id}/").content.decode()
    assert "Nilibakwa" not in page and "behind the chief's camp" not in page
    assert "This case is sensitive" in page
    api = client.get(f"/api/cases/{report.case_id}/").json()
    assert api["reports"][0]["description"] == "" and api["reports"][0]["place_text"] == ""
    assert api["lat"] is None and api["reports"][0]["lat"] is None
