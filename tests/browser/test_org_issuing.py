"""Issuer staff in a real browser: issue a qualification with two ESCO skills through the form,
hand over the code, find the credential in the register once it is picked up, revoke it after
a confirmation and read its history; axe-core on every issuing page in fi, sv and en, each
fitting a 360-pixel screen.

Set ``TAITO_SCREENSHOTS`` to a folder to keep a screenshot of every page at 360 and 1280 pixels.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import register
from tests.browser.test_accessibility import LANGUAGES, assert_accessible, choose_language, visit
from tests.browser.test_org_accessibility import staff_sign_in
from tools.web_harness import Harness

CLERK = "liisa@college"


def fill_qualification(page: Page, family_name: str) -> None:
    """The form's required fields and an EQF level (the skills are picked separately)."""
    page.locator("#claim-given_name").fill("Aino")
    page.locator("#claim-family_name").fill(family_name)
    page.locator("#claim-title").fill("Tieto- ja viestintätekniikan perustutkinto")
    page.locator("#claim-kind").select_option("vocational_upper_secondary")
    page.locator("#claim-eqf_level-4").check()
    page.locator("#claim-awarding_body-name").fill("Esimerkkiopisto")
    page.locator("#claim-date_awarded").fill("2026-05-29")


def pick_skill(page: Page, words: str, label: str) -> None:
    """Search ESCO with the form's search box and tick the result called ``label``."""
    page.locator("#claim-skills").fill(words)
    page.locator("button[value='search:claim-skills']").click()
    page.locator(
        "fieldset.skills label", has_text=re.compile(f"^{re.escape(label)}$")
    ).first.click()


def pick_up(chromium: Browser, server: Harness, code: str, username: str) -> None:
    """A person opens a wallet and picks the credential up with the code."""
    context = chromium.new_context(base_url=server.url)
    person = context.new_page()
    register(person, username)
    visit(person, "/wallet/receive")
    person.locator("#code").fill(code)
    person.locator("main form button[type=submit]").click()
    person.wait_for_url(re.compile(r"/wallet/credentials/"))
    context.close()


def issue(page: Page, family_name: str) -> str:
    """Fill the form, pick two skills, make the offer: the pickup code shown."""
    visit(page, "/org/college/issue/qualification")
    fill_qualification(page, family_name)
    pick_skill(page, "Python", "Python (computer programming)")
    pick_skill(page, "SQL", "SQL")
    expect(page.locator("#claim-family_name")).to_have_value(family_name)  # kept by searching
    expect(page.locator("fieldset.skills input:checked")).to_have_count(2)
    page.locator("button[value=issue]").click()
    expect(page.locator("h1")).to_have_count(1)
    code = page.locator("#pickup-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){4}", code), code
    return code


def test_staff_issue_with_two_skills_then_find_revoke_and_read_the_history(
    chromium: Browser, server: Harness, page: Page
) -> None:
    staff_sign_in(page, CLERK)
    visit(page, "/org/college")
    page.locator("nav.wallet-nav a[href='/org/college/issue']").click()
    page.locator("main a[href='/org/college/issue/qualification']").click()
    code = issue(page, "Korhonen")
    expect(page.locator(".qr svg")).to_have_count(2)
    expect(page.locator("#offer-link")).to_contain_text("openid-credential-offer://")
    expect(page.locator("#pickup-link")).to_contain_text(f"/wallet/receive?code={code}")
    assert page.locator("#tx-code").inner_text().strip().isdigit()
    assert "data.europa.eu/esco" not in page.locator("main").inner_text()

    pick_up(chromium, server, code, "aino.story@example.fi")

    page.locator("nav.wallet-nav a[href='/org/college/credentials']").click()
    page.locator("#status").select_option("valid")
    page.locator("form.filters button[type=submit]").click()
    page.locator("main table a").first.click()
    expect(page.locator("main")).to_contain_text("Valid")
    page.locator("main a", has_text="Revoke this credential").click()
    page.locator("main form button.danger").click()  # no reason yet: asked for one
    expect(page.locator(".error-summary a[href='#reason']")).to_be_visible()
    page.locator("#reason").fill("Issued by mistake: wrong programme")
    page.locator("main form button.danger").click()
    expect(page.locator("main .lead")).to_contain_text("Revoked")
    history = page.locator("main table")
    expect(history).to_contain_text("Issued by mistake: wrong programme")
    expect(history).to_contain_text("Revoked")
    expect(page.locator("main a", has_text="Revoke this credential")).to_have_count(0)


def _shoot(page: Page, name: str) -> None:
    folder = os.environ.get("TAITO_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _check(page: Page, what: str, language: str, width: int) -> None:
    """No axe violation, nothing wider than the screen, a screenshot when asked."""
    assert_accessible(page, f"{what} ({language}, {width} px)")
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, (what, language, width, scrolled)
    _shoot(page, f"org-issuing-{re.sub(r'[^a-z0-9]+', '-', what)}-{language}-{width}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_issuing_page_has_no_accessibility_violations_and_fits_360_pixels(
    chromium: Browser, server: Harness, language: str
) -> None:
    context = chromium.new_context(base_url=server.url)
    page = context.new_page()
    staff_sign_in(page, CLERK)
    choose_language(page, language)
    code = issue(page, f"Virtanen-{language}")
    pick_up(chromium, server, code, f"eero.{language}@example.fi")
    visit(page, "/org/college/credentials")
    credential = page.locator("main table a").first.get_attribute("href")
    assert credential is not None
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        for path, what in (
            ("/org/college/issue", "choose a type"),
            ("/org/college/issue/qualification", "the form"),
            ("/org/college/credentials", "the register"),
            ("/org/college/credentials?issued_from=2000-01-01&issued_to=2000-01-02", "none found"),
            (credential, "a credential"),
            (f"{credential}/suspend", "suspend"),
        ):
            visit(page, path)
            _check(page, what, language, width)
        visit(page, "/org/college/credentials?q=nope", 422)
        _check(page, "the register with an error", language, width)
        visit(page, f"{credential}/suspend")
        page.locator("main form button[type=submit]").click()
        _check(page, "suspend without a reason", language, width)
        visit(page, "/org/college/issue/qualification")
        page.locator("#claim-credits-value").fill("many")
        page.locator("#claim-awarding_body-id").fill("1234567-8")
        page.locator("#claim-skills").fill("data")
        page.locator("button[value='search:claim-skills']").click()
        _check(page, "skills found", language, width)
        page.locator("button[value=issue]").click()
        expect(page.locator(".error-summary")).to_be_visible()
        _check(page, "the form with errors", language, width)
    page.set_viewport_size({"width": 360, "height": 800})
    code = issue(page, f"Nieminen-{language}")
    _check(page, "the pickup code", language, 360)
    page.set_viewport_size({"width": 1280, "height": 800})
    _check(page, "the pickup code", language, 1280)
    visit(page, f"{credential}/suspend")
    page.locator("#reason").fill("Tarkistetaan arvosana")
    page.locator("main form button[type=submit]").click()
    _check(page, "a credential with history", language, 1280)
    context.close()
