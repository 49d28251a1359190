"""Enter in a form with a skill search: the form's primary action, not the search.

Both forms with a search button (issuing one credential, an educator's learning opportunity)
start with an out-of-sight default button, so Enter in a text field makes the pickup code or
saves; Enter in the search box after typing new words still searches. Without JavaScript.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_accessibility import visit
from tests.browser.test_org_accessibility import staff_sign_in
from tests.browser.test_org_issuing import fill_qualification, pick_skill
from tools.web_harness import Harness


@pytest.fixture
def clerk(chromium: Browser, server: Harness) -> Iterator[Page]:
    context = chromium.new_context(base_url=server.url, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    staff_sign_in(page, "liisa@college")
    yield page
    context.close()


def test_enter_in_the_search_box_searches_and_enter_in_a_name_field_makes_the_pickup_code(
    clerk: Page,
) -> None:
    visit(clerk, "/org/college/issue/qualification")
    fill_qualification(clerk, "Enter-Korhonen")
    clerk.locator("#claim-skills").fill("Python")
    clerk.locator("#claim-skills").press("Enter")  # new words in the search box: a search
    clerk.locator(
        "fieldset.skills label", has_text=re.compile(r"^Python \(computer programming\)$")
    ).first.click()
    expect(clerk.locator("#pickup-code")).to_have_count(0)
    clerk.locator("#claim-family_name").press("Enter")
    expect(clerk.locator("#pickup-code")).to_be_visible()


def test_enter_with_an_already_searched_word_in_the_box_makes_the_pickup_code(
    clerk: Page,
) -> None:
    visit(clerk, "/org/college/issue/qualification")
    fill_qualification(clerk, "Enter-Virtanen")
    pick_skill(clerk, "SQL", "SQL")
    clerk.locator("#claim-skills").press("Enter")  # the words shown were searched already
    expect(clerk.locator("#pickup-code")).to_be_visible()


def test_enter_in_an_empty_form_shows_the_errors_rather_than_searching(clerk: Page) -> None:
    visit(clerk, "/org/college/issue/qualification")
    clerk.locator("#claim-given_name").fill("Aino")
    clerk.locator("#claim-given_name").press("Enter")
    expect(clerk.locator(".error-summary a[href='#claim-family_name']")).to_be_visible()


def test_enter_in_the_opportunity_title_saves_and_in_its_search_box_searches(
    clerk: Page,
) -> None:
    visit(clerk, "/org/college/opportunities/new")
    clerk.locator("#skill_q").fill("Python")
    clerk.locator("#skill_q").press("Enter")
    clerk.get_by_label("Python (computer programming)", exact=True).check()
    expect(clerk.locator(".error-summary")).to_have_count(0)
    clerk.get_by_label("Title").fill("Enterillä tallennettu kurssi")
    clerk.get_by_label("Provider").fill("Esimerkkiopisto")
    clerk.locator("#amount").fill("4")
    clerk.get_by_label("Online", exact=True).check()
    clerk.get_by_label("Web address for more information").fill("https://opisto.example.fi/e")
    clerk.get_by_label("Title").press("Enter")
    expect(clerk.get_by_role("status")).to_contain_text("Added.")
    expect(clerk.locator("li.card", has_text="Enterillä tallennettu kurssi")).to_have_count(1)
