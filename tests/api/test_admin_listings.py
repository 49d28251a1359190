"""The administrator's listings are bounded in bytes as well as count, with a cursor to go on."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.listings import ADMIN_ORGANISATIONS, ADMIN_TRUST, Listing
from api.routers import admin_verifiers
from tests.api.test_foundation import assert_problem
from tests.api.test_verifiers_admin import ADMIN, pinned
from tests.api.test_verifiers_admin import admin_client as admin_client


def _all_pages(client: TestClient, path: str, items: str, **params: Any) -> list[list[Any]]:
    pages: list[list[Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, params=query, headers=ADMIN)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body[items])
        cursor = body.get("next_cursor")
        if cursor is None:
            return pages


def _large_entry(number: int) -> dict[str, Any]:
    # The largest entry the registry takes: 100 vct values of 500 characters.
    entry = pinned(f"https://issuer{number:02d}.example/i")
    entry["vct_values"] = [f"https://types.example/{n:03d}/" + "v" * 474 for n in range(100)]
    return entry


def test_trust_entries_with_large_fields_come_in_pages_within_the_byte_bound(
    admin_client: TestClient,
) -> None:
    for number in range(24):
        response = admin_client.post("/v1/admin/trust", json=_large_entry(number), headers=ADMIN)
        assert response.status_code == 201, response.text
    assert ADMIN_TRUST.max_bytes < 24 * 50_000
    pages = _all_pages(admin_client, "/v1/admin/trust", "trusted_issuers")
    assert len(pages) > 1
    for page in pages:
        assert 0 < len(str(page).encode()) <= ADMIN_TRUST.max_bytes + 60_000
    identifiers = [entry["identifier"] for page in pages for entry in page]
    assert identifiers == [f"https://issuer{n:02d}.example/i" for n in range(24)]


def test_trust_pages_stop_at_the_byte_bound_even_below_the_count(
    admin_client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for number in range(5):
        admin_client.post(
            "/v1/admin/trust", json=pinned(f"https://i{number}.example/x"), headers=ADMIN
        )
    monkeypatch.setattr(admin_verifiers, "ADMIN_TRUST", Listing(max_items=200, max_bytes=1500))
    pages = _all_pages(admin_client, "/v1/admin/trust", "trusted_issuers")
    assert [len(page) for page in pages] == [2, 2, 1]


def test_verifiers_come_in_pages_of_the_asked_size_each_once(
    admin_client: TestClient,
) -> None:
    for number in range(5):
        body = {"slug": f"rekry{number}", "name": f"Rekry {number}"}
        assert admin_client.post("/v1/admin/verifiers", json=body, headers=ADMIN).status_code == 201
    pages = _all_pages(admin_client, "/v1/admin/verifiers", "verifiers", limit=2)
    slugs = [v["slug"] for page in pages for v in page]
    assert [s for s in slugs if s.startswith("rekry")] == [f"rekry{n}" for n in range(5)]
    assert len(slugs) == len(set(slugs)) and all(len(page) <= 2 for page in pages)
    too_many = admin_client.get(
        "/v1/admin/verifiers", params={"limit": ADMIN_ORGANISATIONS.max_items + 1}, headers=ADMIN
    )
    assert too_many.status_code == 422


def test_a_malformed_admin_cursor_is_a_400_problem(
    admin_client: TestClient,
) -> None:
    for path in ("/v1/admin/trust", "/v1/admin/verifiers", "/v1/admin/issuers"):
        response = admin_client.get(path, params={"cursor": "*"}, headers=ADMIN)
        assert_problem(response, 400, "page_invalid")
