"""Admin endpoints and ``taito admin issuer`` commands."""

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from api.cli import main
from api.settings import Settings
from tests.api.test_foundation import assert_problem

ADMIN = "tadm_test-admin-token-0123456789"


@pytest.fixture
def admin(client: TestClient, settings: Settings) -> dict[str, str]:
    client.app.state.settings = settings.model_copy(  # type: ignore[attr-defined]
        update={"admin_token": SecretStr(ADMIN)}
    )
    return {"Authorization": f"Bearer {ADMIN}"}


def _create(client: TestClient, headers: dict[str, str], **extra: Any) -> Any:
    body = {"name": "Esimerkin AMK", "slug": "esimerkki", "types": ["qualification"], **extra}
    return client.post("/v1/admin/issuers", json=body, headers=headers)


def test_admin_creates_an_issuer_and_gets_its_api_key_once(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = _create(client, admin, alg="ES256")
    assert response.status_code == 201
    body = response.json()
    assert body["api_key"].startswith("tik_")
    assert body["issuer"]["identifier"] == "https://taito.test/issuers/esimerkki"
    assert body["issuer"]["did"] == "did:web:taito.test:issuers:esimerkki"
    assert body["key"]["alg"] == "ES256" and "d" not in body["key"]["public_jwk"]
    own = client.get(
        "/v1/issuers/esimerkki", headers={"Authorization": f"Bearer {body['api_key']}"}
    )
    assert own.status_code == 200
    listing = client.get("/v1/admin/issuers", headers=admin)
    assert "esimerkki" in [i["slug"] for i in listing.json()["issuers"]]
    assert "api_key" not in listing.text


def test_admin_create_refuses_taken_slugs_and_bad_types(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert _create(client, admin).status_code == 201
    assert_problem(_create(client, admin), 409, "issuer_slug_taken")
    assert_problem(_create(client, admin, slug="x", types=["diploma"]), 422, "issuer_invalid")
    assert_problem(_create(client, admin, slug="Bad Slug"), 422, "issuer_invalid")
    assert_problem(_create(client, admin, alg="RS256"), 422, "validation_failed")


def test_admin_rotates_a_key_and_both_stay_published(
    client: TestClient, admin: dict[str, str]
) -> None:
    created = _create(client, admin).json()
    rotated = client.post("/v1/admin/issuers/esimerkki/keys", json={"alg": "ES256"}, headers=admin)
    assert rotated.status_code == 201
    metadata = client.get("/.well-known/jwt-vc-issuer/issuers/esimerkki").json()
    # The old key signed nothing that is still valid, so only the new key is published.
    assert [k["kid"] for k in metadata["jwks"]["keys"]] == [rotated.json()["kid"]]
    assert rotated.json()["kid"] != created["key"]["kid"]
    missing = client.post("/v1/admin/issuers/nobody/keys", json={}, headers=admin)
    assert_problem(missing, 404, "issuer_not_found")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/admin/issuers", {"name": "x", "slug": "x", "types": ["competence"]}),
        ("GET", "/v1/admin/issuers", None),
        ("POST", "/v1/admin/issuers/esimerkki/keys", {}),
    ],
)
def test_admin_endpoints_need_the_admin_token(
    client: TestClient, admin: dict[str, str], method: str, path: str, body: Any
) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer tik_x"}):
        response = client.request(method, path, json=body, headers=headers)
        assert_problem(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"] == "Bearer"


def test_admin_endpoints_are_closed_without_a_configured_token(client: TestClient) -> None:
    response = client.get("/v1/admin/issuers", headers={"Authorization": "Bearer anything"})
    assert_problem(response, 401, "unauthenticated")


def test_cli_creates_lists_and_rotates(
    settings: Settings,
    database: tuple[str, dict[str, Any]],
    clean_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, connect_args = database
    if "options" in connect_args:  # PostgreSQL: the run's schema travels in the URL
        url = f"{url}?options={quote(connect_args['options'])}"
    monkeypatch.setenv("TAITO_DATABASE_URL", url)
    monkeypatch.setenv("TAITO_BASE_URL", settings.base_url)
    monkeypatch.setenv("TAITO_KEK_FILE", str(settings.kek_file))
    monkeypatch.setenv("TAITO_ENVIRONMENT", "test")
    from api.cli import admin as admin_cli
    from api.cli import admin_issuers

    monkeypatch.setattr(admin_cli, "_admin_modules", lambda: [admin_issuers])
    code = main(
        [
            "admin",
            "issuer",
            "create",
            "--name",
            "CLI AMK",
            "--slug",
            "cli-amk",
            "--types",
            "qualification,competence",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "API key (shown once, store it safely): tik_" in out
    assert "did:web:taito.test:issuers:cli-amk" in out
    assert main(["admin", "issuer", "list"]) == 0
    assert "cli-amk\tCLI AMK\tcompetence,qualification" in capsys.readouterr().out
    assert main(["admin", "issuer", "rotate-key", "--slug", "cli-amk", "--alg", "ES256"]) == 0
    assert "new signing key: ES256" in capsys.readouterr().out
    assert (
        main(
            [
                "admin",
                "issuer",
                "create",
                "--name",
                "x",
                "--slug",
                "cli-amk",
                "--types",
                "competence",
            ]
        )
        == 1
    )
    assert "choose another slug" in capsys.readouterr().err
