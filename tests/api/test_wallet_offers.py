"""A person's wallet takes a credential offer from an OpenID4VCI issuer (here Taito's own
college, reached over HTTP on 127.0.0.1 through the SSRF-safe fetcher, as any remote issuer)."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.fetch import RemoteFetcher
from tests.api import test_oid4vci_interop
from tests.api.test_end_to_end import ADMIN, bearer, ok, qualification
from tests.api.test_foundation import assert_problem
from tests.api.web_support import Visitor, csrf_of

served = test_oid4vci_interop.served  # a Taito server on 127.0.0.1 and a client of its app
PUBLIC_ADDRESS = "93.184.216.34"  # what the test resolver answers; the transport goes to loopback


class _ToLoopback(httpx.BaseTransport):
    """Sends every request to the test's server, as if ``taito.test`` resolved to it."""

    def __init__(self, origin: str) -> None:
        self._origin = httpx.URL(origin)
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self._origin.scheme, host=self._origin.host, port=self._origin.port
        )
        return self._inner.handle_request(request)


@pytest.fixture
def wallet(served: tuple[TestClient, str]) -> Iterator[dict[str, Any]]:
    client, origin = served
    app: Any = client.app
    app.state.remote_fetcher = RemoteFetcher(
        allow_loopback_http=False,
        resolver=lambda host, port: [PUBLIC_ADDRESS],
        transport=_ToLoopback(origin),
    )
    issuer = ok(
        client.post(
            "/v1/admin/issuers",
            json={
                "name": "Esimerkkikaupungin ammattiopisto",
                "slug": "college",
                "types": ["qualification"],
            },
            headers=ADMIN,
        ),
        201,
    )
    tokens = ok(
        client.post(
            "/v1/auth/register",
            json={"username": "aino@example.fi", "password": "a long demo passphrase"},
        ),
        201,
    )
    yield {
        "client": client,
        "issuer": bearer(issuer["api_key"]),
        "person": bearer(tokens["access_token"]),
    }


def _offer(world: dict[str, Any], key: str) -> dict[str, Any]:
    made: dict[str, Any] = ok(
        world["client"].post(
            "/v1/issuers/college/offers",
            json={"type": "qualification", "claims": qualification()},
            headers={**world["issuer"], "Idempotency-Key": key},
        ),
        201,
    )
    return made


def _held(world: dict[str, Any]) -> list[Any]:
    items: list[Any] = ok(world["client"].get("/v1/wallet/credentials", headers=world["person"]))[
        "credentials"
    ]
    return items


def test_a_person_sees_who_offers_what_then_accepts_with_the_tx_code(
    wallet: dict[str, Any],
) -> None:
    client, person = wallet["client"], wallet["person"]
    offer = _offer(wallet, "w-1")
    link = {"offer_link": offer["offer_link"]}
    shown = ok(client.post("/v1/wallet/offers/resolve?lang=fi", json=link, headers=person))
    assert shown["credential_issuer"] == "https://taito.test/issuers/college"
    assert shown["issuer_name"] == "Esimerkkikaupungin ammattiopisto"
    assert shown["credentials"] == [{"configuration_id": "qualification", "name": "Tutkinto"}]
    assert shown["tx_code_required"] is True and shown["tx_code_length"] == 6
    assert _held(wallet) == []
    stored = ok(
        client.post(
            "/v1/wallet/offers/accept",
            json={**link, "tx_code": offer["tx_code"]},
            headers=person,
        ),
        201,
    )
    assert stored["type"] == "qualification"
    assert [c["id"] for c in _held(wallet)] == [stored["id"]]
    again = client.post(
        "/v1/wallet/offers/accept", json={**link, "tx_code": offer["tx_code"]}, headers=person
    )
    assert_problem(again, 422, "credential_offer_invalid")
    assert len(_held(wallet)) == 1


def test_a_wrong_tx_code_is_refused_and_nothing_is_stored(wallet: dict[str, Any]) -> None:
    client, person = wallet["client"], wallet["person"]
    offer = _offer(wallet, "w-2")
    wrong = "000000" if offer["tx_code"] != "000000" else "111111"
    body = {"offer_link": offer["offer_link"], "tx_code": wrong}
    assert_problem(
        client.post("/v1/wallet/offers/accept", json=body, headers=person),
        409,
        "credential_offer_refused",
    )
    assert _held(wallet) == []
    body["tx_code"] = offer["tx_code"]
    ok(client.post("/v1/wallet/offers/accept", json=body, headers=person), 201)


def test_links_that_are_not_offers_or_point_inward_are_refused_without_a_request(
    wallet: dict[str, Any],
) -> None:
    client, person = wallet["client"], wallet["person"]
    for link in (
        "https://taito.test/issuers/college",
        "openid-credential-offer://?credential_offer_uri=http%3A%2F%2F10.0.0.1%2Foffer",
        "openid-credential-offer://?credential_offer=%7B%22credential_issuer%22%3A1%7D",
        "openid-credential-offer://?nothing=here",
    ):
        assert_problem(
            client.post("/v1/wallet/offers/resolve", json={"offer_link": link}, headers=person),
            422,
            "credential_offer_invalid",
        )


def test_the_wallets_offer_doors_need_a_signed_in_person(wallet: dict[str, Any]) -> None:
    client = wallet["client"]
    offer = _offer(wallet, "w-3")
    for path in ("/v1/wallet/offers/resolve", "/v1/wallet/offers/accept"):
        assert_problem(
            client.post(path, json={"offer_link": offer["offer_link"]}), 401, "unauthenticated"
        )
    assert_problem(
        client.post(
            "/v1/wallet/offers/resolve",
            json={"offer_link": offer["offer_link"]},
            headers=wallet["issuer"],
        ),
        401,
        "access_token_invalid",
    )


def test_the_offers_page_shows_who_offers_what_in_swedish_then_takes_it_with_the_code(
    wallet: dict[str, Any],
) -> None:
    offer = _offer(wallet, "w-page")
    with TestClient(
        wallet["client"].app, base_url="https://taito.test", headers={"Accept-Language": "sv"}
    ) as browser:
        visitor = Visitor(browser)
        visitor.register("maija@example.fi")
        shown = visitor.submit(
            "/wallet/offers",
            "/wallet/offers",
            {"step": "show", "link": offer["offer_link"]},
            200,
        )
        assert "Esimerkkikaupungin ammattiopisto erbjuder dig:" in shown.text
        assert "<strong>Examen</strong>" in shown.text and "Transaktionskod" in shown.text
        fields = {"csrf_token": csrf_of(shown.text), "step": "accept", "link": offer["offer_link"]}
        wrong = "000000" if offer["tx_code"] != "000000" else "111111"
        refused = browser.post("/wallet/offers", data={**fields, "tx_code": wrong})
        assert refused.status_code == 409 and "kontrollera transaktionskoden" in refused.text
        taken = browser.post(
            "/wallet/offers",
            data={**fields, "tx_code": offer["tx_code"]},
            follow_redirects=False,
        )
        assert taken.status_code == 303
        assert taken.headers["location"].startswith("/wallet/credentials/")
        bad = visitor.submit(
            "/wallet/offers", "/wallet/offers", {"step": "show", "link": "https://x.example"}, 422
        )
        assert "inte ett användbart erbjudande" in bad.text
