"""Employer staff ask, a person answers in their wallet, the employer reads the report, the
college revokes, the employer verifies again and reads in Finnish why it fails now (issue 14).

Also axe-core on every verifier page in Finnish, Swedish and English, and screenshots of them
at 360 and 1280 pixels (``TAITO_SCREENSHOTS=folder`` keeps them for a person to look at).
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

PURPOSE = "Hakemuksesi ohjelmistokehittäjän työhön"
SHOTS = os.environ.get("TAITO_SCREENSHOTS")


def shoot(page: Page, name: str) -> None:
    """Screenshots at a phone's and a desktop's width, when asked for."""
    if not SHOTS:
        return
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def ask(page: Page) -> str:
    """Fill the form in the page (English): a qualification at EQF 4 or higher with Python."""
    visit(page, "/org/employer/requests/new")
    page.get_by_label("Search the European skills list (ESCO)").fill("Python")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Qualification", exact=True).check()
    page.locator("summary", has_text="Details of Qualification").click()
    page.get_by_label("Qualification title").check()
    page.get_by_label("EQF level at least").select_option("4")
    page.get_by_label("Python (computer programming)", exact=True).check()
    page.get_by_label("Why do you ask?").fill(PURPOSE)
    page.get_by_role("button", name="Create the request").click()
    page.wait_for_url(re.compile(r"/org/employer/requests/req_[\w-]+$"))
    return page.url.rsplit("/", 1)[1]


def revoke_everything(server: Harness) -> None:
    headers = {"Authorization": f"Bearer {server.issuer_key}"}
    register = server.api.get("/v1/issuers/college/credentials", headers=headers).json()
    for item in register["items"]:
        server.api.post(
            f"/v1/issuers/college/credentials/{item['id']}/status",
            json={"status": "revoked"},
            headers=headers,
        ).raise_for_status()


def test_employer_asks_the_person_answers_the_college_revokes_and_the_employer_reads_why(
    chromium: Browser, server: Harness, page: Page
) -> None:
    # The person has the college's qualification in their wallet.
    register(page, "verifying@example.fi")
    page.goto(f"/wallet/receive?code={server.offer().lower()}")
    page.get_by_role("button", name="Receive the credential").click()
    expect(page.get_by_role("status")).to_contain_text("It passed every check.")

    employer = chromium.new_context(base_url=server.url, locale="en-GB")
    staff = employer.new_page()
    staff_sign_in(staff, "rekry@employer")
    request_id = ask(staff)
    expect(staff.locator("#request-link")).to_have_text(
        f"https://taito.test/wallet/requests/{request_id}"
    )
    expect(staff.locator(".qr svg").first).to_be_visible()
    reloaded = staff.goto(staff.url)
    assert reloaded is not None and reloaded.headers.get("refresh") == "5"

    # The person answers in the people's app.
    page.goto(f"/wallet/requests/{request_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rekrytalo Oy asks for your credentials"
    )
    expect(page.locator("main")).to_contain_text(PURPOSE)
    page.get_by_role("button", name="Send everything asked").click()
    expect(page.get_by_role("status")).to_contain_text("sent to Rekrytalo Oy")

    # The employer's page updates itself and shows the report: every check passed.
    expect(staff.locator(".verdict")).to_have_text(
        "✓ Verified: every check passed.", timeout=20_000
    )
    expect(staff.locator(".status-invalid")).to_have_count(0)
    claims = staff.locator("table tbody")
    expect(claims).to_contain_text("Qualification title")
    expect(claims).to_contain_text("Tieto- ja viestintätekniikan perustutkinto")
    expect(claims).to_contain_text("Python (computer programming)")
    expect(claims).not_to_contain_text("http://data.europa.eu/esco")
    expect(staff.get_by_role("link", name="Stop updating")).to_have_count(0)

    # The college revokes; the employer verifies again and reads, in Finnish, why it fails.
    revoke_everything(server)
    staff.get_by_role("link", name="Suomeksi").click()
    expect(staff.locator("html")).to_have_attribute("lang", "fi")
    staff.get_by_role("button", name="Varmenna uudelleen").click()
    expect(staff.locator(".verdict")).to_contain_text("Ei varmennettu")
    expect(staff.locator("main")).to_contain_text("Myöntäjä on peruuttanut tämän tunnisteen.")
    shoot(staff, "report-again-fi")
    employer.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_verifier_page_has_no_accessibility_violations(
    chromium: Browser, server: Harness, language: str
) -> None:
    context = chromium.new_context(base_url=server.url)
    staff = context.new_page()
    staff_sign_in(staff, "rekry@employer")
    choose_language(staff, language)
    visit(staff, "/org/employer/requests/new?q=python")
    assert_accessible(staff, "ask, with skill search results")
    shoot(staff, f"ask-{language}")
    staff.locator("main form[method=post] button[type=submit]").click()
    assert_accessible(staff, "ask, with errors")
    shoot(staff, f"ask-errors-{language}")

    request_id = server.ask(["title", {"path": "eqf_level", "min": 4}], "Checking")
    visit(staff, f"/org/employer/requests/{request_id}")
    assert_accessible(staff, "waiting for the answer")
    shoot(staff, f"waiting-{language}")
    visit(staff, "/org/employer/requests")
    assert_accessible(staff, "the history")
    shoot(staff, f"history-{language}")

    visit(staff, "/org/employer/verify")
    assert_accessible(staff, "check a credential")
    staff.locator("form[action$='/verify/code'] button").click()
    assert_accessible(staff, "a one-time code")
    shoot(staff, f"verify-code-{language}")
    staff.locator("form[action$='/verify'] button[type=submit]").click()
    assert_accessible(staff, "a presentation with an error")
    staff.locator("#link").fill("https://taito.test/s/not-a-share")
    staff.locator("form[action$='/verify/share'] button[type=submit]").click()
    assert_accessible(staff, "a share link with an error")
    context.close()


def test_the_report_pages_are_accessible_in_every_language(
    chromium: Browser, server: Harness, page: Page
) -> None:
    """An answered request's report and its check again, and a share link opened, each in
    fi, sv and en."""
    register(page, "report@example.fi")
    page.goto(f"/wallet/receive?code={server.offer().lower()}")
    page.get_by_role("button", name="Receive the credential").click()
    expect(page.get_by_role("status")).to_contain_text("It passed every check.")
    request_id = server.ask(["title", {"path": "eqf_level", "min": 4}], "Checking")
    page.goto(f"/wallet/requests/{request_id}")
    page.get_by_role("button", name="Send everything asked").click()
    expect(page.get_by_role("status")).to_contain_text("sent to Rekrytalo Oy")
    credential = page.goto("/wallet")
    assert credential is not None
    page.locator("main a[href^='/wallet/credentials/']").first.click()
    credential_id = page.url.rsplit("/", 1)[1].split("?", 1)[0]
    share = make_anyone_share(page, credential_id)

    context = chromium.new_context(base_url=server.url)
    staff = context.new_page()
    staff_sign_in(staff, "rekry@employer")
    for language in LANGUAGES:
        choose_language(staff, language)
        visit(staff, f"/org/employer/requests/{request_id}")
        assert_accessible(staff, f"the report ({language})")
        shoot(staff, f"report-{language}")
        staff.locator("form[action$='/verify-again'] button").click()
        assert_accessible(staff, f"verified again ({language})")
        visit(staff, "/org/employer/verify")
        staff.locator("#link").fill(share)
        staff.locator("form[action$='/verify/share'] button[type=submit]").click()
        expect(staff.locator(".verdict.ok")).to_be_visible()
        assert_accessible(staff, f"a share link opened ({language})")
        shoot(staff, f"share-{language}")
    context.close()


def make_anyone_share(page: Page, credential_id: str) -> str:
    """The person shares two details with anyone who has the link; the link."""
    page.goto(f"/wallet/shares/new?credential={credential_id}")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label(re.compile("^Qualification title")).check()
    page.get_by_label(re.compile("^EQF level")).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Why are you sharing?").fill("My application")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name=re.compile("^Share 2 details")).click()
    return page.locator("#share-link").inner_text().strip()
