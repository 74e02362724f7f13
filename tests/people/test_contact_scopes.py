"""Issue 14, break 1: contacts belong to whoever may see them.

Knowing someone's phone number must never link their record into a group, reveal it, or record consent on
it: a group leader adding a member (by hand or from a list) or anyone filling in the public form gets a
record of their own (Contact.scope)."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sauti.core.crypto import lookup_hash
from sauti.monitoring.actions import ReportInput, do_submit_report
from sauti.monitoring.models import Report
from sauti.people.models import Consent, Contact, GroupMembership
from tests.conftest import World

REPORTER_NAME = "Akinyi Reporter"
REPORTER_PHONE = "+254722111222"


def sms_reporter(world: World) -> tuple[Contact, Report]:
    """A person who reported police abuse by SMS: the organisation's record of their number."""
    contact = Contact(organisation=world.umoja, language="sw")
    contact.name = REPORTER_NAME
    contact.phone = REPORTER_PHONE
    contact.save()
    report = do_submit_report(
        world.umoja,
        ReportInput(
            description="Polisi walinipiga Mabatini jana usiku",
            channel="sms",
            place_text="Mabatini",
            category_keys=["security"],
            reporter=contact,
            occurred_on=timezone.localdate(),
        ),
    )
    return contact, report


def pseudonyms(page: str) -> set[str]:
    return set(re.findall(r"P-[BCDFGHJKLMNPQRSTVWXZ2-9]{8}", page))


def test_a_group_leader_adding_a_reporters_number_gets_a_record_of_their_own(world: World) -> None:
    reporter, report = sms_reporter(world)
    client = world.client_for(world.achieng)
    group_url = f"/groups/{world.mathare_group.pk}/"
    response = client.post(
        group_url + "members/new/",
        {"name": "Jane Doe", "phone": "0722 111 222", "language": "sw", "role": "member"},
    )
    assert response.status_code == 302
    group_page = client.get(group_url).content.decode()
    case_page = client.get(f"/cases/{report.case_id}/").content.decode()
    assert "Jane Doe" in group_page  # what the leader typed
    assert REPORTER_NAME not in group_page and reporter.pseudonym not in group_page
    assert not pseudonyms(group_page) & pseudonyms(case_page)
    assert not GroupMembership.objects.filter(contact=reporter).exists()
    member = world.mathare_group.memberships.get(contact__phone_hash=lookup_hash(REPORTER_PHONE)).contact
    assert member.pk != reporter.pk and member.name == "Jane Doe"
    reporter.refresh_from_db()
    assert reporter.name == REPORTER_NAME


def test_a_member_list_naming_a_reporters_number_links_nothing_and_says_nothing(world: World) -> None:
    reporter, _report = sms_reporter(world)
    client = world.client_for(world.achieng)
    url = f"/groups/{world.mathare_group.pk}/import/"
    csv = b"name,phone,consent\nJane Doe,0722111222,yes\n"
    checked = client.post(url, {"file": SimpleUploadedFile("m.csv", csv, "text/csv"), "check_only": "on"})
    assert checked.status_code == 200
    assert "Known contact" not in checked.content.decode()  # whether a number is known never shows
    imported = client.post(url, {"file": SimpleUploadedFile("m.csv", csv, "text/csv")})
    assert imported.status_code == 200
    group_page = client.get(f"/groups/{world.mathare_group.pk}/").content.decode()
    assert REPORTER_NAME not in group_page and reporter.pseudonym not in group_page
    assert not GroupMembership.objects.filter(contact=reporter).exists()
    assert not Consent.objects.filter(contact=reporter).exists()  # the list's consent is not the reporter's


def test_the_public_form_never_attaches_a_report_or_consent_to_someone_elses_record(world: World) -> None:
    njeri = world.mathare_group.memberships.get().contact
    response = world.client_for(None).post(
        "/report/?org=umoja",
        {
            "description": "The county water kiosk has been closed for a week",
            "reporter_name": "Someone Else",
            "reporter_phone": "+254712000001",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    report = Report.objects.select_related("reporter").get()
    assert report.reporter is not None and report.reporter.pk != njeri.pk
    assert report.reporter.name == "Someone Else"
    assert not Consent.objects.filter(contact=njeri, purpose="reporting").exists()
    assert Consent.objects.get(contact=report.reporter).method == "web"
    njeri.refresh_from_db()
    assert njeri.name == "Njeri Wambui"


def test_an_sms_from_a_group_members_number_is_not_filed_under_the_groups_record(world: World) -> None:
    from sauti.conversations.actions import do_handle_sms

    world.client_for(world.achieng).post(
        f"/groups/{world.mathare_group.pk}/members/new/",
        {"name": "Jane Doe", "phone": "0722 111 222", "language": "sw", "role": "member"},
    )
    member = Contact.objects.get(phone_hash=lookup_hash(REPORTER_PHONE))
    do_handle_sms(
        world.umoja,
        phone=REPORTER_PHONE,
        text="RIPOTI security Mabatini polisi walinipiga",
        received_at=timezone.now(),
        inbound_id=1,
    )
    for report in Report.objects.all():
        assert report.reporter_id != member.pk


def test_only_a_coordinator_merges_two_records_of_one_number(world: World) -> None:
    reporter, report = sms_reporter(world)
    world.client_for(world.achieng).post(
        f"/groups/{world.mathare_group.pk}/members/new/",
        {"name": "Jane Doe", "phone": "0722 111 222", "language": "sw", "role": "member"},
    )
    member = world.mathare_group.memberships.get(contact__phone_hash=lookup_hash(REPORTER_PHONE)).contact
    url = f"/organisations/{world.umoja.slug}/same-number/"
    for persona, status in (("achieng", 403), ("otieno", 403), ("chief", 403), ("bob", 404)):
        assert world.client_for(getattr(world, persona)).get(url).status_code == status
        post = world.client_for(getattr(world, persona)).post(url, {"keep": reporter.pk, "other": member.pk})
        assert post.status_code == status
    client = world.client_for(world.wanjiku)
    page = client.get(url).content.decode()
    assert reporter.pseudonym in page and member.pseudonym in page
    assert client.post(url, {"keep": reporter.pk, "other": reporter.pk}).status_code == 400
    assert client.post(url, {"keep": reporter.pk, "other": member.pk}).status_code == 302
    assert not Contact.objects.filter(pk=member.pk).exists()
    assert world.mathare_group.memberships.filter(contact=reporter).exists()
    report.refresh_from_db()
    assert report.reporter_id == reporter.pk
