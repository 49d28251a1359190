"""The shares listing is bounded in bytes as well as count, and a cursor continues it."""

from typing import Any

import pytest

from api.listings import WALLET_SHARES, Listing
from api.routers import wallet_shares
from tests.api.test_end_to_end import World, ok, receive_by_pickup
from tests.api.test_end_to_end import world as end_to_end_world  # noqa: F401 - a fixture
from tests.api.test_foundation import assert_problem
from wallet.limits import json_size


@pytest.fixture
def world(end_to_end_world: World) -> World:  # noqa: F811 - the imported fixture
    return end_to_end_world


def _share(world: World, credential_id: str, purpose: str) -> None:
    body = {
        "credentials": [{"credential_id": credential_id, "claims": [["title"]]}],
        "audience": "anyone",
        "purpose": purpose,
    }
    ok(world.client.post("/v1/wallet/shares", json=body, headers=world.person), 201)


def _pages(world: World, **params: Any) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = ok(world.client.get("/v1/wallet/shares", params=query, headers=world.person))
        pages.append(page)
        cursor = page.get("next_cursor")
        if cursor is None:
            return pages


def test_a_shares_page_stops_at_the_byte_bound_and_the_cursor_lists_each_share_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    credential_id = receive_by_pickup(world)
    for number in range(7):
        _share(world, credential_id, f"{number:03d} " + "x" * 490)
    small = Listing(max_items=WALLET_SHARES.max_items, max_bytes=2 * 1024)
    monkeypatch.setattr(wallet_shares, "WALLET_SHARES", small)
    pages = _pages(world)
    assert len(pages) > 1
    for page in pages:
        assert page["shares"]
        assert json_size(page["shares"]) <= small.max_bytes + json_size(page["shares"][0])
    purposes = [s["purpose"][:3] for page in pages for s in page["shares"]]
    assert purposes == [f"{n:03d}" for n in reversed(range(7))]


def test_a_shares_page_stops_at_its_limit_and_the_cursor_goes_on(world: World) -> None:
    credential_id = receive_by_pickup(world)
    for number in range(5):
        _share(world, credential_id, f"purpose {number}")
    pages = _pages(world, limit=2)
    assert [len(page["shares"]) for page in pages] == [2, 2, 1]
    listed = [s["purpose"] for page in pages for s in page["shares"]]
    assert listed == [f"purpose {n}" for n in reversed(range(5))]


def test_a_malformed_shares_cursor_is_a_400_problem(world: World) -> None:
    response = world.client.get(
        "/v1/wallet/shares", params={"cursor": "not*base64"}, headers=world.person
    )
    assert_problem(response, 400, "page_invalid")


def test_the_largest_share_fits_a_page_so_every_page_holds_at_least_one() -> None:
    # What ShareIn allows: 20 credentials of 200 claims paths, a 500-character purpose and
    # audience; each path at most a few short parts (claims paths name existing claims).
    claims = [["a" * 40, 999, "b" * 40]] * 200
    largest = ["x" * 500, "x" * 600, "x" * 500, [["c" * 40, claims]] * 20]
    assert json_size(largest) + 128 <= WALLET_SHARES.max_bytes
