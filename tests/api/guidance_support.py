"""The demo seeded once per test, signed-in helpers and the demo's ids for the guidance tests."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from api.app import create_app
from api.demo.data import DATA_ANALYST, ICT_HELP_DESK_AGENT
from api.flows.demo_seeding import DemoCredentials, seed_demo
from api.routers import wallet_deps
from api.settings import Environment, Settings
from tests.service.test_wallet_support import FAST_ARGON2

HELP_DESK = ICT_HELP_DESK_AGENT.rsplit("/", 1)[1]
ANALYST = DATA_ANALYST.rsplit("/", 1)[1]
ESCO = "http://data.europa.eu/esco/skill/"
PROVIDE_ICT_SUPPORT = ESCO + "c2296e2e-5fef-4f24-a24f-e5b3792268be"
SOLVE_ICT_PROBLEMS = ESCO + "9e06bac6-6b91-48ca-8b7d-c1f48cdecd7c"
TICKETING = ESCO + "6430eb0d-c6de-46b7-a7fc-3dd2e8e62a69"
ASSIST_CUSTOMERS = ESCO + "61970f8b-099c-4e7e-82e0-9ccdced0baf3"


class Demo:
    """The seeded demo inside a running test client."""

    def __init__(self, client: TestClient, credentials: DemoCredentials) -> None:
        self.client = client
        self.credentials = credentials

    def person(self, index: int = 0) -> dict[str, str]:
        person = self.credentials.people[index]
        answer = self.client.post(
            "/v1/auth/login", json={"username": person.username, "password": person.password}
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def issuer(self, slug: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials.issuer(slug).api_key}"}

    def verifier(self, slug: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials.verifier(slug).api_key}"}

    def revoke_work_certificates(self) -> None:
        """The demo university revokes every work certificate it issued (Aino's among them)."""
        university = self.issuer("demo-university")
        register = ok(
            self.client.get(
                "/v1/issuers/demo-university/credentials",
                params={"type": "work_experience"},
                headers=university,
            )
        )
        for entry in register["items"]:
            ok(
                self.client.post(
                    f"/v1/issuers/demo-university/credentials/{entry['id']}/status",
                    json={"status": "revoked"},
                    headers=university,
                )
            )


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def problem(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


@pytest.fixture
def demo(settings: Settings, clean_engine: Engine) -> Iterator[Demo]:
    dev = settings.model_copy(update={"environment": Environment.DEVELOPMENT, "demo": True})
    seeded = seed_demo(create_app(dev, engine=clean_engine), argon2=FAST_ARGON2)
    assert seeded is not None
    app: FastAPI = create_app(dev, engine=clean_engine)
    app.dependency_overrides[wallet_deps.argon2_parameters] = lambda: FAST_ARGON2
    with TestClient(app, base_url="https://taito.test") as client:
        yield Demo(client, seeded)
    app.dependency_overrides.clear()
