"""Fixtures for end-to-end tests in headless Chromium: Debian's /usr/bin/chromium driven by Playwright.

Run them with `./dev browser` (which installs chromium if missing). Every test module here sets

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

and takes `page` (a fresh browser context per test, whose relative URLs go to `live_server`):

    def test_something(page: Page, live_server: LiveServer) -> None:
        page.goto("/accounts/login/")
        shot(page, "login")

Helpers live in tests/browser/helpers.py (`shot`, `login`). A test that fails leaves a screenshot
named FAILED-<test>.png in artifacts/screenshots/. Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, shot

HERE = Path(__file__).resolve().parent
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything under tests/browser is a browser test, even where a module forgot its pytestmark;
    # tryfirst so that `-m "not browser"` sees the mark.
    for item in items:
        if HERE in item.path.parents and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an asyncio event loop running in this thread, and Django refuses ORM
    # calls (test data, the database flush after each test) where a loop runs unless
    # DJANGO_ALLOW_ASYNC_UNSAFE is set. Set only while Playwright runs, so that the rest of the suite
    # keeps Django's async-safety checks.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run ./dev browser, or apt-get install chromium")
    # launch() gives every browser a fresh, empty user-data dir (a temporary profile).
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def browser_locale() -> str:
    """The browser's language (Accept-Language); override the fixture to see the site in Kiswahili."""
    return "en-GB"


@pytest.fixture
def context(browser: Browser, live_server: LiveServer, browser_locale: str) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.url,
        locale=browser_locale,
        timezone_id="Africa/Nairobi",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    page = context.new_page()
    yield page
    reports = request.node.stash.get(_REPORTS, {})
    if any(report.failed for report in reports.values()):
        shot(page, f"FAILED-{request.node.name}")
