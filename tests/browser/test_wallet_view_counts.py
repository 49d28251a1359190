"""The credential page in words and a much-viewed share's page: axe in fi, sv and en, and a look
at 360 pixels and wide (screenshots in $TAITO_SCREENSHOTS when set)."""

import os
import re
from pathlib import Path

from playwright.sync_api import Page

from tests.browser.conftest import register
from tests.browser.test_accessibility import (
    LANGUAGES,
    assert_accessible,
    choose_language,
    make_share,
    visit,
)
from tools.web_harness import Harness
from wallet.activity import LOGGED_SINGLY


def test_the_credential_and_a_much_viewed_share_read_well_in_every_language(
    page: Page, server: Harness
) -> None:
    register(page, "views@example.fi")
    visit(page, f"/wallet/receive?code={server.offer()}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/wallet/credentials/"))
    credential = page.url.split("?", 1)[0]
    link = make_share(page, credential.rsplit("/", 1)[1], check=False)
    for _ in range(LOGGED_SINGLY + 4):
        assert server.api.get(link).status_code == 200
    visit(page, "/wallet/shares")
    page.locator("main a[href^='/wallet/shares/shr_']").first.click()
    share = page.url
    shots = os.environ.get("TAITO_SCREENSHOTS")
    for language in LANGUAGES:
        choose_language(page, language)
        for name, path in (("credential", credential), ("share", share)):
            visit(page, path)
            assert_accessible(page, f"{name} ({language})")
            if shots:
                for width in (360, 1280):
                    page.set_viewport_size({"width": width, "height": 900})
                    target = Path(shots) / f"{name}-{language}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
        visit(page, share)
        assert page.locator("main p", has_text="10").count() == 1
