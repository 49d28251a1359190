"""Issue 16's story in a real browser, and axe-core on its pages in fi, sv and en."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import register
from tests.browser.test_accessibility import LANGUAGES, assert_accessible, choose_language, visit
from tools.web_harness import Harness

ENGINEER = "1c5a45b9-440e-4726-b565-16a952abd341"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def receive_qualification(page: Page, server: Harness) -> None:
    page.goto(f"/wallet/receive?code={server.offer()}")
    page.get_by_role("button", name="Receive the credential").click()
    expect(page.get_by_role("status")).to_contain_text("It passed every check.")


def test_goal_gap_course_grant_counsellor_read_and_withdrawal(page: Page, server: Harness) -> None:
    register(page, "guidance-story@example.fi")
    receive_qualification(page, server)

    page.get_by_role("link", name="Goals").click()
    page.get_by_label("Search the European list of occupations (ESCO)").fill("computer vision")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Choose as a goal computer vision engineer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("computer vision engineer")
    expect(page.get_by_role("heading", name="Skills your credentials prove (1)")).to_be_visible()
    expect(page.get_by_text("Python (computer programming)")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="Tekoälyn perusteet")).to_be_visible()
    expect(page.get_by_text("Teaches 2 skills you still need")).to_be_visible()

    page.get_by_role("link", name="Access").click()
    expect(page.get_by_label("Esimerkkikaupungin työllisyyspalvelut")).to_be_checked()
    page.get_by_label(re.compile("^Tieto- ja viestintätekniikan perustutkinto")).check()
    page.get_by_label("Why are you giving access?").fill("Career guidance in spring")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Give access").click()
    expect(page.get_by_role("status")).to_contain_text("Access given.")

    [grant] = server.counsellor().json()["grants"]
    view = server.counsellor(f"/{grant['id']}").json()
    skills = {s["uri"]: s for s in view["skills"]}
    assert skills[PYTHON]["verified"] is True
    assert [g["occupation_id"] for g in view["gaps"]] == [ENGINEER]
    assert view["gaps"][0]["opportunities"][0]["title"] == "Tekoälyn perusteet"

    page.get_by_role(
        "button", name="Withdraw access from Esimerkkikaupungin työllisyyspalvelut"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Access withdrawn.")
    refused = server.counsellor(f"/{grant['id']}")
    assert refused.status_code == 410 and refused.json()["code"] == "grant_withdrawn"
    page.get_by_role("link", name="Activity").click()
    expect(
        page.get_by_text("A guidance service looked at what you gave it access to")
    ).to_be_visible()


def test_the_guidance_pages_have_no_accessibility_violations(page: Page, server: Harness) -> None:
    register(page, "guidance-axe@example.fi")
    receive_qualification(page, server)
    for language in LANGUAGES:
        choose_language(page, language)
        visit(page, "/wallet/goals")
        assert_accessible(page, f"goals ({language})")
        visit(page, "/wallet/goals?q=computer+vision")
        assert_accessible(page, f"occupation search ({language})")
        visit(page, f"/wallet/goals/{ENGINEER}")
        assert_accessible(page, f"gap ({language})")
        visit(page, "/wallet/grants")
        assert_accessible(page, f"grants ({language})")
        page.locator("main form[action='/wallet/grants'] button[type=submit]").click()
        expect(page.locator(".error-summary")).to_be_visible()
        assert_accessible(page, f"grants with errors ({language})")
    page.locator("#purpose").fill("Ohjaus")
    page.locator("#agree").check()
    page.locator("main form[action='/wallet/grants'] button[type=submit]").click()
    for language in LANGUAGES:
        choose_language(page, language)
        visit(page, "/wallet/grants?done=granted")
        assert_accessible(page, f"grants with a grant and receipts ({language})")
