"""Taito's wallet as a client of any OpenID4VP 1.0 verifier: it resolves an ``openid4vp://``
link, authenticates the signed Request Object, shows who asks and what, and posts only the
approved claims. Here the verifier is this instance's own, reached over its public URLs."""

import base64
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from api.flows.outside_request import VerifierAccess
from api.routers.wallet_outside_requests import verifier_access
from credentials.errors import FetchFailed
from tests.api.test_end_to_end import World, bearer, ok, receive_by_pickup
from tests.api.test_end_to_end import world as world  # the fixture
from tests.api.test_foundation import assert_problem
from verifiers.fetching import Fetched

RESOLVE = "/v1/wallet/presentation-requests/resolve"
RESPOND = "/v1/wallet/presentation-requests/respond"


class InstanceFetcher:
    """The fetcher's two verbs, answered by the instance under test at its public URL."""

    def __init__(self, client: TestClient, *, tamper: bool = False) -> None:
        self.client = client
        self.tamper = tamper
        self.posted: list[dict[str, str]] = []

    def _path(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme != "https" or parts.hostname != "taito.test":
            raise FetchFailed("only https URLs with a host are fetched")
        return parts.path

    def _answer(self, status: int, body: bytes) -> Fetched:
        if status != 200:
            raise FetchFailed("the server did not answer with the document")
        return Fetched(body=body, max_age=None)

    def __call__(self, url: str) -> Fetched:
        response = self.client.get(self._path(url))
        return self._answer(response.status_code, self._tampered(response.content))

    def post_form(self, url: str, fields: Mapping[str, str], *, accept: str = "*/*") -> Fetched:
        response = self.client.post(self._path(url), data=dict(fields), headers={"Accept": accept})
        if "wallet_nonce" not in fields:
            self.posted.append(dict(fields))
        body = response.content
        return self._answer(
            response.status_code, body if "wallet_nonce" not in fields else self._tampered(body)
        )

    def _tampered(self, body: bytes) -> bytes:
        if not self.tamper:
            return body
        header, payload, signature = body.decode().split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["response_uri"] = "https://taito.test/elsewhere"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{forged}.{signature}".encode()


def _use(world: World, fetcher: InstanceFetcher, *, trust: bool = True) -> None:
    app = world.client.app

    def access() -> VerifierAccess:
        anchors = app.state.openid4vp_anchors if trust else ()  # type: ignore[attr-defined]
        return VerifierAccess(fetcher=fetcher, anchors=anchors, allow_loopback_http=False)

    app.dependency_overrides[verifier_access] = access  # type: ignore[attr-defined]


def _ask(world: World, mode: str = "direct_post") -> dict[str, Any]:
    asked: dict[str, Any] = ok(
        world.client.post(
            "/v1/verifiers/employer/requests",
            json={
                "credentials": [
                    {"id": "degree", "type": "qualification", "claims": ["title", "grade"]}
                ],
                "purpose": "Checking the qualification.",
                "response_mode": mode,
            },
            headers=bearer(world.verifier_key),
        ),
        201,
    )
    return asked


def _state(world: World, request_id: str) -> dict[str, Any]:
    state: dict[str, Any] = ok(
        world.client.get(
            f"/v1/verifiers/employer/requests/{request_id}", headers=bearer(world.verifier_key)
        )
    )
    return state


def test_the_wallet_resolves_a_link_and_posts_only_the_approved_claim(world: World) -> None:
    credential_id = receive_by_pickup(world)
    fetcher = InstanceFetcher(world.client)
    _use(world, fetcher)
    asked = _ask(world)
    link = asked["authorization_request_uri"]
    shown = ok(world.client.post(RESOLVE, json={"link": link}, headers=world.person))
    assert shown["client_id"] == asked["client_id"]
    assert shown["verifier_name"] == "taito.test"
    assert shown["response_uri"] == asked["response_uri"]
    (query,) = shown["request"]["queries"]
    assert [c["credential_id"] for c in query["candidates"]] == [credential_id]
    title = next(a["id"] for a in query["asked"] if a["path"] == ["title"])
    approvals = [{"query_id": "degree", "credential_id": credential_id, "claim_ids": [title]}]
    answered = ok(
        world.client.post(
            RESPOND, json={"link": link, "approvals": approvals}, headers=world.person
        )
    )
    assert answered == {"declined": False, "redirect_uri": None}
    state = _state(world, asked["id"])
    assert state["status"] == "verified"
    (presentation,) = state["outcome"]["presentations"]
    assert set(presentation["claims"]) == {"title"}


def test_the_wallet_encrypts_its_answer_when_the_verifier_asks_for_direct_post_jwt(
    world: World,
) -> None:
    credential_id = receive_by_pickup(world)
    fetcher = InstanceFetcher(world.client)
    _use(world, fetcher)
    asked = _ask(world, "direct_post.jwt")
    link = asked["authorization_request_uri"]
    shown = ok(world.client.post(RESOLVE, json={"link": link}, headers=world.person))
    (query,) = shown["request"]["queries"]
    title = next(a["id"] for a in query["asked"] if a["path"] == ["title"])
    approvals = [{"query_id": "degree", "credential_id": credential_id, "claim_ids": [title]}]
    body = {"link": link, "approvals": approvals}
    assert ok(world.client.post(RESPOND, json=body, headers=world.person))["declined"] is False
    (posted,) = fetcher.posted
    assert list(posted) == ["response"] and posted["response"].count(".") == 4
    state = _state(world, asked["id"])
    assert state["status"] == "verified"
    (presentation,) = state["outcome"]["presentations"]
    assert set(presentation["claims"]) == {"title"}


def test_declining_tells_the_verifier_access_denied_and_nothing_is_presented(
    world: World,
) -> None:
    receive_by_pickup(world)
    fetcher = InstanceFetcher(world.client)
    _use(world, fetcher)
    asked = _ask(world)
    body = {"link": asked["authorization_request_uri"], "approvals": []}
    answered = ok(world.client.post(RESPOND, json=body, headers=world.person))
    assert answered["declined"] is True
    assert fetcher.posted == [{"error": "access_denied", "state": asked["id"]}]
    assert _state(world, asked["id"])["status"] == "pending"


def test_a_tampered_request_object_is_refused_and_nothing_is_shown_or_sent(
    world: World,
) -> None:
    credential_id = receive_by_pickup(world)
    fetcher = InstanceFetcher(world.client, tamper=True)
    _use(world, fetcher)
    asked = _ask(world)
    link = asked["authorization_request_uri"]
    resolved = world.client.post(RESOLVE, json={"link": link}, headers=world.person)
    assert_problem(resolved, 422, "openid4vp_request_invalid")
    approvals = [{"query_id": "degree", "credential_id": credential_id, "claim_ids": ["0"]}]
    body = {"link": link, "approvals": approvals}
    responded = world.client.post(RESPOND, json=body, headers=world.person)
    assert_problem(responded, 422, "openid4vp_request_invalid")
    assert fetcher.posted == []
    assert _state(world, asked["id"])["status"] == "pending"


def test_a_request_signed_by_a_certificate_the_wallet_does_not_trust_is_refused(
    world: World,
) -> None:
    receive_by_pickup(world)
    _use(world, InstanceFetcher(world.client), trust=False)
    asked = _ask(world)
    body = {"link": asked["authorization_request_uri"]}
    resolved = world.client.post(RESOLVE, json=body, headers=world.person)
    assert_problem(resolved, 422, "openid4vp_request_invalid")


@pytest.mark.parametrize(
    "link",
    [
        "https://taito.test/not-a-wallet-link",
        "openid4vp://?client_id=x509_hash:abc",
        "openid4vp://?client_id=a&request_uri=https://taito.test/r&request_uri_method=put",
        "openid4vp://?client_id=a&client_id=b&request_uri=https://taito.test/r",
    ],
)
def test_links_that_are_not_openid4vp_requests_by_reference_are_refused(
    world: World, link: str
) -> None:
    _use(world, InstanceFetcher(world.client))
    resolved = world.client.post(RESOLVE, json={"link": link}, headers=world.person)
    assert_problem(resolved, 422, "openid4vp_request_invalid")


def test_an_unreachable_request_uri_is_a_problem_not_an_error(world: World) -> None:
    _use(world, InstanceFetcher(world.client))
    link = "openid4vp://?client_id=x509_hash:abc&request_uri=https://elsewhere.example/r"
    resolved = world.client.post(RESOLVE, json={"link": link}, headers=world.person)
    assert_problem(resolved, 422, "openid4vp_request_unreachable")


@pytest.mark.parametrize("path", [RESOLVE, RESPOND])
def test_outside_requests_need_a_signed_in_person(world: World, path: str) -> None:
    response = world.client.post(path, json={"link": "openid4vp://?", "approvals": []})
    assert response.status_code == 401


def test_another_persons_credential_cannot_be_presented_and_nothing_is_sent(
    world: World,
) -> None:
    credential_id = receive_by_pickup(world)
    fetcher = InstanceFetcher(world.client)
    _use(world, fetcher)
    stranger = {"username": "someone.else@example.fi", "password": "another long passphrase"}
    ok(world.client.post("/v1/auth/register", json=stranger), 201)
    tokens = ok(world.client.post("/v1/auth/login", json=stranger))
    asked = _ask(world)
    approvals = [{"query_id": "degree", "credential_id": credential_id, "claim_ids": ["0"]}]
    body = {"link": asked["authorization_request_uri"], "approvals": approvals}
    response = world.client.post(RESPOND, json=body, headers=bearer(tokens["access_token"]))
    assert_problem(response, 404, "credential_not_found")
    assert fetcher.posted == []
    assert _state(world, asked["id"])["status"] == "pending"
