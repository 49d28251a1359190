"""Organisations' API keys and disabling through the admin API; the authorization matrix."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_foundation import assert_problem
from tests.api.test_issuers_admin import admin as admin  # the admin-token fixture

KINDS = ("issuers", "verifiers")


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _create(client: TestClient, admin: dict[str, str], kind: str, slug: str) -> str:
    body: dict[str, Any] = {"name": f"{slug} Oy", "slug": slug}
    if kind == "issuers":
        body["types"] = ["qualification"]
    response = client.post(f"/v1/admin/{kind}", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["api_key"])


def _own_page(client: TestClient, kind: str, slug: str, key: str) -> int:
    if kind == "issuers":
        response = client.get(f"/v1/issuers/{slug}", headers=_bearer(key))
    else:
        response = client.post(f"/v1/verifiers/{slug}/nonces", headers=_bearer(key))
    return int(response.status_code)


@pytest.mark.parametrize("kind", KINDS)
def test_an_added_key_is_shown_once_works_and_stops_the_moment_it_is_revoked(
    client: TestClient, admin: dict[str, str], kind: str
) -> None:
    first = _create(client, admin, kind, "kumpula")
    added = client.post(
        f"/v1/admin/{kind}/kumpula/api-keys", json={"name": "Student register"}, headers=admin
    )
    assert added.status_code == 201
    second, key_id = added.json()["api_key"], added.json()["key"]["id"]
    assert _own_page(client, kind, "kumpula", second) in (200, 201)

    listing = client.get(f"/v1/admin/{kind}/kumpula/api-keys", headers=admin)
    assert {k["name"] for k in listing.json()["api_keys"]} == {"first key", "Student register"}
    used = next(k for k in listing.json()["api_keys"] if k["id"] == key_id)
    assert used["last_used_at"] is not None
    assert second not in listing.text and first not in listing.text

    gone = client.delete(f"/v1/admin/{kind}/kumpula/api-keys/{key_id}", headers=admin)
    assert gone.status_code == 204
    assert _own_page(client, kind, "kumpula", second) == 401
    assert _own_page(client, kind, "kumpula", first) in (200, 201)


@pytest.mark.parametrize("kind", KINDS)
def test_a_disabled_organisations_keys_are_refused_until_it_is_enabled(
    client: TestClient, admin: dict[str, str], kind: str
) -> None:
    key = _create(client, admin, kind, "pasila")
    disabled = client.post(f"/v1/admin/{kind}/pasila/disable", headers=admin)
    assert disabled.status_code == 200 and disabled.json()["disabled_at"] is not None
    assert _own_page(client, kind, "pasila", key) == 401
    enabled = client.post(f"/v1/admin/{kind}/pasila/enable", headers=admin)
    assert enabled.json()["disabled_at"] is None
    assert _own_page(client, kind, "pasila", key) in (200, 201)


def test_a_disabled_issuers_published_keys_and_status_lists_stay_online(
    client: TestClient, admin: dict[str, str]
) -> None:
    _create(client, admin, "issuers", "toolo")
    client.post("/v1/admin/issuers/toolo/disable", headers=admin)
    assert client.get("/.well-known/jwt-vc-issuer/issuers/toolo").status_code == 200
    assert client.get("/issuers/toolo/did.json").status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_key_endpoints_refuse_everyone_but_the_admin_and_change_nothing(
    client: TestClient, admin: dict[str, str], kind: str
) -> None:
    own = _create(client, admin, kind, "vallila")
    other = _create(client, admin, kind, "kallio")
    keys = client.get(f"/v1/admin/{kind}/vallila/api-keys", headers=admin).json()["api_keys"]
    key_id = keys[0]["id"]
    calls = [
        ("GET", f"/v1/admin/{kind}/vallila/api-keys", None),
        ("POST", f"/v1/admin/{kind}/vallila/api-keys", {"name": "x"}),
        ("DELETE", f"/v1/admin/{kind}/vallila/api-keys/{key_id}", None),
        ("POST", f"/v1/admin/{kind}/vallila/disable", None),
        ("POST", f"/v1/admin/{kind}/vallila/enable", None),
    ]
    for headers in ({}, _bearer(own), _bearer(other), _bearer("tadm_wrong-token-0123456789")):
        for method, path, body in calls:
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 401, (method, path, response.text)
            assert own not in response.text and "vallila" not in response.text
    listed = client.get(f"/v1/admin/{kind}/vallila/api-keys", headers=admin).json()
    assert listed["api_keys"] == keys
    assert _own_page(client, kind, "vallila", own) in (200, 201)


@pytest.mark.parametrize("kind", KINDS)
def test_another_organisations_key_cannot_be_revoked_through_this_one(
    client: TestClient, admin: dict[str, str], kind: str
) -> None:
    _create(client, admin, kind, "alppila")
    other = _create(client, admin, kind, "hakaniemi")
    other_id = client.get(f"/v1/admin/{kind}/hakaniemi/api-keys", headers=admin).json()["api_keys"][
        0
    ]["id"]
    response = client.delete(f"/v1/admin/{kind}/alppila/api-keys/{other_id}", headers=admin)
    assert_problem(response, 404, f"{kind[:-1]}_api_key_not_found")
    assert _own_page(client, kind, "hakaniemi", other) in (200, 201)


def test_a_key_without_a_name_is_a_422_problem(client: TestClient, admin: dict[str, str]) -> None:
    _create(client, admin, "issuers", "sornainen")
    response = client.post(
        "/v1/admin/issuers/sornainen/api-keys", json={"name": "   "}, headers=admin
    )
    assert_problem(response, 422, "issuer_invalid")


def test_the_admin_creates_staff_invites_lists_and_removes_them(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = {
        "username": "opo",
        "password": "syyslukukausi alkaa taas",
        "name": "Opinto Ohjaaja",
        "organisation": "college",
        "role": "issuer_staff",
    }
    _create(client, admin, "issuers", "college")
    created = client.post("/v1/admin/staff", json=body, headers=admin)
    assert created.status_code == 201
    assert "syyslukukausi" not in created.text
    again = client.post("/v1/admin/staff", json=body, headers=admin)
    assert_problem(again, 409, "username_unavailable")
    invite = client.post(
        "/v1/admin/organisations/college/staff/invites",
        json={"role": "organisation_admin"},
        headers=admin,
    )
    assert invite.status_code == 201 and invite.json()["path"].startswith("/org/join?token=tsi_")
    listing = client.get("/v1/admin/organisations/college/staff", headers=admin).json()["staff"]
    assert [(s["username"], s["role"]) for s in listing] == [("opo", "issuer_staff")]
    account = created.json()["id"]
    path = f"/v1/admin/organisations/college/staff/{account}"
    assert client.delete(path, headers=admin).status_code == 204
    assert_problem(client.delete(path, headers=admin), 404, "staff_member_not_found")


def test_staff_endpoints_refuse_everyone_but_the_admin(
    client: TestClient, admin: dict[str, str]
) -> None:
    calls = [
        ("POST", "/v1/admin/staff", {"username": "x", "password": "y", "name": "z"}),
        ("GET", "/v1/admin/organisations/college/staff", None),
        ("POST", "/v1/admin/organisations/college/staff/invites", {"role": "issuer_staff"}),
        ("DELETE", "/v1/admin/organisations/college/staff/stf_x", None),
    ]
    for headers in ({}, _bearer("tadm_wrong-token-0123456789"), _bearer("tss_staff-session")):
        for method, path, body in calls:
            assert client.request(method, path, json=body, headers=headers).status_code == 401
    _create(client, admin, "issuers", "college")
    assert client.get("/v1/admin/organisations/college/staff", headers=admin).json()["staff"] == []
