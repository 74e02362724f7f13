from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD, World


def test_a_user_logs_in_and_out(world: World) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "wanjiku", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Hello, wanjiku" in client.get("/").content.decode()
    assert client.post("/accounts/logout/").status_code == 302
    assert "Log in" in client.get("/").content.decode()


def test_a_wrong_password_gets_a_clear_message(world: World) -> None:
    response = Client().post("/accounts/login/", {"username": "wanjiku", "password": "nope"})
    assert response.status_code == 200
    assert "password didn't match" in response.content.decode()


def test_password_reset_by_email(world: World) -> None:
    client = Client()
    response = client.post("/accounts/password_reset/", {"email": "wanjiku@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", str(mail.outbox[0].body))
    assert link is not None
    form_url = client.get(link.group(1)).url  # type: ignore[attr-defined]
    response = client.post(
        form_url, {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"}
    )
    assert response.status_code == 302
    assert client.login(username="wanjiku", password="a-new-long-passphrase")


def test_the_language_switch_changes_every_page(world: World) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "sw", "next": "/"}, follow=True)
    page = response.content.decode()
    assert '<html lang="sw">' in page
    assert "Ingia" in page  # "Log in"


def test_the_admin_is_for_administrators_only(world: World) -> None:
    assert world.client_for(world.alice).get("/admin/").status_code == 200
    assert world.client_for(world.wanjiku).get("/admin/").status_code == 302


def test_a_users_language_choice_is_remembered_on_the_account(world: World) -> None:
    client = world.client_for(world.wanjiku)
    client.post("/i18n/setlang/", {"language": "sw", "next": "/"})
    world.wanjiku.refresh_from_db()
    assert world.wanjiku.preferred_language == "sw"
    fresh_device = world.client_for(world.wanjiku)
    assert '<html lang="sw">' in fresh_device.get("/").content.decode()
