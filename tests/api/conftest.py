"""Reports and cases in both organisations, one case referred to the chief's office, and token clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone

from sauti.api.actions import do_create_token
from sauti.monitoring.actions import ReportInput, do_submit_report, do_transition
from sauti.monitoring.models import Case, Report
from sauti.people.models import Contact, Office, Organisation, User
from tests.conftest import World

NAME = "Njeri Wambui"  # the reporter's identity, never in the API
PHONE = "+254712000001"


@dataclass
class Data:
    reporter: Contact  # Njeri, a member of Umoja's Mathare group
    office: Office  # the chief's office
    report: Report  # Umoja, from Njeri, in a case that is not referred
    referred: Report  # Umoja, in a case referred to the chief's office
    haki_report: Report

    @property
    def case(self) -> Case:
        assert self.report.case is not None
        return self.report.case

    @property
    def referred_case(self) -> Case:
        assert self.referred.case is not None
        return self.referred.case

    @property
    def haki_case(self) -> Case:
        assert self.haki_report.case is not None
        return self.haki_report.case


def submit(org: Organisation, text: str, place: str, category: str, **extra: Any) -> Report:
    return do_submit_report(
        org,
        ReportInput(
            description=text,
            channel="web",
            occurred_on=timezone.localdate(),
            place_text=place,
            category_keys=[category],
            **extra,
        ),
    )


@pytest.fixture
def data(world: World) -> Data:
    reporter = Contact.objects.get(organisation=world.umoja, group_memberships__group=world.mathare_group)
    office = Office.objects.get(name="Chief, Mabatini")
    report = submit(
        world.umoja,
        "Water cut for a week in Kwa Reuben",
        "Kwa Reuben",
        "water-disconnection",
        reporter=reporter,
    )
    referred = submit(
        world.umoja,
        "Homes demolished at night in Mabatini",
        "Mabatini",
        "housing-demolition",
        reporter=reporter,
    )
    case = referred.case
    assert case is not None
    do_transition(case, "triaged", world.wanjiku)
    do_transition(case, "verified", world.wanjiku, method="site_visit", reason="Seen by Otieno")
    do_transition(case, "referred", world.wanjiku, referred_to=office, reason="The chief must stop this")
    haki_report = submit(world.haki, "Police beat youths in Kibra", "Kibra", "security-police-abuse")
    return Data(reporter=reporter, office=office, report=report, referred=referred, haki_report=haki_report)


def token_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Token {do_create_token(user).key}"})


PERSONAS = ["alice", "wanjiku", "bob", "otieno", "achieng", "kamau", "chief", "outsider"]
