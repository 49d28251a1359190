"""The counsellor's side of issue 16 in a real browser, the educators' opportunity pages, and
axe-core on every page added here in fi, sv and en.

A person sets a goal and gives the employment office access; its counsellor signs in at
``/org/login`` and sees the person's profile with a verified skill and the gap; the person
withdraws, and the counsellor's next load says access has ended. ``TAITO_SCREENSHOTS`` (a
folder) keeps screenshots of the pages at 360 and 1280 pixels wide.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import register
from tests.browser.test_accessibility import LANGUAGES, assert_accessible, choose_language, visit
from tests.browser.test_guidance_story import receive_qualification
from tests.browser.test_org_accessibility import staff_sign_in
from tools.web_harness import Harness

ENGINEER = "1c5a45b9-440e-4726-b565-16a952abd341"
COUNSELLOR = "ohjaaja@office"
OFFICE = "Esimerkkikaupungin työllisyyspalvelut"


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("TAITO_SCREENSHOTS")
    if not folder:
        return
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def give_access(page: Page, server: Harness, username: str) -> None:
    """A new person with a qualification aims at computer vision and gives the office access."""
    register(page, username)
    receive_qualification(page, server)
    visit(page, "/wallet/goals")
    page.get_by_label("Search the European list of occupations (ESCO)").fill("computer vision")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Choose as a goal computer vision engineer").click()
    visit(page, "/wallet/grants")
    page.get_by_label(OFFICE).check()
    page.get_by_label(re.compile("^Tieto- ja viestintätekniikan perustutkinto")).check()
    page.get_by_label("Why are you giving access?").fill("Urasuunnittelu keväällä")
    page.get_by_label("Your name for them (optional)").fill(f"Testi {username[:5]}")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Give access").click()
    expect(page.get_by_role("status")).to_contain_text("Access given.")


def test_the_counsellor_sees_a_verified_skill_and_the_gap_until_the_person_withdraws(
    chromium: Browser, page: Page, server: Harness
) -> None:
    give_access(page, server, "counsellor-story@example.fi")

    office = chromium.new_context(base_url=server.url, locale="en-GB")
    counsellor = office.new_page()
    staff_sign_in(counsellor, COUNSELLOR)
    counsellor.get_by_role("link", name="People", exact=True).click()
    expect(counsellor.get_by_role("heading", level=1)).to_have_text("People who gave you access")
    screenshot(counsellor, "org-people")
    counsellor.get_by_role("link", name="Testi couns").click()
    expect(counsellor.get_by_role("heading", level=1)).to_have_text(
        "What the person gave you access to"
    )
    python = counsellor.locator("main li", has_text="Python (computer programming)").first
    expect(python).to_contain_text("Verified")
    expect(python).to_contain_text("Tieto- ja viestintätekniikan perustutkinto")
    expect(
        counsellor.get_by_role("heading", level=2, name="Gap to computer vision engineer")
    ).to_be_visible()
    expect(
        counsellor.get_by_role("heading", name=re.compile(r"^Missing skills \(\d+\)"))
    ).to_be_visible()
    expect(counsellor.get_by_role("heading", level=4, name="Tekoälyn perusteet")).to_be_visible()
    person_page = counsellor.url
    screenshot(counsellor, "org-person")

    counsellor.get_by_label("Search the European list of occupations (ESCO)").fill("data analyst")
    counsellor.get_by_role("button", name="Search").click()
    counsellor.get_by_role("link", name="data analyst", exact=True).click()
    expect(counsellor.get_by_role("heading", level=2, name="Gap to data analyst")).to_be_visible()

    page.get_by_role("button", name=f"Withdraw access from {OFFICE}").click()
    expect(page.get_by_role("status")).to_contain_text("Access withdrawn.")
    answer = counsellor.goto(person_page)
    assert answer is not None and answer.status == 410
    expect(counsellor.get_by_role("heading", level=1)).to_have_text("Access has ended")
    expect(counsellor.get_by_text("Python (computer programming)")).to_have_count(0)
    screenshot(counsellor, "org-person-ended")
    page.get_by_role("link", name="Activity").click()
    expect(
        page.get_by_text("A guidance service looked at what you gave it access to").first
    ).to_be_visible()
    office.close()


def test_an_educator_adds_a_course_choosing_skills_without_javascript(
    chromium: Browser, server: Harness
) -> None:
    context = chromium.new_context(base_url=server.url, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    staff_sign_in(page, "liisa@college")
    page.get_by_role("link", name="Learning opportunities").click()
    screenshot(page, "org-opportunities")
    page.get_by_role("link", name="Add a learning opportunity").click()
    page.get_by_label("Title").fill("Ohjelmointi Pythonilla")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#link-error")).to_be_visible()
    page.locator("#skill_q").fill("Python")
    page.get_by_role("button", name="Search skills").click()
    page.get_by_label("Python (computer programming)", exact=True).check()
    page.locator("#amount").fill("10")
    page.get_by_label("Online", exact=True).check()
    page.get_by_label("Web address for more information").fill("https://opisto.example.fi/python")
    screenshot(page, "org-opportunity-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Added.")
    card = page.locator("li.card", has_text="Ohjelmointi Pythonilla")
    expect(card).to_contain_text("10 weeks")
    card.get_by_role("link", name=re.compile("^Remove")).click()
    screenshot(page, "org-opportunity-remove")
    page.get_by_role("button", name="Remove Ohjelmointi Pythonilla").click()
    expect(page.get_by_role("status")).to_contain_text("Removed.")
    expect(page.locator("li.card", has_text="Ohjelmointi Pythonilla")).to_have_count(0)
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_counsellor_and_educator_pages_have_no_accessibility_violations(
    chromium: Browser, server: Harness, language: str
) -> None:
    person_context = chromium.new_context(base_url=server.url, locale="en-GB")
    person = person_context.new_page()
    give_access(person, server, f"axe-guidance-{language}@example.fi")

    context = chromium.new_context(base_url=server.url)
    page = context.new_page()
    staff_sign_in(page, COUNSELLOR)
    choose_language(page, language)
    visit(page, "/org/office/people")
    assert_accessible(page, "people")
    page.locator("main li.card a").first.click()
    assert_accessible(page, "a person")
    grant_page = page.url
    page.locator("#q").fill("data analyst")
    page.locator("main form[role=search] button").click()
    assert_accessible(page, "a person with occupation results")
    visit(page, page.url.split("?")[0].removeprefix(server.url) + "?occupation=nope", 422)
    assert_accessible(page, "a person with an occupation error")
    person.get_by_role("button", name=f"Withdraw access from {OFFICE}").click()
    answer = page.goto(grant_page)
    assert answer is not None and answer.status == 410
    assert_accessible(page, "access ended")
    context.close()
    person_context.close()

    educator = chromium.new_context(base_url=server.url)
    page = educator.new_page()
    staff_sign_in(page, "liisa@college")
    choose_language(page, language)
    visit(page, "/org/college/opportunities")
    assert_accessible(page, "opportunities")
    visit(page, "/org/college/opportunities/new")
    assert_accessible(page, "a new opportunity")
    page.locator("main form button[name=step][value=save]").click()
    assert_accessible(page, "a new opportunity with errors")
    page.locator("#skill_q").fill("ticket")
    page.locator("main form button[name=step][value=search]").click()
    assert_accessible(page, "a new opportunity with skill results")
    visit(page, "/org/college/opportunities")
    page.locator("main li.card a").first.click()
    assert_accessible(page, "edit an opportunity")
    visit(page, "/org/college/opportunities")
    page.locator("main li.card a").nth(1).click()
    assert_accessible(page, "remove an opportunity")
    educator.close()
