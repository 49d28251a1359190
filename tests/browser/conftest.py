"""Browser tests: Playwright drives Debian's Chromium against a real server in a thread.

``playwright install`` cannot download browsers here, so the tests launch ``/usr/bin/chromium``
(``apt-get install -y chromium``; ``.ci/run`` installs it). Without it the tests are skipped
with that message, except under CI (``CI=true``), where a missing browser fails them.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    sync_playwright,
)

from tests.conftest import empty_database
from tools.web_harness import Harness, running_server

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "a long browser passphrase"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    # Module scope: Playwright's sync API runs an event loop in this thread while it is open,
    # which other tests' asyncio.run() must not find running.
    if not CHROMIUM.exists():
        message = "Chromium is missing: run 'apt-get install -y chromium' to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    folder = tmp_path_factory.mktemp("browser")
    with (
        empty_database(folder) as (url, connect_args),
        running_server(folder, database_url=url, connect_args=connect_args) as harness,
    ):
        yield harness


class Problems:
    """Console errors and Content-Security-Policy violations seen by a page."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def listen(self, message: ConsoleMessage) -> None:
        # A page answered with 404 or 410 on purpose logs "Failed to load resource": not ours.
        if re.search(r"Content.Security.Policy|Uncaught|Refused to", message.text):
            self.seen.append(message.text)

    def error(self, error: Error) -> None:
        self.seen.append(str(error))


@pytest.fixture
def context(chromium: Browser, server: Harness) -> Iterator[BrowserContext]:
    made = chromium.new_context(base_url=server.url, locale="en-GB")
    made.set_default_timeout(15_000)
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    problems = Problems()
    opened = context.new_page()
    opened.on("console", problems.listen)
    opened.on("pageerror", problems.error)
    yield opened
    assert problems.seen == [], problems.seen


def register(page: Page, username: str) -> None:
    """Open a wallet through the registration form."""
    page.goto("/register")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/wallet")
