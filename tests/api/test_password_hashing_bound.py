"""A flood of logins cannot starve the other endpoints: password hashing runs in bounded slots.

The hasher is held at a gate the test opens, so "saturated" is a state the test sees, not a
timing it hopes for: the assertions are about what answers while the logins are stuck, and in
what order, never about milliseconds.
"""

import threading
from collections.abc import Iterator
from typing import Literal

import anyio
import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from api.routers import wallet_deps
from wallet.errors import AuthenticationBusy
from wallet.passwords import HashingSlots

PASSWORD = "correct horse battery staple"
LOGINS = 40  # anyio's default worker-thread limit: enough to starve every sync endpoint before


class GatedHasher(PasswordHasher):
    """Cheap argon2id whose verifications wait at a gate until the test opens it."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.gate = threading.Event()
        self.inside = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.inside += 1
        self.gate.wait(timeout=60)
        return super().verify(hash, password)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class GatedParameters:
    """Stands in for the argon2 parameters the routes depend on, handing out the gated hasher."""

    def __init__(self, hasher: GatedHasher) -> None:
        self._hasher = hasher

    def hasher(self) -> PasswordHasher:
        return self._hasher


@pytest.fixture
def gated(app: FastAPI) -> Iterator[tuple[GatedHasher, HashingSlots]]:
    hasher = GatedHasher()
    slots = HashingSlots(slots=2, max_waiting=2, max_wait_seconds=60)
    app.state.hashing_slots = slots
    app.dependency_overrides[wallet_deps.argon2_parameters] = lambda: GatedParameters(hasher)
    yield hasher, slots
    hasher.gate.set()
    app.dependency_overrides.clear()


@pytest.mark.anyio
async def test_other_endpoints_keep_answering_while_logins_saturate_password_hashing(
    app: FastAPI, gated: tuple[GatedHasher, HashingSlots]
) -> None:
    hasher, slots = gated
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://taito.test") as client:
        registered = await client.post(
            "/v1/auth/register", json={"username": "maija@example.fi", "password": PASSWORD}
        )
        assert registered.status_code == 201
        auth = {"Authorization": f"Bearer {registered.json()['access_token']}"}
        answers: list[httpx.Response] = []

        async def log_in() -> None:
            body = {"username": "maija@example.fi", "password": PASSWORD}
            answers.append(await client.post("/v1/auth/login", json=body))

        async with anyio.create_task_group() as logins:
            for _ in range(LOGINS):
                logins.start_soon(log_in)
            try:
                # Before the bound, all forty would sit in the gate and hold every worker thread.
                with anyio.fail_after(20):
                    while hasher.inside < 2 or slots.waiting < 2 or len(answers) < 36:
                        await anyio.sleep(0.01)
                busy = list(answers)

                # Saturated: two hashes stuck in their slots, two waiting, the rest turned away;
                # another person's request and the health probe are answered all the same.
                with anyio.fail_after(20):
                    binding = await client.get("/v1/wallet/binding", headers=auth)
                    health = await client.get("/healthz")
                assert binding.status_code == 200 and health.status_code == 200
                assert hasher.inside == 2 and len(answers) == 36
            finally:
                hasher.gate.set()

    assert all(response.status_code == 503 for response in busy)
    assert {response.json()["code"] for response in busy} == {"authentication_busy"}
    assert {response.headers["retry-after"] for response in busy} == {"1"}
    assert sorted(response.status_code for response in answers) == [200] * 4 + [503] * 36


def test_a_hash_beyond_the_slots_and_the_queue_is_refused_at_once() -> None:
    slots = HashingSlots(slots=1, max_waiting=0, max_wait_seconds=60)
    with slots.slot(), pytest.raises(AuthenticationBusy) as caught, slots.slot():
        pass
    assert caught.value.status == 503 and caught.value.headers == {"Retry-After": "1"}
    with slots.slot():  # the slot is free again afterwards
        pass


def test_a_waiting_hash_gives_up_after_its_wait() -> None:
    slots = HashingSlots(slots=1, max_waiting=1, max_wait_seconds=0.01)
    with slots.slot(), pytest.raises(AuthenticationBusy) as caught, slots.slot():
        pass
    assert caught.value.status == 503 and caught.value.headers == {"Retry-After": "1"}
    assert slots.waiting == 0
