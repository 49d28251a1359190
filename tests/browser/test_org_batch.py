"""Issuing from a spreadsheet in a real browser: 200 people, 3 with problems, the rest issued.

The college's issuer staff member chooses the type, downloads the template, uploads a filled
file with the file chooser, reads the three problems by row and column, issues, follows the
page's update link (no JavaScript involved) until all are done and downloads the results.
Every batch page, the error states included, has no axe-core violations in fi, sv and en.
Each fits 360 and 1280 pixels without scrolling sideways; screenshots at both go to
``TAITO_SCREENSHOTS`` when it names a folder.
"""

import csv
import io
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.test_org_batch import person, spreadsheet, two_hundred_with_three_bad
from tests.browser.test_accessibility import LANGUAGES, assert_accessible, choose_language, visit
from tests.browser.test_org_accessibility import staff_sign_in
from tools.web_harness import Harness

WIDTHS = (360, 1280)


def shoot(page: Page, name: str) -> None:
    """The page fits each width without scrolling sideways; screenshots when asked for."""
    folder = os.environ.get("TAITO_SCREENSHOTS")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, (name, width, scroll_width)
        if folder:
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def choose_type(page: Page) -> None:
    visit(page, "/org/college/batch")
    page.locator("input[name=type][value=qualification]").check()
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/org/college/batch\?type=qualification$"))


def upload(page: Page, data: bytes) -> None:
    page.locator("#file").set_input_files(
        {"name": "luokka.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.locator("main form[enctype] button[type=submit]").click()


def wait_until_issued(page: Page) -> None:
    """Follow the page's update link until every row is issued (no JavaScript, no timer)."""
    for _ in range(120):
        if page.locator("main a[download]").count():
            return
        page.wait_for_timeout(500)
        page.locator("main a.button.secondary").click()
    raise AssertionError("the batch was not issued within a minute")


def test_two_hundred_people_three_with_problems_the_rest_issued_in_the_browser(
    chromium: Browser, server: Harness
) -> None:
    context = chromium.new_context(base_url=server.url, locale="en-GB", accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    staff_sign_in(page, "liisa@college")
    choose_language(page, "en")
    visit(page, "/org/college")
    page.locator("nav a", has_text="Issue from a spreadsheet").click()
    choose_type(page)
    with page.expect_download() as template:
        page.locator("main a[download]").click()
    header = Path(template.value.path()).read_bytes().decode("utf-8-sig").splitlines()[0]
    assert header.startswith("given_name,family_name,")
    shoot(page, "batch-start")

    upload(page, two_hundred_with_three_bad())
    page.wait_for_url(re.compile(r"/org/college/batch/bat_\w+$"))
    expect(page.locator("main")).to_contain_text("197 rows are ready to be issued.")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(3)] == ["11", "51", "151"]
    expect(rows.nth(0)).to_contain_text("Given names")
    expect(rows.nth(0)).to_contain_text("given_name")
    expect(rows.nth(1)).to_contain_text("eqf_level")
    expect(rows.nth(2)).to_contain_text("Item 2: This is not an ESCO skill.")
    shoot(page, "batch-preview")

    page.locator("main form button", has_text="Issue 197 credentials").click()
    wait_until_issued(page)
    expect(page.locator("main")).to_contain_text("197 credentials were issued as pickup offers.")
    shoot(page, "batch-done")
    with page.expect_download() as results:
        page.locator("main a[download]").click()
    text = Path(results.value.path()).read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert len(lines) == 201
    codes = [line[4] for line in lines[1:] if line[4]]
    assert len(set(codes)) == 197
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_batch_page_has_no_accessibility_violations(
    chromium: Browser, server: Harness, language: str
) -> None:
    context = chromium.new_context(base_url=server.url)
    page = context.new_page()
    staff_sign_in(page, "liisa@college")
    choose_language(page, language)
    visit(page, "/org/college/batch")
    assert_accessible(page, "choose a type")
    choose_type(page)
    assert_accessible(page, "the columns and the upload form")
    page.locator("main form[enctype] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, "an upload without a file")
    upload(page, spreadsheet([person(1)], header=["nimi", "title"]))
    expect(page.locator("#file-error")).to_be_visible()
    assert_accessible(page, "a file with unknown columns")
    shoot(page, f"batch-file-error-{language}")
    upload(page, two_hundred_with_three_bad())
    page.wait_for_url(re.compile(r"/org/college/batch/bat_\w+$"))
    expect(page.locator("main table tbody tr")).to_have_count(3)
    assert_accessible(page, "the check with problems")
    shoot(page, f"batch-preview-{language}")
    page.locator("main form button").first.click()
    wait_until_issued(page)
    assert_accessible(page, "issued")

    # While issuing (1,000 rows take several seconds): the progress and its update link.
    choose_type(page)
    upload(page, spreadsheet([person(n) for n in range(1, 1001)]))
    page.wait_for_url(re.compile(r"/org/college/batch/bat_\w+$"))
    page.locator("main form button").first.click()
    expect(page.locator("main p[role=status]")).to_be_visible()
    assert_accessible(page, "issuing")
    shoot(page, f"batch-issuing-{language}")
    wait_until_issued(page)
    context.close()
