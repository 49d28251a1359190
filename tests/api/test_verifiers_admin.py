"""Admin endpoints for verifiers and the trust registry, including authorization on each."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings
from credentials.keys import generate_key
from tests.api.test_foundation import assert_problem
from tests.service.test_verifiers_support import QUALIFICATION, unique

ADMIN = {"Authorization": "Bearer admin-secret-for-tests"}


@pytest.fixture
def admin_client(settings: Settings, clean_engine: Engine) -> Iterator[TestClient]:
    configured = settings.model_copy(update={"admin_token": SecretStr("admin-secret-for-tests")})
    with TestClient(
        create_app(configured, engine=clean_engine), base_url="https://taito.test"
    ) as client:
        yield client


def pinned(identifier: str | None = None) -> dict[str, Any]:
    return {
        "identifier": identifier or unique("https://issuer.example/i"),
        "display_name": "Omnia",
        "key_source": "pinned_jwk",
        "vct_values": [QUALIFICATION],
        "jwks": {"keys": [generate_key("ES256").public.jwk]},
    }


ADMIN_CALLS = [
    ("POST", "/v1/admin/verifiers", {"slug": "acme", "name": "Acme"}),
    ("GET", "/v1/admin/verifiers", None),
    ("GET", "/v1/admin/trust", None),
    ("GET", "/v1/admin/trust/entry?identifier=https://x.example", None),
    ("POST", "/v1/admin/trust", pinned("https://x.example")),
    ("PUT", "/v1/admin/trust", pinned("https://x.example")),
    ("DELETE", "/v1/admin/trust?identifier=https://x.example", None),
    ("GET", "/v1/admin/trust/export", None),
    ("POST", "/v1/admin/trust/import", {"version": 1, "trusted_issuers": []}),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_admin_endpoint_without_the_admin_token_is_401(
    admin_client: TestClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = admin_client.request(method, path, json=body, headers=headers)
        assert_problem(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"] == "Bearer"


def test_admin_creates_a_verifier_and_sees_its_key_once(admin_client: TestClient) -> None:
    slug = unique("acme")
    response = admin_client.post(
        "/v1/admin/verifiers", json={"slug": slug, "name": "Acme"}, headers=ADMIN
    )
    assert response.status_code == 201
    body = response.json()
    assert body["api_key"].startswith("tvk_")
    assert body["verifier"]["client_id"] == f"https://taito.test/verifiers/{slug}"
    listed = admin_client.get("/v1/admin/verifiers", headers=ADMIN).json()["verifiers"]
    assert slug in [item["slug"] for item in listed] and "api_key" not in listed[0]


def test_duplicate_verifier_slug_is_a_409_problem(admin_client: TestClient) -> None:
    slug = unique("acme")
    admin_client.post("/v1/admin/verifiers", json={"slug": slug, "name": "A"}, headers=ADMIN)
    response = admin_client.post(
        "/v1/admin/verifiers", json={"slug": slug, "name": "B"}, headers=ADMIN
    )
    assert_problem(response, 409, "verifier_slug_taken")


def test_invalid_verifier_slug_is_a_422_problem(admin_client: TestClient) -> None:
    response = admin_client.post(
        "/v1/admin/verifiers", json={"slug": "Not OK", "name": "B"}, headers=ADMIN
    )
    assert_problem(response, 422, "verifier_invalid")


def test_trust_entry_is_added_read_replaced_and_removed(admin_client: TestClient) -> None:
    entry = pinned()
    created = admin_client.post("/v1/admin/trust", json=entry, headers=ADMIN)
    assert created.status_code == 201 and created.json()["key_source"] == "pinned_jwk"
    query = {"identifier": entry["identifier"]}
    assert (
        admin_client.get("/v1/admin/trust/entry", params=query, headers=ADMIN).json()[
            "display_name"
        ]
        == "Omnia"
    )
    replaced = admin_client.put(
        "/v1/admin/trust", json={**entry, "display_name": "Omnia 2"}, headers=ADMIN
    )
    assert replaced.json()["display_name"] == "Omnia 2"
    assert admin_client.delete("/v1/admin/trust", params=query, headers=ADMIN).status_code == 204
    missing = admin_client.get("/v1/admin/trust/entry", params=query, headers=ADMIN)
    assert_problem(missing, 404, "trusted_issuer_not_found")


def test_adding_a_trusted_issuer_twice_is_a_409_problem(admin_client: TestClient) -> None:
    entry = pinned()
    admin_client.post("/v1/admin/trust", json=entry, headers=ADMIN)
    assert_problem(
        admin_client.post("/v1/admin/trust", json=entry, headers=ADMIN),
        409,
        "trusted_issuer_exists",
    )


def test_replacing_an_unknown_issuer_is_a_404_problem(admin_client: TestClient) -> None:
    assert_problem(
        admin_client.put("/v1/admin/trust", json=pinned(), headers=ADMIN),
        404,
        "trusted_issuer_not_found",
    )


def test_invalid_trust_entry_is_a_422_problem_with_pointers(admin_client: TestClient) -> None:
    entry = {**pinned(), "jwks": {"keys": [generate_key("ES256").private_jwk]}}
    response = admin_client.post("/v1/admin/trust", json=entry, headers=ADMIN)
    body = assert_problem(response, 422, "trust_entry_invalid")
    assert body["errors"] == [
        {"pointer": "/jwks/keys/0", "message": "must be a public Ed25519 or P-256 JWK"}
    ]
    assert '"d"' not in response.text


@pytest.mark.parametrize(
    ("key_url", "message"),
    [
        ("https://169.254.169.254/latest/meta-data", "must name a DNS host, not an IP address"),
        ("https://[fe80::1]/jwks.json", "must name a DNS host, not an IP address"),
        ("https://10.0.0.7/jwks.json", "must name a DNS host, not an IP address"),
        ("https://2130706433/jwks.json", "must name a DNS host, not an IP address"),
        (
            "https://printer.local/jwks.json",
            "must name a public host, not a local or link-local one",
        ),
        ("https://localhost/jwks.json", "must name a public host, not a local or link-local one"),
        ("https://admin:pw@issuer.example/jwks.json", "must not carry user information"),
        ("https:///jwks.json", "must name a host"),
    ],
)
def test_trust_entry_with_a_key_url_that_is_not_a_public_dns_host_is_refused_naming_the_field(
    admin_client: TestClient, key_url: str, message: str
) -> None:
    entry = {**pinned(), "key_source": "jwks_url", "key_url": key_url}
    del entry["jwks"]
    for method in ("POST", "PUT"):
        response = admin_client.request(method, "/v1/admin/trust", json=entry, headers=ADMIN)
        body = assert_problem(response, 422, "trust_entry_invalid")
        assert body["errors"] == [{"pointer": "/key_url", "message": f"the key_url {message}"}]
    imported = admin_client.post(
        "/v1/admin/trust/import",
        json={"version": 1, "trusted_issuers": [entry]},
        headers=ADMIN,
    )
    body = assert_problem(imported, 422, "trust_entry_invalid")
    assert body["errors"] == [
        {"pointer": "/trusted_issuers/0/key_url", "message": f"the key_url {message}"}
    ]
    assert admin_client.get("/v1/admin/trust", headers=ADMIN).json()["trusted_issuers"] == []


def test_issuer_metadata_entry_naming_an_ip_address_is_refused(admin_client: TestClient) -> None:
    entry = {**pinned("https://169.254.169.254/issuer"), "key_source": "issuer_metadata"}
    del entry["jwks"]
    body = assert_problem(
        admin_client.post("/v1/admin/trust", json=entry, headers=ADMIN), 422, "trust_entry_invalid"
    )
    assert body["errors"] == [
        {
            "pointer": "/identifier",
            "message": "an issuer_metadata identifier must name a DNS host, not an IP address",
        }
    ]


def test_registry_exports_and_imports_through_the_api(admin_client: TestClient) -> None:
    entry = pinned()
    admin_client.post("/v1/admin/trust", json=entry, headers=ADMIN)
    exported = admin_client.get("/v1/admin/trust/export", headers=ADMIN).json()
    assert exported["version"] == 1
    admin_client.delete(
        "/v1/admin/trust", params={"identifier": entry["identifier"]}, headers=ADMIN
    )
    imported = admin_client.post("/v1/admin/trust/import", json=exported, headers=ADMIN)
    assert imported.status_code == 200
    assert entry["identifier"] in [e["identifier"] for e in imported.json()["trusted_issuers"]]


def test_invalid_registry_import_is_a_422_problem(admin_client: TestClient) -> None:
    response = admin_client.post("/v1/admin/trust/import", json={"version": 2}, headers=ADMIN)
    body = assert_problem(response, 422, "trust_entry_invalid")
    assert body["errors"] == [{"pointer": "/version", "message": "must be 1"}]
