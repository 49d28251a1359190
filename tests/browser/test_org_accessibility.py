"""axe-core on every organisation page, in Finnish, Swedish and English: no violations.

Signed out (sign-in, its errors, an invitation and its errors), as an organisation admin (the
start page, staff, an invitation link, removing someone, API keys, a new key, revoking one) and
the refusals (another organisation's page, a page the role does not allow).
"""

import re

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.test_accessibility import LANGUAGES, assert_accessible, choose_language, visit
from tools.web_harness import STAFF_PASSWORD, Harness


def staff_sign_in(page: Page, username: str) -> None:
    visit(page, "/org/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/org/\w+$"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_organisation_page_has_no_accessibility_violations(
    chromium: Browser, server: Harness, language: str
) -> None:
    context = chromium.new_context(base_url=server.url)
    page = context.new_page()
    choose_language(page, language)
    visit(page, "/org/login")
    assert_accessible(page, "staff sign-in")
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "staff sign-in with errors")

    staff_sign_in(page, "admin@college")
    choose_language(page, language)
    for path in (
        "/org/college",
        "/org/college/staff",
        "/org/college/signing-keys",
        "/org/college/signing-keys/rotate",
        "/org/college/api-keys",
    ):
        visit(page, path)
        assert_accessible(page, path)
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "add a key with an error")
    page.locator("#name").fill("Opiskelijarekisteri")
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "a new key")
    visit(page, "/org/college/api-keys")
    # The key just added: the harness's own key must keep working for the other tests.
    page.locator("main table a", has_text="Opiskelijarekisteri").first.click()
    assert_accessible(page, "revoke a key")
    page.locator("main form button.danger").click()
    assert_accessible(page, "keys with one revoked")

    visit(page, "/org/college/staff")
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "an invitation without a role")
    page.locator("input[name=role]").first.check()
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "an invitation link")
    link = page.locator("#invite-link").inner_text().strip()
    visit(page, "/org/college/staff")
    page.locator("main table a").first.click()
    assert_accessible(page, "remove a member")
    visit(page, "/org/employer", 404)
    assert_accessible(page, "another organisation")

    invited = chromium.new_context(base_url=server.url)
    newcomer = invited.new_page()
    choose_language(newcomer, language)
    visit(newcomer, link.removeprefix(server.url))
    assert_accessible(newcomer, "an invitation")
    newcomer.locator("main form button[type=submit]").click()
    assert_accessible(newcomer, "an invitation with errors")
    invited.close()

    clerk = chromium.new_context(base_url=server.url)
    liisa = clerk.new_page()
    staff_sign_in(liisa, "liisa@college")
    choose_language(liisa, language)
    visit(liisa, "/org/college/staff", 403)
    assert_accessible(liisa, "a page the role does not allow")
    clerk.close()
    context.close()
