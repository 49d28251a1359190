"""The person's credential page shows codes, ESCO URIs and EQF levels in words (issue 12)."""

import html
import re

import pytest

from tests.api import test_end_to_end, web_support
from tests.api.test_end_to_end import PYTHON, SQL, World
from tests.api.web_support import Visitor, offer_code, receive

world = test_end_to_end.world  # the fixture of the end-to-end tests
person = web_support.person  # a signed-in browser


def _values(text: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(r"<td(?: lang=\"en\")?>([^<]*)</td>", text)]


@pytest.mark.parametrize(
    ("language", "kind", "level", "country"),
    [
        (
            "en",
            "Vocational upper secondary qualification",
            "Level 4: Factual and theoretical knowledge in broad contexts",
            "Finland",
        ),
        ("fi", "Ammatillinen perustutkinto", "Taso 4: Laaja-alaisia tosiasia-", "Suomi"),
        (
            "sv",
            "Yrkesinriktad grundexamen",
            "Nivå 4: Fakta- och teorikunskaper i breda sammanhang",
            "Finland",
        ),
    ],
)
def test_the_credential_page_shows_labels_not_codes_in_the_page_language(
    world: World, person: Visitor, language: str, kind: str, level: str, country: str
) -> None:
    credential_id = receive(person, offer_code(world, f"labels-{language}"))
    path = f"/wallet/credentials/{credential_id}"
    page = person.client.get(path, headers={"Accept-Language": language})
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    values = _values(page.text)
    assert kind in values and country in values and "FI" not in values
    assert any(value.startswith(level) for value in values)
    for code in ("vocational_upper_secondary", PYTHON, SQL):
        assert code not in page.text
    assert "Python (computer programming)" in values
    # ESCO's labels are English: marked so on Finnish and Swedish pages.
    marked = '<td lang="en">Python (computer programming)</td>' in page.text
    assert marked is (language != "en")
