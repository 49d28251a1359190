"""Authorization on every wallet endpoint: 401 without a live token, 404 on another person's
resources, nothing of theirs in one's own lists; expired and reused tokens are refused."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from schemas import vct_for
from tests.api.test_wallet_support_api import (
    PASSWORD,
    WalletHarness,
    harness_for,
    problem,
    receive_three,
    register,
)
from tests.service.test_wallet_support import BASE_URL, NOW, PYTHON
from verifiers.organisations import create_verifier
from wallet.consent import GRANT_CONSENT
from wallet.request_answers import PresentationRequest

HELP_DESK = "aaeec9a7-dc57-4485-890c-86b3eef735f9"


@pytest.fixture
def harness(app: FastAPI, client: TestClient) -> Iterator[WalletHarness]:
    yield from harness_for(app, client)


def _share_body(credential_id: str) -> dict[str, Any]:
    return {
        "credentials": [{"credential_id": credential_id, "claims": [["title"]]}],
        "audience": "anyone",
        "purpose": "CV",
    }


# Routes acting on one resource of the caller, addressed by id: another person's is 404.
OWNED = {
    ("GET", "/v1/wallet/credentials/{credential_id}"): "credential_not_found",
    ("DELETE", "/v1/wallet/credentials/{credential_id}"): "credential_not_found",
    ("GET", "/v1/wallet/shares/{share_id}"): "share_not_found",
    ("DELETE", "/v1/wallet/shares/{share_id}"): "share_not_found",
    ("POST", "/v1/wallet/shares/preview"): "credential_not_found",
    ("POST", "/v1/wallet/shares"): "credential_not_found",
    ("DELETE", "/v1/wallet/skills/{skill_id}"): "skill_not_found",
    ("POST", "/v1/wallet/requests/{request_id}/response"): "credential_not_found",
    ("DELETE", "/v1/wallet/goals/{occupation_id}"): "goal_not_found",
    ("DELETE", "/v1/wallet/grants/{grant_id}"): "grant_not_found",
}
# Routes over the caller's whole wallet: another person's data never appears in them.
LISTS = {
    ("GET", "/v1/wallet/credentials"),
    ("GET", "/v1/wallet/shares"),
    ("GET", "/v1/wallet/skills"),
    ("GET", "/v1/wallet/activity"),
    ("GET", "/v1/wallet/profile"),
    ("GET", "/v1/wallet/binding"),
    ("GET", "/v1/wallet/requests/{request_id}"),
    ("GET", "/v1/wallet/goals"),
    ("GET", "/v1/wallet/goals/{occupation_id}/gap"),
    ("GET", "/v1/wallet/grants"),
    ("GET", "/v1/wallet/grants/terms"),
    ("GET", "/v1/wallet/grants/organisations"),
    ("GET", "/v1/wallet/consent-receipts"),
}
# Routes that only add to or erase the caller's own wallet.
OWN_WRITES = {
    ("POST", "/v1/wallet/credentials"),
    ("POST", "/v1/wallet/pickup"),
    ("POST", "/v1/wallet/skills"),
    ("POST", "/v1/wallet/import"),
    ("POST", "/v1/wallet/export"),
    ("POST", "/v1/wallet/erase"),
    ("POST", "/v1/wallet/goals"),
    ("POST", "/v1/wallet/grants"),
    ("POST", "/v1/wallet/offers/resolve"),
    ("POST", "/v1/wallet/offers/accept"),
}

# Routes answering a verifier elsewhere (OpenID4VP): another person's credential is 404 there
# too (tests/api/test_openid4vp_wallet.py), and nothing is sent.
OUTSIDE = {
    ("POST", "/v1/wallet/presentation-requests/resolve"),
    ("POST", "/v1/wallet/presentation-requests/respond"),
}


def _wallet_routes(app: FastAPI) -> set[tuple[str, str]]:
    # The OpenAPI document lists every route, however routers are nested.
    paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    return {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/v1/wallet")
        for method in operations
    }


def test_the_matrix_covers_every_wallet_route(app: FastAPI) -> None:
    routes = _wallet_routes(app)
    assert len(routes) == 35
    assert routes == set(OWNED) | LISTS | OWN_WRITES | OUTSIDE


def test_every_wallet_route_needs_a_token(app: FastAPI, client: TestClient) -> None:
    for method, path in sorted(_wallet_routes(app)):
        url = path.format(
            credential_id="x",
            share_id="x",
            skill_id="x",
            request_id="x",
            occupation_id="x",
            grant_id="x",
        )
        response = client.request(method, url, json={})
        problem(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"] == "Bearer"


def test_every_wallet_route_refuses_an_expired_access_token(
    app: FastAPI, harness: WalletHarness
) -> None:
    auth = register(harness.client)
    harness.clock.advance(minutes=15)
    for method, path in sorted(_wallet_routes(app)):
        url = path.format(
            credential_id="x",
            share_id="x",
            skill_id="x",
            request_id="x",
            occupation_id="x",
            grant_id="x",
        )
        response = harness.client.request(method, url, json={}, headers=auth)
        problem(response, 401, "access_token_invalid")
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_person_a_gets_404_on_every_resource_of_person_b(
    app: FastAPI, harness: WalletHarness
) -> None:
    client = harness.client
    b = register(client, "b@example.fi")
    b_credentials = receive_three(client, b)
    credential = b_credentials["qualification"]
    share = client.post("/v1/wallet/shares", json=_share_body(credential), headers=b).json()["id"]
    skill = client.post("/v1/wallet/skills", json={"uri": PYTHON}, headers=b).json()["id"]
    harness.requests.requests["req_1"] = PresentationRequest(
        request_id="req_1",
        audience=f"{BASE_URL}/verifiers/rekry",
        nonce="nonce-1234",
        query={
            "credentials": [
                {
                    "id": "q",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": [vct_for("qualification", base_url=BASE_URL)]},
                    "claims": [{"id": "t", "path": ["title"]}],
                }
            ]
        },
        purpose="x",
        verifier_name="Rekry Oy",
        expires_at=NOW + timedelta(hours=1),
    )
    with Session(app.state.engine) as session:
        create_verifier(
            session, slug="office", name="Office", base_url=BASE_URL, now=NOW, guidance=True
        )
    goal = {"occupation_id": HELP_DESK}
    assert client.post("/v1/wallet/goals", json=goal, headers=b).status_code == 201
    grant = client.post(
        "/v1/wallet/grants",
        json={
            "organisation": "office",
            "purpose": "Guidance",
            "profile": True,
            "credential_ids": [credential],
            "consent_version": GRANT_CONSENT.version,
        },
        headers=b,
    ).json()["id"]
    a = register(client, "a@example.fi")
    ids = {
        "credential_id": credential,
        "share_id": share,
        "skill_id": skill,
        "request_id": "req_1",
        "occupation_id": HELP_DESK,
        "grant_id": grant,
    }
    bodies = {
        "/v1/wallet/shares/preview": _share_body(credential),
        "/v1/wallet/shares": _share_body(credential),
        "/v1/wallet/requests/{request_id}/response": {
            "approvals": [{"query_id": "q", "credential_id": credential, "claim_ids": ["t"]}]
        },
    }
    for (method, path), code in OWNED.items():
        response = client.request(method, path.format(**ids), json=bodies.get(path), headers=a)
        problem(response, 404, code)

    secrets_of_b = {credential, share, skill, grant, *b_credentials.values()}
    for method, path in LISTS:
        response = client.request(method, path.format(**ids), headers=a)
        assert response.status_code == 200, (method, path)
        assert not any(secret in response.text for secret in secrets_of_b), (method, path)
    export = {"password": PASSWORD, "passphrase": "a passphrase of my own"}
    envelope = client.post("/v1/wallet/export", json=export, headers=a).json()
    opened = client.post(
        "/v1/wallet/import",
        json={"passphrase": "a passphrase of my own", "export": envelope},
        headers=a,
    )
    assert opened.json()["imported"] == 0 and opened.json()["rejected"] == []

    # B's wallet is untouched by everything A did, including A erasing A's own wallet.
    erased = client.post("/v1/wallet/erase", json={"password": PASSWORD}, headers=a)
    assert erased.status_code == 200
    assert len(client.get("/v1/wallet/credentials", headers=b).json()["credentials"]) == 3
    assert client.get(f"/v1/wallet/shares/{share}", headers=b).json()["status"] == "active"


def test_reused_refresh_token_is_refused_and_ends_the_family(harness: WalletHarness) -> None:
    client = harness.client
    first = client.post(
        "/v1/auth/register", json={"username": "maija@example.fi", "password": PASSWORD}
    ).json()
    second = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200 and second.headers["cache-control"] == "no-store"
    reused = client.post("/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    problem(reused, 401, "refresh_token_reused")
    problem(
        client.post("/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}),
        401,
        "refresh_token_invalid",
    )
    headers = {"Authorization": f"Bearer {second.json()['access_token']}"}
    problem(client.get("/v1/wallet/binding", headers=headers), 401, "access_token_invalid")


def test_expired_refresh_token_is_refused(harness: WalletHarness) -> None:
    tokens = harness.client.post(
        "/v1/auth/register", json={"username": "maija@example.fi", "password": PASSWORD}
    ).json()
    harness.clock.advance(days=30)
    response = harness.client.post(
        "/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    problem(response, 401, "refresh_token_invalid")


def test_logout_ends_the_session(harness: WalletHarness) -> None:
    auth = register(harness.client)
    assert harness.client.post("/v1/auth/logout", headers=auth).status_code == 204
    problem(harness.client.get("/v1/wallet/binding", headers=auth), 401, "access_token_invalid")
    problem(harness.client.post("/v1/auth/logout"), 401, "unauthenticated")


def _from(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, base_url="https://taito.test", client=(address, 50000))


def test_failed_logins_slow_their_address_but_never_lock_the_owner_out(
    app: FastAPI, harness: WalletHarness
) -> None:
    register(harness.client)
    right = {"username": "maija@example.fi", "password": PASSWORD}
    wrong = {"username": "maija@example.fi", "password": "not the password"}
    with _from(app, "198.51.100.7") as owner, _from(app, "203.0.113.9") as attacker:
        assert owner.post("/v1/auth/login", json=right).status_code == 200
        for _ in range(5):
            problem(attacker.post("/v1/auth/login", json=wrong), 401, "login_failed")
        throttled = attacker.post("/v1/auth/login", json=wrong)
        problem(throttled, 429, "login_throttled")
        assert throttled.headers["retry-after"] == "1"
        assert owner.post("/v1/auth/login", json=right).status_code == 200
        harness.clock.advance(seconds=1)
        problem(attacker.post("/v1/auth/login", json=wrong), 401, "login_failed")


def test_throttled_logins_answer_alike_for_known_and_unknown_usernames(
    harness: WalletHarness,
) -> None:
    client = harness.client
    register(client)

    def answers(username: str) -> list[tuple[int, str | None, dict[str, object]]]:
        body = {"username": username, "password": "not the password"}
        seen = []
        for _ in range(7):
            response = client.post("/v1/auth/login", json=body)
            problem_body = {k: v for k, v in response.json().items() if k != "request_id"}
            seen.append((response.status_code, response.headers.get("retry-after"), problem_body))
        return seen

    known, unknown = answers("maija@example.fi"), answers("nobody@example.fi")
    assert known == unknown
    assert [status for status, _, _ in known] == [401] * 5 + [429] * 2


def test_registration_does_not_confirm_who_exists(harness: WalletHarness) -> None:
    client = harness.client
    register(client)

    def attempt(username: str) -> dict[str, object]:
        response = client.post(
            "/v1/auth/register", json={"username": username, "password": PASSWORD}
        )
        body = problem(response, 409, "username_unavailable")
        return {k: v for k, v in body.items() if k != "request_id"}

    assert attempt("MAIJA@example.fi") == attempt("Admin")
    unknown = client.post("/v1/auth/login", json={"username": "nobody", "password": PASSWORD})
    problem(unknown, 401, "login_failed")


@pytest.mark.parametrize(
    ("username", "password", "code"),
    [
        ("   ", PASSWORD, "username_rejected"),
        ("ma", PASSWORD, "username_rejected"),
        ("maija\u0007@example.fi", PASSWORD, "username_characters_invalid"),
        ("ma\u200bija@example.fi", PASSWORD, "username_characters_invalid"),
        ("\u202eif.elpmaxe@ajiam", PASSWORD, "username_characters_invalid"),
        ("liisa@example.fi", "short", "password_too_short"),
        ("liisa@example.fi", " " * 10, "password_too_common"),
        ("liisa@example.fi", "Password123!", "password_too_common"),
        ("liisa@example.fi", "long enough\u0007bell", "password_characters_invalid"),
    ],
)
def test_registration_names_the_rule_a_username_or_password_breaks(
    harness: WalletHarness, username: str, password: str, code: str
) -> None:
    response = harness.client.post(
        "/v1/auth/register", json={"username": username, "password": password}
    )
    problem(response, 422, code)
    assert "liisa" not in response.text and "bell" not in response.text
    register(harness.client, "liisa@example.fi")  # nothing was created by the refused attempt
