"""Every answer carrying personal data says ``Cache-Control: no-store`` (issue 12, RFC 9111).

The test walks the OpenAPI document: every operation of the wallet, accounts, shares, verifiers
(reports), verifications and issuers (register, credentials), called as its rightful caller with
real identifiers; every response must forbid storing it, whatever its status.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_end_to_end import ADMIN, World, bearer, ok, receive_by_pickup
from tests.api.test_end_to_end import world as end_to_end_world  # noqa: F401 - a fixture
from wallet.consent import GRANT_CONSENT

HELP_DESK = "aaeec9a7-dc57-4485-890c-86b3eef735f9"
PRIVATE_PREFIXES = (
    "/v1/wallet",
    "/v1/auth",
    "/v1/shares",
    "/v1/verifiers",
    "/v1/verifications",
    "/v1/issuers",
)


@pytest.fixture
def world(end_to_end_world: World) -> World:  # noqa: F811 - the imported fixture
    """The end-to-end world: a college, two verifiers and a person with a wallet."""
    return end_to_end_world


def _identifiers(world: World) -> dict[str, str]:
    client = world.client
    credential_id = receive_by_pickup(world)
    share = ok(
        client.post(
            "/v1/wallet/shares",
            json={
                "credentials": [{"credential_id": credential_id, "claims": [["title"]]}],
                "audience": world.verifier_client_id,
                "purpose": "Application",
            },
            headers=world.person,
        ),
        201,
    )
    asked = ok(
        client.post(
            "/v1/verifiers/employer/requests",
            json={
                "credentials": [{"id": "degree", "type": "qualification", "claims": ["title"]}],
                "purpose": "Checking the qualification.",
            },
            headers=bearer(world.verifier_key),
        ),
        201,
    )
    issued = ok(client.get("/v1/issuers/college/credentials", headers=bearer(world.issuer_key)))
    office = ok(
        client.post(
            "/v1/admin/verifiers",
            json={"slug": "office", "name": "Työllisyyspalvelut", "guidance": True},
            headers=ADMIN,
        ),
        201,
    )
    ok(
        client.post("/v1/wallet/goals", json={"occupation_id": HELP_DESK}, headers=world.person),
        201,
    )
    grant = ok(
        client.post(
            "/v1/wallet/grants",
            json={
                "organisation": "office",
                "purpose": "Guidance",
                "profile": True,
                "consent_version": GRANT_CONSENT.version,
            },
            headers=world.person,
        ),
        201,
    )
    return {
        "wallet_credential_id": credential_id,
        "issued_credential_id": issued["items"][0]["id"],
        "share_id": share["id"],
        "token": share["url"].rsplit("/", 1)[1],
        "request_id": asked["id"],
        "office_key": office["api_key"],
        "grant_id": grant["id"],
    }


def _call(world: World, ids: dict[str, str], method: str, path: str) -> Any:
    if path.startswith("/v1/issuers"):
        auth, slug, credential = bearer(world.issuer_key), "college", ids["issued_credential_id"]
    elif path.startswith("/v1/verifiers/{slug}/grants"):
        auth, slug, credential = bearer(ids["office_key"]), "office", ""
    elif path.startswith(("/v1/verifiers", "/v1/verifications", "/v1/shares")):
        auth, slug, credential = bearer(world.verifier_key), "employer", ""
    elif path.startswith("/v1/auth"):
        auth, slug, credential = {}, "", ""  # a token here would end the walk's own session
    else:
        auth, slug, credential = world.person, "", ids["wallet_credential_id"]
    url = path.format(
        slug=slug,
        credential_id=credential if method == "GET" else "x",
        share_id=ids["share_id"] if method == "GET" else "x",
        request_id=ids["request_id"],
        token=ids["token"],
        skill_id="x",
        occupation_id=HELP_DESK,
        grant_id=ids["grant_id"] if method == "GET" else "x",
        opportunity_id="x",
    )
    client: TestClient = world.client
    # Writes get an empty body: they answer a problem and change nothing, and that too is private.
    return client.request(method, url, headers=auth, json=None if method == "GET" else {})


def test_every_response_of_the_private_routes_forbids_storing_it(world: World) -> None:
    ids = _identifiers(world)
    paths: dict[str, dict[str, Any]] = world.client.app.openapi()["paths"]  # type: ignore[attr-defined]
    walked = []
    for path, operations in sorted(paths.items()):
        if not path.startswith(PRIVATE_PREFIXES):
            continue
        for method in sorted(operations):
            response = _call(world, ids, method.upper(), path)
            if method == "get":
                assert response.status_code == 200, (path, response.text)
            assert "no-store" in response.headers.get("cache-control", ""), (method, path)
            walked.append((method, path))
    assert ("get", "/v1/wallet/credentials/{credential_id}") in walked
    assert ("get", "/v1/verifiers/{slug}/requests/{request_id}") in walked
    assert ("get", "/v1/shares/{token}") in walked
    assert len(walked) >= 35


def test_public_documents_keep_their_own_cache_lifetime(world: World) -> None:
    response = world.client.get("/.well-known/jwt-vc-issuer/issuers/college")
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("public, max-age=")
