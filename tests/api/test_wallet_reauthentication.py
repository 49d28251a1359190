"""Over HTTP: an access token alone cannot export, erase or change the password (issue 12)."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.test_wallet_support_api import (
    PASSWORD,
    WalletHarness,
    harness_for,
    problem,
    receive_three,
    register,
)
from tests.service.test_wallet_support import CLAIM_VALUES

PASSPHRASE = "my own export passphrase"


@pytest.fixture
def harness(app: FastAPI, client: TestClient) -> Iterator[WalletHarness]:
    yield from harness_for(app, client)


def test_an_access_token_alone_cannot_export_the_wallet(harness: WalletHarness) -> None:
    client = harness.client
    auth = register(client)
    receive_three(client, auth)
    assert client.get("/v1/wallet/export", headers=auth).status_code == 405
    problem(client.post("/v1/wallet/export", json={}, headers=auth), 422, "validation_failed")
    wrong = {"password": "not the password", "passphrase": PASSPHRASE}
    problem(
        client.post("/v1/wallet/export", json=wrong, headers=auth), 403, "reauthentication_failed"
    )
    weak = {"password": PASSWORD, "passphrase": "short"}
    problem(client.post("/v1/wallet/export", json=weak, headers=auth), 422, "passphrase_rejected")
    kinds = [e["kind"] for e in client.get("/v1/wallet/activity", headers=auth).json()["entries"]]
    assert "wallet_exported" not in kinds


def test_the_export_is_encrypted_and_imports_only_with_its_passphrase(
    harness: WalletHarness,
) -> None:
    client = harness.client
    auth = register(client)
    receive_three(client, auth)
    body = {"password": PASSWORD, "passphrase": PASSPHRASE}
    exported = client.post("/v1/wallet/export", json=body, headers=auth)
    assert exported.status_code == 200 and exported.headers["cache-control"] == "no-store"
    assert [value for value in CLAIM_VALUES if value in exported.text] == []
    other = register(client, "other@example.fi")
    wrong = {"passphrase": "not the passphrase", "export": exported.json()}
    problem(
        client.post("/v1/wallet/import", json=wrong, headers=other), 422, "export_passphrase_wrong"
    )
    assert client.get("/v1/wallet/credentials", headers=other).json()["credentials"] == []
    right = {"passphrase": PASSPHRASE, "export": exported.json()}
    report = client.post("/v1/wallet/import", json=right, headers=other).json()
    assert report["imported"] == 3 and report["keys_added"] == 1


def test_an_access_token_alone_cannot_erase_the_wallet(harness: WalletHarness) -> None:
    client = harness.client
    auth = register(client)
    receive_three(client, auth)
    assert client.delete("/v1/wallet", headers=auth).status_code in (404, 405)
    wrong = {"password": "not the password"}
    problem(
        client.post("/v1/wallet/erase", json=wrong, headers=auth), 403, "reauthentication_failed"
    )
    assert len(client.get("/v1/wallet/credentials", headers=auth).json()["credentials"]) == 3
    erased = client.post("/v1/wallet/erase", json={"password": PASSWORD}, headers=auth)
    assert erased.status_code == 200 and erased.json()["credentials"] == 3


def test_changing_the_password_takes_the_current_one_and_ends_every_session(
    harness: WalletHarness,
) -> None:
    client = harness.client
    auth = register(client)
    second = client.post(
        "/v1/auth/login", json={"username": "maija@example.fi", "password": PASSWORD}
    ).json()
    body = {"current_password": PASSWORD, "new_password": "a brand new password"}
    problem(client.post("/v1/auth/password", json=body), 401, "unauthenticated")
    wrong = {**body, "current_password": "not the password"}
    problem(
        client.post("/v1/auth/password", json=wrong, headers=auth), 403, "reauthentication_failed"
    )
    changed = client.post("/v1/auth/password", json=body, headers=auth)
    assert changed.status_code == 200 and changed.headers["cache-control"] == "no-store"
    for old in (auth, {"Authorization": f"Bearer {second['access_token']}"}):
        problem(client.get("/v1/wallet/credentials", headers=old), 401, "access_token_invalid")
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert client.get("/v1/wallet/credentials", headers=fresh).status_code == 200
    old_login = {"username": "maija@example.fi", "password": PASSWORD}
    problem(client.post("/v1/auth/login", json=old_login), 401, "login_failed")
