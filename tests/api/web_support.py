"""A form-filling client for the pages (the test client keeps cookies like a browser)."""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.api.test_end_to_end import BASE_URL, World, bearer, ok, qualification

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


@pytest.fixture
def person(world: World) -> Iterator[Visitor]:
    with TestClient(world.client.app, base_url=BASE_URL) as client:
        visitor = Visitor(client)
        visitor.register("maija@example.fi")
        yield visitor


def share_claims(person: Visitor, credential_id: str, claims: list[str]) -> tuple[str, str]:
    """Share ``claims`` (by label) of a credential with anyone; the share id and link."""
    page = person.submit(
        "/wallet/shares/new",
        "/wallet/shares/new",
        {"step": "claims", "credential": credential_id},
        200,
    ).text
    offered = re.findall(r'name="claim" value="([^"]+)">\s*<label[^>]*><strong>([^<]+)', page)
    values = [html.unescape(value) for value, label in offered if html.unescape(label) in claims]
    assert len(values) == len(claims), offered
    fields = {
        "credential": credential_id,
        "claim": values,
        "audience": "anyone",
        "purpose": "My application",
    }
    token = csrf_of(page)
    who = person.client.post(
        "/wallet/shares/new", data={"csrf_token": token, "step": "who", **fields}
    )
    expires = re.search(r'name="expires" value="([^"]+)"', who.text)
    assert who.status_code == 200 and expires, who.text
    fields["expires"] = expires.group(1)
    preview = person.client.post(
        "/wallet/shares/new", data={"csrf_token": token, "step": "preview", **fields}
    )
    assert preview.status_code == 200, preview.text
    assert "This is exactly what the recipient will see." in preview.text
    done = person.client.post(
        "/wallet/shares/new",
        data={"csrf_token": token, "step": "create", **fields},
    )
    assert done.status_code == 200, done.text
    link = re.search(r'id="share-link">([^<]+)<', done.text)
    share_id = re.search(r'href="/wallet/shares/(shr_[^"]+)"', done.text) or re.search(
        r'href="/wallet/shares/([^"/]+)">', done.text
    )
    assert link and share_id
    return share_id.group(1), link.group(1)
