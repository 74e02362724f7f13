"""Helpers for the browser journeys: screenshots and logging in.

from tests.browser.helpers import login, shot
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(os.environ.get("SAUTI_SCREENSHOT_DIR", REPO_ROOT / "artifacts" / "screenshots"))

CHROMIUM = os.environ.get("SAUTI_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home, which this machine's closed
# network refuses; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SUBMIT = "button[type=submit], input[type=submit]"


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as artifacts/screenshots/<name>.png and return its path."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "screenshot"
    path = SCREENSHOT_DIR / f"{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def login(
    page: Page,
    live_server: LiveServer,
    username: str,
    password: str,
    path: str = "/accounts/login/",
    *,
    expect_success: bool = True,
) -> None:
    """Log in through the form at `path` (the app's /accounts/login/ or the admin's /admin/login/).

    Fills #id_username and #id_password and presses the form's submit button. With expect_success
    (the default) it fails the test if the browser is still on the login page afterwards.
    """
    page.goto(live_server.url + path)
    form = page.locator("form", has=page.locator("#id_username"))
    form.locator("#id_username").fill(username)
    form.locator("#id_password").fill(password)
    with page.expect_navigation():
        form.locator(SUBMIT).first.click()
    if expect_success and page.locator("#id_password").count() > 0:
        errors = page.locator(".errornote, .errorlist").all_inner_texts()
        raise AssertionError(f"logging in as {username!r} at {path} failed: {' '.join(errors) or page.url}")
