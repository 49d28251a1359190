"""axe-core on the trust registry pages in Finnish, Swedish and English, and how they look.

A platform admin reaches the registry from ``/org``, adds an entry (first with errors), narrows
it after the confirmation, imports a file with problems and then a good one through the
preview, and removes an entry after the confirmation; every page on the way, and the refusal an
organisation admin gets, has no axe violations. Screenshots at 360 and 1280 pixels go to
``TAITO_SCREENSHOTS`` (a folder) when it is set, for a person to look at; at 360 pixels no page
scrolls sideways.
"""

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.test_accessibility import LANGUAGES, assert_accessible, choose_language, visit
from tests.browser.test_org_accessibility import staff_sign_in
from tools.web_harness import BASE_URL, PLATFORM_ADMIN, STAFF_PASSWORD, Harness

QUALIFICATION = "/types/qualification/v1"


def platform_sign_in(page: Page) -> None:
    visit(page, "/org/login")
    page.locator("#username").fill(PLATFORM_ADMIN)
    page.locator("#password").fill(STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/org$"))


def _shoot(page: Page, name: str) -> None:
    folder = os.environ.get("TAITO_SCREENSHOTS")
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (name, width, overflow)
        if folder:
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_trust_registry_pages_have_no_accessibility_violations(
    chromium: Browser, server: Harness, language: str
) -> None:
    context = chromium.new_context(base_url=server.url)
    page = context.new_page()
    choose_language(page, language)
    platform_sign_in(page)
    assert_accessible(page, "the organisations page of a platform admin")
    page.locator("main a[href='/platform/trust']").click()
    page.wait_for_url(re.compile(r"/platform/trust$"))
    assert_accessible(page, "the trust registry")

    identifier = f"https://oppilaitos-{language}.example.fi"
    visit(page, "/platform/trust/add")
    assert_accessible(page, "trust an issuer")
    page.locator("#identifier").fill("not an address")
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "trust an issuer, with errors")
    page.locator("#identifier").fill(identifier)
    page.locator("#display_name").fill(f"Oppilaitos {language}")
    page.locator("input[name=vct_values]").nth(0).check()
    page.locator("input[name=vct_values]").nth(1).check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/platform/trust$"))
    assert_accessible(page, "the registry with an entry")

    page.locator(f"main a[href*='narrow'][href*='oppilaitos-{language}']").click()
    assert_accessible(page, "narrow an entry")
    page.locator("input[name=keep]").nth(1).uncheck()
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "narrow an entry: the confirmation")
    page.locator("main form button.danger").click()
    page.wait_for_url(re.compile(r"/platform/trust$"))

    visit(page, "/platform/trust/import")
    assert_accessible(page, "import a registry")
    broken = {"version": 1, "trusted_issuers": [{"identifier": "x", "key_source": "jwks_url"}]}
    page.locator("#document").fill(json.dumps(broken))
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "import a registry with problems")
    good = {
        "version": 1,
        "trusted_issuers": [
            {
                "identifier": f"https://korkeakoulu-{language}.example.fi",
                "display_name": f"Korkeakoulu {language}",
                "key_source": "issuer_metadata",
                "vct_values": [BASE_URL + QUALIFICATION],
            }
        ],
    }
    page.locator("#document").fill(json.dumps(good))
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "the import preview")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/platform/trust$"))

    page.locator(f"main a[href*='remove'][href*='oppilaitos-{language}']").click()
    assert_accessible(page, "remove an entry")
    page.locator("main form button.danger").click()
    page.wait_for_url(re.compile(r"/platform/trust$"))
    assert identifier not in page.content()
    context.close()

    other = chromium.new_context(base_url=server.url)
    admin = other.new_page()
    staff_sign_in(admin, "admin@college")
    choose_language(admin, language)
    visit(admin, "/platform/trust", 403)
    assert_accessible(admin, "the registry refused to an organisation admin")
    other.close()


def test_the_trust_registry_and_the_api_keys_fit_narrow_and_wide_screens(
    chromium: Browser, server: Harness
) -> None:
    context = chromium.new_context(base_url=server.url)
    page = context.new_page()
    choose_language(page, "fi")
    platform_sign_in(page)
    visit(page, "/platform/trust/add")
    page.locator("#identifier").fill("https://ammattikorkeakoulu.example.fi")
    page.locator("#display_name").fill("Esimerkin ammattikorkeakoulu")
    page.locator("input[name=vct_values]").nth(0).check()
    page.locator("input[name=vct_values]").nth(2).check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/platform/trust$"))
    _shoot(page, "platform-trust")
    page.set_viewport_size({"width": 360, "height": 900})
    assert_accessible(page, "the trust registry, stacked at 360 px")
    visit(page, "/platform/trust/add")
    page.locator("main form button[type=submit]").click()
    _shoot(page, "platform-trust-add-errors")
    visit(page, "/platform/trust/import")
    broken = {"version": 1, "trusted_issuers": [{"identifier": "x", "key_source": "jwks_url"}]}
    page.locator("#document").fill(json.dumps(broken))
    page.locator("main form button[type=submit]").click()
    _shoot(page, "platform-trust-import-problems")
    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, "/platform/trust")
    with page.expect_download() as download:
        page.locator("main a[href='/platform/trust/export']").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    visit(page, "/platform/trust/import")
    page.locator("#document").fill(exported.replace("Esimerkin", "Uusi"))
    page.locator("#replace").check()
    page.locator("main form button[type=submit]").click()
    _shoot(page, "platform-trust-import-preview")
    visit(page, "/platform/trust")
    page.locator("main a[href*='narrow']").first.click()
    page.locator("input[name=keep]").nth(0).uncheck()
    page.locator("main form button[type=submit]").click()
    _shoot(page, "platform-trust-narrow-confirm")
    context.close()

    other = chromium.new_context(base_url=server.url)
    admin = other.new_page()
    staff_sign_in(admin, "admin@college")
    choose_language(admin, "fi")
    visit(admin, "/org/college/api-keys")
    _shoot(admin, "org-api-keys")
    admin.set_viewport_size({"width": 360, "height": 900})
    assert_accessible(admin, "the API keys, stacked at 360 px")
    other.close()
