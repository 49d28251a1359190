"""``make screenshots``: PNGs of the main pages in fi, sv and en, narrow and wide.

Starts Taito on a scratch database (:mod:`tools.web_harness`), plays a person's story in
Debian's Chromium and writes ``docs/screenshots/<page>-<language>-<narrow|wide>.png``.
"""

import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tools.web_harness import STAFF_PASSWORD, Harness, running_server

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
SIZES = {"narrow": (360, 740), "wide": (1280, 900)}
LANGUAGES = ("fi", "sv", "en")
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
            browser.close()
    print(f"wrote {len(list(OUT.glob('*.png')))} screenshots to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
