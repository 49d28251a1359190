"""A worker keeps the wallet indexes it opened; a listing always shows the holder's rows now."""

from typing import Any

import pytest

import wallet.held
from tests.api.test_end_to_end import World, ok, qualification
from tests.api.test_end_to_end import world as world  # the fixture of the whole story


def receive(world: World, key: str) -> str:
    binding = ok(world.client.get("/v1/wallet/binding", headers=world.person))
    issued = world.issue({"jwk": binding["jwk"]}, qualification(), key)
    received = ok(
        world.client.post(
            "/v1/wallet/pickup", json={"code": issued["pickup_code"]}, headers=world.person
        ),
        201,
    )
    credential_id: str = received["id"]
    return credential_id


def listed(world: World) -> list[str]:
    found: Any = ok(world.client.get("/v1/wallet/credentials", headers=world.person))
    return [item["id"] for item in found["credentials"]]


def opened_indexes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []
    original = wallet.held._open_index

    def counting(vault: Any, row_id: str, received_at: Any, sealed: bytes) -> Any:
        opened.append(row_id)
        return original(vault, row_id, received_at, sealed)

    monkeypatch.setattr(wallet.held, "_open_index", counting)
    return opened


def test_a_second_listing_opens_only_the_index_received_since(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = receive(world, "cache-1"), receive(world, "cache-2")
    opened = opened_indexes(monkeypatch)
    assert sorted(listed(world)) == sorted([first, second])
    third = receive(world, "cache-3")
    opened.clear()
    assert sorted(listed(world)) == sorted([first, second, third])
    assert opened == [third]


def test_a_deleted_credential_leaves_the_listing_at_once_though_its_index_was_kept(
    world: World,
) -> None:
    kept, deleted = receive(world, "cache-keep"), receive(world, "cache-delete")
    assert sorted(listed(world)) == sorted([kept, deleted])
    removed = world.client.delete(f"/v1/wallet/credentials/{deleted}", headers=world.person)
    assert removed.status_code == 204
    assert listed(world) == [kept]


def test_another_holders_listing_never_sees_a_kept_index(world: World) -> None:
    receive(world, "cache-mine")
    assert len(listed(world)) == 1
    tokens = ok(
        world.client.post(
            "/v1/auth/register",
            json={"username": "eino@example.fi", "password": "another long passphrase"},
        ),
        201,
    )
    other = {"Authorization": f"Bearer {tokens['access_token']}"}
    found: Any = ok(world.client.get("/v1/wallet/credentials", headers=other))
    assert found["credentials"] == []
