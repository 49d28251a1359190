"""axe-core on every page, signed in and out, in Finnish, Swedish and English: no violations.

Also the forms in their error state (an error summary linked to the fields), the share steps,
a share link as its recipient sees it (verified, withdrawn, unknown), and the keyboard: the
whole share flow with Tab, Space and Enter alone.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import register
from tools.web_harness import Harness

AXE = Axe()
LANGUAGES = ("fi", "sv", "en")


def assert_accessible(page: Page, what: str) -> None:
    """axe-core (all rules it enables by default, WCAG 2.1 A and AA included) finds nothing."""
    results = AXE.run(page)
    violations: list[dict[str, Any]] = results.response["violations"]
    found = [
        (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3]) for v in violations
    ]
    assert found == [], f"{what} ({page.url}): {found}"


def visit(page: Page, path: str, status: int = 200) -> None:
    answer = page.goto(path)
    assert answer is not None and answer.status == status, (path, answer and answer.status)


def choose_language(page: Page, language: str) -> None:
    visit(page, f"/language?lang={language}&next=/")
    expect(page.locator("html")).to_have_attribute("lang", language)


def make_share(page: Page, credential_id: str, check: bool) -> str:
    """Walk the share steps (scanning each when ``check``); the link's path."""
    visit(page, f"/wallet/shares/new?credential={credential_id}")
    steps = iter(["share step 1", "share step 2", "share step 3", "share step 4", "share done"])
    if check:
        assert_accessible(page, next(steps))
    page.locator("main form button[type=submit]").click()
    if check:
        assert_accessible(page, next(steps))
    page.locator("input[name=claim]").nth(0).check()
    page.locator("input[name=claim]").nth(3).check()
    page.locator("main form button[type=submit]").click()
    if check:
        assert_accessible(page, next(steps))
    page.locator("#purpose").fill("Hakemus / Ansökan / Application")
    page.locator("main form button[type=submit]").click()
    if check:
        assert_accessible(page, next(steps))
    page.locator("main form button[value=create]").click()
    if check:
        assert_accessible(page, next(steps))
    link = page.locator("#share-link").inner_text().strip()
    return link.removeprefix("https://taito.test")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_has_no_accessibility_violations(
    context: BrowserContext, page: Page, server: Harness, language: str
) -> None:
    # Signed out.
    choose_language(page, language)
    for path in ("/", "/login", "/register", "/logout"):
        visit(page, path)
        assert_accessible(page, path)
    visit(page, "/login")
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "sign-in form with errors")
    # The error summary takes the focus; its links lead to the fields.
    assert page.evaluate("document.activeElement.className") == "error-summary"
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "username"
    visit(page, "/wallet/credentials/nope", 200)  # redirected to sign in
    assert_accessible(page, "sign-in after a redirect")

    # Signed in: every page of the wallet.
    register(page, f"axe-{language}@example.fi")
    choose_language(page, language)
    visit(page, "/wallet")
    assert_accessible(page, "empty wallet")
    visit(page, "/wallet/receive")
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "receive form with an error")
    visit(page, "/wallet/offers")
    assert_accessible(page, "credential offer form")
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "credential offer form with an error")
    visit(page, f"/wallet/receive?code={server.offer()}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/wallet/credentials/"))
    assert_accessible(page, "received credential")
    credential_id = page.url.rsplit("/", 1)[1].split("?", 1)[0]
    for path in (
        "/wallet",
        "/wallet?type=qualification&q=tieto",
        "/wallet?q=nothing-matches",
        "/wallet/profile",
        "/wallet/profile?q=python",
        "/wallet/shares",
        "/wallet/activity",
        "/wallet/settings",
        "/logout",
    ):
        visit(page, path)
        assert_accessible(page, path)
    link = make_share(page, credential_id, check=True)
    page.locator("main a[href^='/wallet/shares/']").first.click()
    assert_accessible(page, "one share")
    visit(page, "/wallet/shares")
    assert_accessible(page, "shares with one active")
    request_id = server.ask(["title", "eqf_level", "grade"], "Työhakemus / Jobbansökan")
    visit(page, f"/wallet/requests/{request_id}")
    assert_accessible(page, "a request")
    page.locator("main form button[value=some]").click()
    assert_accessible(page, "a request with an error")
    page.locator("input[name=approve]").first.check()
    page.locator("main form button[value=some]").click()
    assert_accessible(page, "a request answered")
    visit(page, "/wallet/settings")
    page.locator("form[action='/wallet/settings/erase'] button").click()
    assert_accessible(page, "settings with errors")
    visit(page, "/wallet/credentials/nope", 404)
    assert_accessible(page, "a page that is not there")

    # The recipient of the link, signed out: verified, then withdrawn, then unknown.
    viewer = context.browser
    assert viewer is not None
    other_context = viewer.new_context(base_url=server.url)
    other = other_context.new_page()
    choose_language(other, language)
    visit(other, link)
    assert_accessible(other, "a verified share")
    visit(page, "/wallet/shares")
    page.locator("main table a").first.click()
    page.locator("main form button.danger").click()
    assert_accessible(page, "a withdrawn share")
    visit(other, link, 410)
    assert_accessible(other, "a withdrawn link")
    visit(other, "/s/" + "x" * 22, 404)
    assert_accessible(other, "an unknown link")
    other_context.close()


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_share_flow_works_with_tab_space_and_enter_alone(page: Page, server: Harness) -> None:
    register(page, "keyboard@example.fi")
    visit(page, f"/wallet/receive?code={server.offer()}")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/wallet/credentials/"))

    visit(page, "/wallet/shares/new")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    tab_to(page, "input[name=credential]")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".steps")).to_have_text("Step 2 of 5")
    tab_to(page, "input[name=claim]")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".steps")).to_have_text("Step 3 of 5")
    tab_to(page, "#purpose")
    page.keyboard.type("Keyboard only")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".steps")).to_have_text("Step 4 of 5")
    assert page.locator("table tbody tr").count() == 2
    tab_to(page, "main form button[value=create]")
    page.keyboard.press("Enter")
    expect(page.locator(".steps")).to_have_text("Step 5 of 5")
    expect(page.locator("#share-link")).to_contain_text("https://taito.test/s/")
    # The focused element is always visible: the focus style is not removed anywhere.
    tab_to(page, "main a")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_pages_fit_a_320_pixel_screen_without_scrolling_sideways(
    context: BrowserContext, page: Page, server: Harness
) -> None:
    # 320 CSS pixels is also what a 1280-pixel window shows at 400 % zoom (WCAG 1.4.10).
    page.set_viewport_size({"width": 320, "height": 640})
    register(page, "narrow@example.fi")
    visit(page, f"/wallet/receive?code={server.offer()}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/wallet/credentials/"))
    credential = page.url
    link = make_share(page, credential.rsplit("/", 1)[1].split("?", 1)[0], check=False)
    request_id = server.ask(["title", "eqf_level"], "Hakemus")
    for language in LANGUAGES:
        choose_language(page, language)
        for path in (
            "/",
            "/wallet",
            credential,
            "/wallet/receive",
            "/wallet/offers",
            "/wallet/profile?q=python",
            "/wallet/shares",
            "/wallet/activity",
            "/wallet/settings",
            f"/wallet/requests/{request_id}",
            link,
        ):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, (language, path, width)
