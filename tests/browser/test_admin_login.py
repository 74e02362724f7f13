"""The harness's own journey: Django's admin login page, and a superuser logging in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from django.contrib.auth import get_user_model

from tests.browser.helpers import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_login_page_renders(page: Page) -> None:
    page.goto("/admin/login/")
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("#id_password")).to_be_visible()
    shot(page, "admin-login")


def test_superuser_logs_in_to_the_admin(page: Page, live_server: LiveServer) -> None:
    get_user_model().objects.create_superuser("ada", "ada@example.org", "a-long-enough-password-1")

    login(page, live_server, "ada", "a-long-enough-password-1", path="/admin/login/")

    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    shot(page, "admin-index")


def test_wrong_password_stays_on_the_login_page(page: Page, live_server: LiveServer) -> None:
    get_user_model().objects.create_superuser("ada", "ada@example.org", "a-long-enough-password-1")

    login(page, live_server, "ada", "not-the-password", path="/admin/login/", expect_success=False)

    expect(page.locator(".errornote")).to_be_visible()
    assert page.url.startswith(live_server.url + "/admin/login/")
