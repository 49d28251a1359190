"""A form-filling client for the pages (the test client keeps cookies like a browser)."""

import re
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tests.api.test_end_to_end import World, bearer, ok, qualification

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "a long browser passphrase"


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Visitor:
    """One browser: its cookies live in ``client``."""

    client: TestClient

    def page(self, path: str, status: int = 200, **headers: str) -> Response:
        response: Response = self.client.get(path, headers=headers)
        assert response.status_code == status, (path, response.status_code, response.text[:500])
        return response

    def submit(
        self, form_page: str, action: str, fields: dict[str, Any], status: int | None = None
    ) -> Response:
        token = csrf_of(self.page(form_page).text)
        response: Response = self.client.post(
            action, data={"csrf_token": token, **fields}, follow_redirects=False
        )
        if status is not None:
            assert response.status_code == status, (action, response.status_code, response.text)
        return response

    def register(self, username: str) -> None:
        answer = self.submit(
            "/register", "/register", {"username": username, "password": PASSWORD}, 303
        )
        assert answer.headers["location"] == "/wallet"


def offer_code(world: World, key: str) -> str:
    """The college makes a qualification offer (no holder key) and hands out its code."""
    offer = ok(
        world.client.post(
            "/v1/issuers/college/credentials",
            json={"type": "qualification", "claims": qualification()},
            headers={**bearer(world.issuer_key), "Idempotency-Key": key},
        ),
        201,
    )
    code: str = offer["pickup_code"]
    return code


def receive(visitor: Visitor, code: str) -> str:
    """Pick the credential up in the page; its id."""
    answer = visitor.submit("/wallet/receive", "/wallet/receive", {"code": code}, 303)
    location = answer.headers["location"]
    assert location.startswith("/wallet/credentials/")
    return location.removeprefix("/wallet/credentials/").split("?", 1)[0]
