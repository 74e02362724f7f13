from __future__ import annotations

from io import StringIO

import pytest

from django.core.management import call_command
from django.test import Client

from sauti.people.models import Contact, Group, Organisation, User


@pytest.mark.django_db
def test_demo_data_is_labelled_idempotent_and_prints_logins() -> None:
    out = StringIO()
    call_command("demo_data", stdout=out)
    counts = (
        Organisation.objects.count(),
        Group.objects.count(),
        Contact.objects.count(),
        User.objects.count(),
    )
    call_command("demo_data", stdout=StringIO())
    assert (
        Organisation.objects.count(),
        Group.objects.count(),
        Contact.objects.count(),
        User.objects.count(),
    ) == counts
    assert all(o.is_demo and "(demo)" in o.name for o in Organisation.objects.all())
    assert counts[2] > 100
    text = out.getvalue()
    assert "wanjiku" in text and "sauti-demo-2026" in text


@pytest.mark.django_db
def test_the_demo_home_page_is_alive_and_says_it_is_demo() -> None:
    call_command("demo_data", stdout=StringIO())
    client = Client()
    assert client.login(username="wanjiku", password="sauti-demo-2026")
    page = client.get("/").content.decode()
    assert "Demo data" in page
    assert "Githunguri Wamama" in client.get("/groups/").content.decode()
