"""Paging the wallet's credential listing, and the skills profile a worker keeps.

Pages are a keyset over the newest-first order: walking them shows every credential that was
there once and only once, also while credentials arrive. The profile a worker keeps is keyed by
what it is made of, so a change made through another worker shows at the next read.
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from api.routers import wallet_deps
from api.routers.wallet_models import ProfileOut
from api.settings import Settings
from tests.api.test_end_to_end import BASE_URL, World, ok, qualification
from tests.api.test_end_to_end import world as world  # the fixture of the whole story
from tests.api.test_foundation import assert_problem
from tests.service.test_wallet_support import FAST_ARGON2
from wallet.profile import skills_profile
from wallet.tokens import authenticate_access


def receive(world: World, key: str, *, title: str | None = None) -> str:
    binding = ok(world.client.get("/v1/wallet/binding", headers=world.person))
    claims = qualification()
    if title is not None:
        claims["title"] = title
    issued = world.issue({"jwk": binding["jwk"]}, claims, key)
    received = ok(
        world.client.post(
            "/v1/wallet/pickup", json={"code": issued["pickup_code"]}, headers=world.person
        ),
        201,
    )
    credential_id: str = received["id"]
    return credential_id


def page(world: World, query: str) -> dict[str, Any]:
    found: dict[str, Any] = ok(
        world.client.get(f"/v1/wallet/credentials?{query}", headers=world.person)
    )
    return found


def walk(world: World, query: str, *, between: Any = None) -> list[str]:
    """Every id of every page, calling ``between(n)`` after the n-th page."""
    seen: list[str] = []
    cursor: str | None = None
    for n in range(100):
        found = page(world, query + (f"&cursor={cursor}" if cursor else ""))
        seen += [item["id"] for item in found["credentials"]]
        cursor = found.get("next_cursor")
        if cursor is None:
            return seen
        if between is not None:
            between(n)
    raise AssertionError("the pages never ended")


def test_pages_show_every_credential_once_even_while_credentials_arrive(world: World) -> None:
    there = [receive(world, f"page-{n}") for n in range(7)]
    arrived: list[str] = []
    seen = walk(world, "limit=2", between=lambda n: arrived.append(receive(world, f"during-{n}")))
    assert len(seen) == len(set(seen)), "no credential twice"
    assert set(there) <= set(seen), "none that was there is skipped"
    assert set(seen) <= set(there) | set(arrived)
    everything = walk(world, "limit=3")
    assert sorted(everything) == sorted(there + arrived)
    assert everything == [item["id"] for item in page(world, "limit=100")["credentials"]]


def test_a_search_pages_over_its_matches_only(world: World) -> None:
    wanted = [receive(world, f"match-{n}", title=f"Tietoturvan osaaja {n}") for n in range(5)]
    others = [receive(world, f"other-{n}") for n in range(4)]
    seen = walk(world, "q=tietoturvan&limit=2")
    assert sorted(seen) == sorted(wanted)
    assert not set(seen) & set(others)


def test_the_default_page_and_the_last_page_carry_no_cursor(world: World) -> None:
    received = [receive(world, f"few-{n}") for n in range(3)]
    found = page(world, "limit=3")
    assert [item["id"] for item in found["credentials"]] == list(reversed(received))
    assert found.get("next_cursor") is None
    assert page(world, "")["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["not-a-cursor", "bm90IGEgY3Vyc29y", "MjAyNHx4"])
def test_a_malformed_cursor_is_refused_and_changes_nothing(world: World, cursor: str) -> None:
    receive(world, "cursor-1")
    answer = world.client.get(f"/v1/wallet/credentials?cursor={cursor}", headers=world.person)
    assert_problem(answer, 400, "credential_cursor_invalid")
    assert len(page(world, "")["credentials"]) == 1


@pytest.mark.parametrize("limit", ["0", "1001", "many"])
def test_a_limit_outside_one_to_a_thousand_is_refused(world: World, limit: str) -> None:
    answer = world.client.get(f"/v1/wallet/credentials?limit={limit}", headers=world.person)
    assert answer.status_code == 422, answer.text


def test_the_profile_json_is_the_response_model_of_the_profile(
    world: World, clean_engine: Engine
) -> None:
    receive(world, "profile-1")
    receive(world, "profile-2", title="Tietoturvan osaaja")
    ok(
        world.client.post(
            "/v1/wallet/skills",
            json={
                "uri": "http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab",
                "level": "hyvä",
            },
            headers=world.person,
        ),
        201,
    )
    answer = world.client.get("/v1/wallet/profile?lang=sv", headers=world.person)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    kek = world.client.app.state.kek  # type: ignore[attr-defined]
    token = world.person["Authorization"].removeprefix("Bearer ")
    with Session(clean_engine) as session:
        holder = authenticate_access(session, access_token=token, now=datetime.now(UTC))
        expected = skills_profile(session, holder_id=holder, kek=kek, lang="sv")
    model = ProfileOut.model_validate(expected, from_attributes=True)
    assert answer.json() == model.model_dump(mode="json")
    assert any(skill["self_declared"] for skill in answer.json()["skills"])


@pytest.fixture
def second_worker(world: World, settings: Settings, clean_engine: Engine) -> Iterator[TestClient]:
    """Another application on the same database: another worker with caches of its own."""
    app = create_app(settings, engine=clean_engine)
    app.dependency_overrides[wallet_deps.argon2_parameters] = lambda: FAST_ARGON2
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def _profile_ids(client: TestClient, world: World) -> set[str]:
    profile = ok(client.get("/v1/wallet/profile", headers=world.person))
    return {a["credential_id"] for skill in profile["skills"] for a in skill["attested_by"]}


def test_a_kept_profile_shows_a_change_made_through_another_worker_at_the_next_read(
    world: World, second_worker: TestClient
) -> None:
    first, second = receive(world, "kept-1"), receive(world, "kept-2")
    assert _profile_ids(world.client, world) == {first, second}
    assert _profile_ids(world.client, world) == {first, second}  # kept now
    removed = second_worker.delete(f"/v1/wallet/credentials/{first}", headers=world.person)
    assert removed.status_code == 204
    assert _profile_ids(world.client, world) == {second}
    third = receive(world, "kept-3")
    assert _profile_ids(second_worker, world) == {second, third}
    skill = "http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab"
    before = ok(world.client.get("/v1/wallet/profile", headers=world.person))
    assert all(not s["self_declared"] for s in before["skills"] if s["uri"] == skill)
    ok(second_worker.post("/v1/wallet/skills", json={"uri": skill}, headers=world.person), 201)
    after = ok(world.client.get("/v1/wallet/profile", headers=world.person))
    assert [s["self_declared"] for s in after["skills"] if s["uri"] == skill] == [True]
