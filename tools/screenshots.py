"""``make screenshots``: PNGs of the main pages in fi, sv and en, narrow and wide.

Starts Taito on a scratch database (:mod:`tools.web_harness`), plays a person's story in
Debian's Chromium and writes ``docs/screenshots/<page>-<language>-<narrow|wide>.png``.
"""

import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tools.web_harness import PLATFORM_ADMIN, STAFF_PASSWORD, Harness, running_server

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
SIZES = {"narrow": (360, 740), "wide": (1280, 900)}
LANGUAGES = ("fi", "sv", "en")
WORK_LANGUAGES = ("fi", "en")
"""The organisations' everyday pages are taken in two languages only: each PNG is 150-300 kB."""
LOCALES = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}
PASSWORD = "a long screenshot passphrase"  # noqa: S105 - a throwaway account


def _shoot(page: Page, name: str, language: str, size: str) -> None:
    page.screenshot(path=OUT / f"{name}-{language}-{size}.png", full_page=True)


def _story(browser: Browser, server: Harness, language: str, size: str) -> None:
    width, height = SIZES[size]
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"/language?lang={language}&next=/")
    _shoot(page, "start", language, size)
    page.goto("/register")
    page.locator("#username").fill(f"aino-{language}-{size}@example.fi")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"/wallet/receive?code={server.offer()}")
    _shoot(page, "receive", language, size)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile("/wallet/credentials/"))
    _shoot(page, "credential", language, size)
    page.goto("/wallet")
    _shoot(page, "wallet", language, size)
    page.goto("/wallet/profile")
    _shoot(page, "profile", language, size)
    page.goto("/wallet/shares/new")
    page.locator("input[name=credential]").first.check()
    page.locator("main form button[type=submit]").click()
    page.locator("input[name=claim]").nth(2).check()
    page.locator("input[name=claim]").nth(3).check()
    _shoot(page, "share-claims", language, size)
    page.locator("main form button[type=submit]").click()
    page.locator("#purpose").fill("Rekrytalo Oy: ohjelmistokehittäjä / utvecklare / developer")
    page.locator("main form button[type=submit]").click()
    _shoot(page, "share-preview", language, size)
    page.locator("main form button[value=create]").click()
    _shoot(page, "share-link", language, size)
    link = page.locator("#share-link").inner_text().strip().removeprefix("https://taito.test")
    request_id = server.ask(["title", "eqf_level", "grade"], "Rekrytointi / Rekrytering / Hiring")
    page.goto(f"/wallet/requests/{request_id}")
    _shoot(page, "request", language, size)
    page.goto("/wallet/settings")
    _shoot(page, "settings", language, size)
    viewer = browser.new_context(base_url=server.url, viewport={"width": width, "height": height})
    other = viewer.new_page()
    other.goto(f"/language?lang={language}&next={link}")
    _shoot(other, "shared-report", language, size)
    viewer.close()
    context.close()


def _organisation(browser: Browser, server: Harness, language: str, size: str) -> None:
    """The organisation admin's pages: sign-in, start, staff, an invitation, API keys."""
    width, height = SIZES[size]
    context = browser.new_context(base_url=server.url, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"/language?lang={language}&next=/org/login")
    _shoot(page, "org-login", language, size)
    page.locator("#username").fill("admin@college")
    page.locator("#password").fill(STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/org/college$"))
    _shoot(page, "org-home", language, size)
    page.goto("/org/college/staff")
    _shoot(page, "org-staff", language, size)
    page.locator("input[name=role]").first.check()
    page.locator("main form button[type=submit]").click()
    _shoot(page, "org-invite", language, size)
    page.goto("/org/college/api-keys")
    _shoot(page, "org-keys", language, size)
    context.close()


def _both(page: Page, name: str, language: str) -> None:
    """The page as it is now, narrow and wide."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        _shoot(page, name, language, size)


def _staff(browser: Browser, server: Harness, username: str, language: str) -> Page:
    context = browser.new_context(
        base_url=server.url,
        viewport={"width": 1280, "height": 900},
        locale=LOCALES[language],  # a browser of that language, as its users have
    )
    page = context.new_page()
    page.goto("/org/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/language?lang={language}&next=/org")
    return page


def _answer(browser: Browser, server: Harness, request_id: str, username: str) -> None:
    """A person picks up a qualification and sends everything the employer asked for."""
    context = browser.new_context(base_url=server.url)
    person = context.new_page()
    person.goto("/register")
    person.locator("#username").fill(username)
    person.locator("#password").fill(PASSWORD)
    person.locator("main form button[type=submit]").click()
    person.goto(f"/wallet/receive?code={server.offer()}")
    person.locator("main form button[type=submit]").click()
    person.wait_for_url(re.compile("/wallet/credentials/"))
    person.goto(f"/wallet/requests/{request_id}")
    person.locator("main form button[value=all]").click()
    person.wait_for_load_state()
    context.close()


def _organisation_work(browser: Browser, server: Harness, language: str) -> None:
    """Issuing, the register, a spreadsheet, asking and the report, the trust registry."""
    clerk = _staff(browser, server, "liisa@college", language)
    clerk.goto("/org/college/issue/qualification")
    clerk.locator("#claim-given_name").fill("Aino")
    clerk.locator("#claim-family_name").fill("Korhonen")
    clerk.locator("#claim-title").fill("Tieto- ja viestintätekniikan perustutkinto")
    clerk.locator("#claim-kind").select_option("vocational_upper_secondary")
    clerk.locator("#claim-eqf_level-4").check()
    clerk.locator("#claim-awarding_body-name").fill("Esimerkkikaupungin ammattiopisto")
    clerk.locator("#claim-date_awarded").fill("2026-05-29")
    clerk.locator("#claim-skills").fill("Python")
    clerk.locator("button[value='search:claim-skills']").click()
    clerk.locator("fieldset.skills input[type=checkbox]").first.check()
    _both(clerk, "org-issue-form", language)
    clerk.locator("main button[value=issue]").click()
    clerk.locator("#pickup-code").wait_for()
    _both(clerk, "org-offer", language)
    clerk.goto("/org/college/credentials")
    _both(clerk, "org-register", language)
    clerk.goto("/org/college/batch?type=qualification")
    _both(clerk, "org-batch", language)
    clerk.context.close()

    request_id = server.ask(["title", "eqf_level", "grade"], "Rekrytointi / Rekrytering / Hiring")
    _answer(browser, server, request_id, f"report-{language}@example.fi")
    recruiter = _staff(browser, server, "rekry@employer", language)
    recruiter.goto("/org/employer/requests/new?q=python")
    _both(recruiter, "org-ask", language)
    recruiter.goto(f"/org/employer/requests/{request_id}")
    _both(recruiter, "org-report", language)
    recruiter.context.close()

    admin = _staff(browser, server, PLATFORM_ADMIN, language)
    admin.goto("/platform/trust")
    _both(admin, "platform-trust", language)
    admin.context.close()


def main() -> int:
    if not Path(CHROMIUM).exists():
        print("Chromium is missing: apt-get install -y chromium", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        database = f"sqlite:///{folder / 'screenshots.db'}"
        with running_server(folder, database_url=database) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for language in LANGUAGES:
                for size in SIZES:
                    _story(browser, server, language, size)
                    _organisation(browser, server, language, size)
                if language in WORK_LANGUAGES:
                    _organisation_work(browser, server, language)
            browser.close()
    print(f"wrote {len(list(OUT.glob('*.png')))} screenshots to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
