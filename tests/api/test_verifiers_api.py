"""The verifier API: requests, nonces and POST /v1/verifications, with authorization on each."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings
from credentials.keys import PrivateKey, generate_key
from tests.api.test_foundation import assert_problem
from tests.service.test_verifiers_support import (
    QUALIFICATION,
    FakeFetcher,
    FixtureIssuer,
    make_issuer,
    pinned_entry_json,
    present,
    sources_for,
    unique,
)

ADMIN = {"Authorization": "Bearer admin-secret-for-tests"}
FORM = [{"type": "qualification", "claims": ["title", "eqf_level", "given_name"]}]


@dataclass
class Verifier:
    slug: str
    key: str
    client_id: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def new_verifier(client: TestClient) -> Verifier:
    slug = unique("v")
    created = client.post(
        "/v1/admin/verifiers", json={"slug": slug, "name": f"Org {slug}"}, headers=ADMIN
    ).json()
    return Verifier(slug, created["api_key"], created["verifier"]["client_id"])


@dataclass
class Harness:
    client: TestClient
    fetcher: FakeFetcher
    issuer: FixtureIssuer
    holder: PrivateKey
    acme: Verifier
    other: Verifier

    def ask(
        self, verifier: Verifier | None = None, form: list[Any] = FORM, **headers: str
    ) -> dict[str, Any]:
        who = verifier or self.acme
        body = {"credentials": form, "purpose": "To check your degree.", "expires_in": 3600}
        response = self.client.post(
            f"/v1/verifiers/{who.slug}/requests", json=body, headers={**who.auth, **headers}
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def harness(settings: Settings, clean_engine: Engine) -> Iterator[Harness]:
    configured = settings.model_copy(update={"admin_token": SecretStr("admin-secret-for-tests")})
    app = create_app(configured, engine=clean_engine)
    fetcher = FakeFetcher()
    issuer = make_issuer(fetcher)
    app.state.verifier_sources = lambda session: sources_for(fetcher)
    with TestClient(app, base_url="https://taito.test") as client:
        client.post(
            "/v1/admin/trust", json=pinned_entry_json(issuer, vcts=[QUALIFICATION]), headers=ADMIN
        )
        acme, other = new_verifier(client), new_verifier(client)
        yield Harness(client, fetcher, issuer, generate_key("EdDSA"), acme, other)


def presentation_for(h: Harness, audience: str, nonce: str, disclose: list[str]) -> tuple[str, int]:
    """A presentation made now: the API verifies against the wall clock."""
    now = datetime.now(UTC)
    h.issuer.publish(at=now)
    credential, index = h.issuer.issue(
        h.holder, issued_at=now - timedelta(days=1), expires_at=now + timedelta(days=365)
    )
    made = present(credential, h.holder, disclose=disclose, audience=audience, nonce=nonce, at=now)
    return made, index


def test_verifier_asks_for_three_claims_and_the_report_shows_the_two_approved(
    harness: Harness,
) -> None:
    request = harness.ask()
    assert request["audience"] == harness.acme.client_id
    assert request["link"] == f"https://taito.test/wallet/requests/{request['id']}"
    presentation, _ = presentation_for(
        harness, request["audience"], request["nonce"], ["title", "eqf_level"]
    )
    body = {"request_id": request["id"], "vp_token": {"q1": [presentation]}}
    response = harness.client.post("/v1/verifications", json=body, headers=harness.acme.auth)
    assert response.status_code == 200
    report = response.json()
    assert report["verified"] is True
    (shown,) = report["presentations"]
    assert set(shown["claims"]) == {"title", "eqf_level"}
    assert {c["outcome"] for c in shown["checks"]} == {"passed"}
    assert report["checks"] == [
        {"check": "request_satisfied", "outcome": "passed", "code": None, "reason": None}
    ]
    state = harness.client.get(
        f"/v1/verifiers/{harness.acme.slug}/requests/{request['id']}", headers=harness.acme.auth
    )
    assert state.json()["status"] == "verified"
    assert state.json()["outcome"]["presentations"][0]["claims"] == shown["claims"]


def test_replaying_a_presentation_is_a_409_problem(harness: Harness) -> None:
    request = harness.ask()
    presentation, _ = presentation_for(harness, request["audience"], request["nonce"], ["title"])
    body = {"request_id": request["id"], "vp_token": {"q1": [presentation]}}
    assert (
        harness.client.post("/v1/verifications", json=body, headers=harness.acme.auth).status_code
        == 200
    )
    replay = harness.client.post("/v1/verifications", json=body, headers=harness.acme.auth)
    assert_problem(replay, 409, "nonce_reused")


def test_api_to_api_verification_with_an_issued_nonce_in_finnish(harness: Harness) -> None:
    issued = harness.client.post(
        f"/v1/verifiers/{harness.acme.slug}/nonces", headers=harness.acme.auth
    )
    assert issued.status_code == 201
    nonce = issued.json()
    assert nonce["audience"] == harness.acme.client_id
    presentation, index = presentation_for(harness, nonce["audience"], nonce["nonce"], ["title"])
    harness.issuer.set_status(index, 1, at=datetime.now(UTC))
    body = {"nonce": nonce["nonce"], "audience": nonce["audience"], "presentations": [presentation]}
    response = harness.client.post(
        "/v1/verifications",
        json=body,
        headers={**harness.acme.auth, "Accept-Language": "fi-FI, en;q=0.5"},
    )
    report = response.json()
    assert (
        response.status_code == 200 and report["verified"] is False and report["language"] == "fi"
    )
    status = next(c for c in report["presentations"][0]["checks"] if c["check"] == "status")
    assert status == {
        "check": "status",
        "outcome": "failed",
        "code": "credential_revoked",
        "reason": "Myöntäjä on peruuttanut tämän tunnisteen.",
    }


def test_presentation_for_another_verifiers_audience_fails_in_the_report(harness: Harness) -> None:
    nonce = harness.client.post(
        f"/v1/verifiers/{harness.acme.slug}/nonces", headers=harness.acme.auth
    ).json()
    presentation, _ = presentation_for(harness, harness.other.client_id, nonce["nonce"], ["title"])
    body = {"nonce": nonce["nonce"], "presentations": [presentation]}
    report = harness.client.post("/v1/verifications", json=body, headers=harness.acme.auth).json()
    audience = next(c for c in report["presentations"][0]["checks"] if c["check"] == "kb_audience")
    assert report["verified"] is False and audience["code"] == "kb_aud_mismatch"
    assert audience["reason"] == "The presentation was made for another verifier."


def test_nonce_of_another_verifier_is_a_422_problem(harness: Harness) -> None:
    nonce = harness.client.post(
        f"/v1/verifiers/{harness.other.slug}/nonces", headers=harness.other.auth
    ).json()
    presentation, _ = presentation_for(harness, harness.acme.client_id, nonce["nonce"], ["title"])
    body = {"nonce": nonce["nonce"], "presentations": [presentation]}
    assert_problem(
        harness.client.post("/v1/verifications", json=body, headers=harness.acme.auth),
        422,
        "nonce_unknown",
    )


def test_someone_elses_audience_in_the_body_is_a_422_problem(harness: Harness) -> None:
    nonce = harness.client.post(
        f"/v1/verifiers/{harness.acme.slug}/nonces", headers=harness.acme.auth
    ).json()
    body = {"nonce": nonce["nonce"], "audience": harness.other.client_id, "presentations": ["x"]}
    assert_problem(
        harness.client.post("/v1/verifications", json=body, headers=harness.acme.auth),
        422,
        "audience_not_own",
    )


def test_verification_without_request_or_nonce_is_a_422_problem(harness: Harness) -> None:
    response = harness.client.post(
        "/v1/verifications", json={"presentations": ["x"]}, headers=harness.acme.auth
    )
    assert_problem(response, 422, "vp_token_invalid")


def test_malformed_vp_token_is_a_422_problem(harness: Harness) -> None:
    request = harness.ask()
    body = {"request_id": request["id"], "vp_token": {"q1": "not-a-list"}}
    response = harness.client.post("/v1/verifications", json=body, headers=harness.acme.auth)
    assert_problem(response, 422, "vp_token_invalid")


def test_invalid_query_is_a_422_problem_with_pointers(harness: Harness) -> None:
    body = {"credentials": [{"type": "diploma"}], "purpose": "Why"}
    response = harness.client.post(
        f"/v1/verifiers/{harness.acme.slug}/requests", json=body, headers=harness.acme.auth
    )
    problem = assert_problem(response, 422, "presentation_query_invalid")
    assert problem["errors"] == [
        {"pointer": "/credentials/0/type", "message": "is not a credential type of this instance"}
    ]


def test_dcql_query_is_accepted_as_is(harness: Harness) -> None:
    query = {
        "credentials": [
            {
                "id": "degree",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [QUALIFICATION]},
                "claims": [{"path": ["eqf_level"], "values": [6, 7, 8]}],
            }
        ]
    }
    body = {"dcql_query": query, "purpose": "EQF 6 or above"}
    response = harness.client.post(
        f"/v1/verifiers/{harness.acme.slug}/requests", json=body, headers=harness.acme.auth
    )
    assert response.status_code == 201 and response.json()["dcql_query"] == query


VERIFIER_CALLS = [
    ("POST", "/v1/verifiers/{slug}/requests", {"credentials": FORM, "purpose": "Why"}),
    ("GET", "/v1/verifiers/{slug}/requests/req_x", None),
    ("POST", "/v1/verifiers/{slug}/nonces", None),
    ("POST", "/v1/verifications", {"nonce": "x", "presentations": ["x"]}),
]


@pytest.mark.parametrize(("method", "path", "body"), VERIFIER_CALLS)
def test_verifier_endpoint_without_a_key_is_401(
    harness: Harness, method: str, path: str, body: Any
) -> None:
    url = path.format(slug=harness.acme.slug)
    assert_problem(harness.client.request(method, url, json=body), 401, "unauthenticated")
    wrong = {"Authorization": "Bearer tvk_" + "A" * 43}
    response = harness.client.request(method, url, json=body, headers=wrong)
    assert_problem(response, 401, "verifier_key_invalid")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path", "body"), VERIFIER_CALLS[:3])
def test_another_verifiers_key_on_this_verifiers_path_is_404(
    harness: Harness, method: str, path: str, body: Any
) -> None:
    url = path.format(slug=harness.acme.slug)
    response = harness.client.request(method, url, json=body, headers=harness.other.auth)
    assert_problem(response, 404, "verifier_not_found")


def test_another_verifiers_request_is_not_found(harness: Harness) -> None:
    request = harness.ask()
    url = f"/v1/verifiers/{harness.other.slug}/requests/{request['id']}"
    assert_problem(
        harness.client.get(url, headers=harness.other.auth), 404, "verifier_request_not_found"
    )
    presentation, _ = presentation_for(harness, request["audience"], request["nonce"], ["title"])
    body = {"request_id": request["id"], "vp_token": {"q1": [presentation]}}
    response = harness.client.post("/v1/verifications", json=body, headers=harness.other.auth)
    assert_problem(response, 404, "verifier_request_not_found")


def test_unknown_request_is_not_found(harness: Harness) -> None:
    url = f"/v1/verifiers/{harness.acme.slug}/requests/req_doesnotexist"
    assert_problem(
        harness.client.get(url, headers=harness.acme.auth), 404, "verifier_request_not_found"
    )
