"""One language negotiation for every route: ``?lang=`` first, then weighted Accept-Language."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.language import negotiate_language
from tests.api.test_wallet_support_api import WalletHarness, harness_for, register


@pytest.fixture
def harness(app: FastAPI, client: TestClient) -> Iterator[WalletHarness]:
    yield from harness_for(app, client)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en;q=0.4, sv;q=0.9, fi;q=0.8", "sv"),
        ("fi-FI, en;q=0.5", "fi"),
        ("de, sv_FI;q=0.3", "sv"),
        ("fi;q=0, en", "en"),
        ("*", "en"),
        ("fi;q=abc, sv;q=2, ,;;", "en"),
        ("", "en"),
    ],
)
def test_accept_language_picks_the_supported_language_with_the_highest_weight(
    header: str, expected: str
) -> None:
    assert negotiate_language(header) == expected


def test_an_explicit_lang_parameter_wins_over_the_header() -> None:
    assert negotiate_language("fi", lang="sv-FI") == "sv"
    assert negotiate_language("fi", lang="de") == "en"


def test_a_thousand_ranges_are_read_only_up_to_the_cap() -> None:
    assert negotiate_language(", ".join(["de"] * 1000 + ["fi"])) == "en"


def test_the_wallet_honours_accept_language_weights_like_the_verifiers_do(
    harness: WalletHarness,
) -> None:
    client = harness.client
    auth = register(client)
    weighted = client.get(
        "/v1/wallet/profile", headers={**auth, "Accept-Language": "en;q=0.5, fi;q=0.9"}
    )
    assert weighted.status_code == 200 and weighted.json()["lang"] == "fi"
