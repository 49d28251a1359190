"""Support for the wallet's API tests: an app with test overrides, a movable clock, helpers.

Overrides: cheap argon2id, a real pinned-key checker (see tests/service/test_wallet_support.py)
in place of the composition point, a fixed clock the tests can move, and a request source.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from api.routers import wallet_deps
from tests.api.test_foundation import assert_problem
from tests.service.test_wallet_support import (
    FAST_ARGON2,
    NOW,
    IssuerFixture,
    PinnedChecker,
    competence_claims,
    qualification_claims,
    work_experience_claims,
)
from wallet.errors import PresentationRequestNotFound
from wallet.request_answers import PresentationRequest

UNI = IssuerFixture("uni", "Haaga-Helia ammattikorkeakoulu")
EMPLOYER = IssuerFixture("kuusi", "Ohjelmistotalo Kuusi Oy")
PASSWORD = "correct horse battery staple"


@dataclass
class Clock:
    now: datetime = NOW

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class FakeRequests:
    """Stands in for the verifiers service: holds requests and records submitted answers."""

    requests: dict[str, PresentationRequest] = field(default_factory=dict)
    submitted: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)

    def find(self, session: Session, *, request_id: str, now: datetime) -> PresentationRequest:
        if request_id not in self.requests:
            raise PresentationRequestNotFound("There is no such presentation request.")
        return self.requests[request_id]

    def submit(
        self, session: Session, *, request_id: str, vp_token: dict[str, list[str]], now: datetime
    ) -> dict[str, Any] | None:
        self.submitted.append((request_id, vp_token))
        return {"verified": True}


@dataclass
class WalletHarness:
    client: TestClient
    clock: Clock
    checker: PinnedChecker
    requests: FakeRequests


def install(app: FastAPI, clock: Clock, checker: PinnedChecker, requests: FakeRequests) -> None:
    app.dependency_overrides[wallet_deps.argon2_parameters] = lambda: FAST_ARGON2
    app.dependency_overrides[wallet_deps.current_time] = lambda: clock.now
    app.dependency_overrides[wallet_deps.credential_checker] = lambda: checker
    app.dependency_overrides[wallet_deps.presentation_requests] = lambda: requests


def harness_for(app: FastAPI, client: TestClient) -> Iterator[WalletHarness]:
    """The body of each wallet API test module's ``harness`` fixture."""
    clock, checker, requests = Clock(), PinnedChecker([UNI, EMPLOYER]), FakeRequests()
    install(app, clock, checker, requests)
    yield WalletHarness(client, clock, checker, requests)
    app.dependency_overrides.clear()


def register(client: TestClient, username: str = "maija@example.fi") -> dict[str, str]:
    """Register and return the Authorization header."""
    response = client.post("/v1/auth/register", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def binding_jwk(client: TestClient, auth: dict[str, str]) -> dict[str, Any]:
    response = client.get("/v1/wallet/binding", headers=auth)
    assert response.status_code == 200
    jwk: dict[str, Any] = response.json()["jwk"]
    return jwk


def receive(client: TestClient, auth: dict[str, str], credential: str) -> str:
    response = client.post("/v1/wallet/credentials", json={"credential": credential}, headers=auth)
    assert response.status_code == 201, response.text
    credential_id: str = response.json()["id"]
    return credential_id


def receive_three(client: TestClient, auth: dict[str, str]) -> dict[str, str]:
    """A qualification (12 claims), a competence and a work certificate; their ids by type."""
    jwk = binding_jwk(client, auth)
    return {
        "qualification": receive(
            client, auth, UNI.issue("qualification", qualification_claims(), jwk)
        ),
        "competence": receive(client, auth, UNI.issue("competence", competence_claims(), jwk)),
        "work_experience": receive(
            client, auth, EMPLOYER.issue("work_experience", work_experience_claims(), jwk)
        ),
    }


def problem(response: Response, status: int, code: str) -> dict[str, object]:
    return assert_problem(response, status, code)


@pytest.fixture
def harness(app: FastAPI, client: TestClient) -> Iterator[WalletHarness]:
    yield from harness_for(app, client)


def test_harness_registers_a_person_with_a_holder_key(harness: WalletHarness) -> None:
    auth = register(harness.client)
    jwk = binding_jwk(harness.client, auth)
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and "d" not in jwk
