"""The whole story of a person in a real browser (issue 13, "What it must show")."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PASSWORD, register
from tools.web_harness import Harness


def _shown_claims(page: Page) -> list[str]:
    return sorted(page.locator("table tbody th[scope=row]").all_inner_texts())


def test_register_receive_share_withdraw_answer_switch_language_and_erase(
    page: Page, chromium: Browser, server: Harness
) -> None:
    register(page, "story@example.fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your credentials")

    # The college's code, from a link (a QR code) that fills the form in.
    code = server.offer()
    page.goto(f"/wallet/receive?code={code.lower()}")
    expect(page.get_by_label("Pickup code")).to_have_value(code.lower())
    page.get_by_role("button", name="Receive the credential").click()
    expect(page.get_by_role("status")).to_contain_text("It passed every check.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tieto- ja viestintätekniikan perustutkinto"
    )
    expect(page.locator("dl.facts")).to_contain_text("Esimerkkikaupungin ammattiopisto")
    expect(page.locator(".status-valid").first).to_have_text("Valid")
    credential_url = page.url

    page.get_by_role("link", name="Skills").click()
    expect(
        page.get_by_role("heading", level=2, name="Python (computer programming)")
    ).to_be_visible()
    expect(page.get_by_text("Confirmed by a credential").first).to_be_visible()

    # Share two of its claims with anyone who has the link.
    page.goto(credential_url)
    page.get_by_role("link", name="Share this credential").click()
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label(re.compile("^Qualification title")).check()
    page.get_by_label(re.compile("^EQF level")).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Anyone who has the link")).to_be_checked()
    page.get_by_label("Why are you sharing?").fill("My application for the developer job")
    page.get_by_role("button", name="Preview").click()
    assert _shown_claims(page) == ["EQF level", "Qualification title"]
    page.get_by_role("button", name="Share 2 details with anyone who has the link").click()
    expect(page.locator(".qr svg")).to_be_visible()
    link = page.locator("#share-link").inner_text().strip()
    assert link.startswith("https://taito.test/s/")
    path = link.removeprefix("https://taito.test")

    viewer = chromium.new_context(base_url=server.url)
    other = viewer.new_page()
    opened = other.goto(path)
    assert opened is not None and opened.status == 200
    expect(other.locator(".verdict")).to_have_text("✓ Verified: every check passed.")
    assert _shown_claims(other) == ["EQF level", "Qualification title"]
    expect(other.locator("body")).not_to_contain_text("Korhonen")

    page.get_by_role("link", name="See this share").click()
    expect(page.get_by_role("cell", name="Anyone who has the link")).to_be_visible()
    page.get_by_role("button", name="Withdraw this link").click()
    expect(page.get_by_role("status")).to_contain_text("The share is withdrawn.")
    gone = other.goto(path)
    assert gone is not None and gone.status == 410
    expect(other.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    viewer.close()

    # The employer asks for three claims; the person sends two of them.
    request_id = server.ask(["title", "eqf_level", "grade"], "Checking your qualification")
    page.goto(f"/wallet/requests/{request_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rekrytalo Oy asks for your credentials"
    )
    page.get_by_label(re.compile("^Qualification title")).check()
    page.get_by_label(re.compile("^EQF level")).check()
    page.get_by_role("button", name="Send only the ticked details").click()
    expect(page.get_by_role("status")).to_contain_text("2 details were sent to Rekrytalo Oy.")
    answer = server.answer_to(request_id)
    (presentation,) = answer["outcome"]["presentations"]
    assert answer["outcome"]["verified"] is True
    assert presentation["claims"] == {
        "title": "Tieto- ja viestintätekniikan perustutkinto",
        "eqf_level": 4,
    }

    # Finnish, then Swedish: every page in that language, remembered while browsing.
    page.goto("/wallet")
    page.get_by_role("link", name="Suomeksi").click()
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Osaamistodisteesi")
    page.get_by_role("link", name="Taidot").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Taitosi")
    page.get_by_role("link", name="På svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dina färdigheter")

    # Erase the wallet (in Swedish): the typed word and the password.
    page.get_by_role("link", name="Inställningar").click()
    page.get_by_label("Skriv RADERA för att bekräfta").fill("RADERA")
    page.locator("#erase-password").fill(PASSWORD)
    page.get_by_role("button", name="Radera min plånbok för gott").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Din plånbok är raderad")
    page.goto("/wallet")
    page.wait_for_url("**/login?next=%2Fwallet")
