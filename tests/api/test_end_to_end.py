"""The whole story through the HTTP API, on the real composition (issue 6, "What it must show").

Nothing is overridden but the admin token (test settings) and the argon2 cost: the issuer signs
with its custodied key, the wallet receives through the verifiers' one gate, verification reads
this instance's own status lists, issuer metadata and trust (issuers on this instance are
trusted for the types they are accredited for), and revocation is visible at once.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr
from sqlalchemy import Engine

from api.app import create_app
from api.routers import wallet_deps
from api.settings import Settings
from credentials.keys import PrivateKey, generate_key
from credentials.sd_jwt_disclosable import mark_paths
from credentials.sd_jwt_holder import HolderBinding, create_presentation, open_sd_jwt
from credentials.sd_jwt_issuer import random_salt
from credentials.sd_jwt_vc import issue_sd_jwt_vc
from schemas import vct_for
from tests.api.test_foundation import assert_problem
from tests.service.test_wallet_support import FAST_ARGON2

ADMIN_TOKEN = "tadm_end-to-end-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
BASE_URL = "https://taito.test"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
QUALIFICATION_VCT = vct_for("qualification", base_url=BASE_URL)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def qualification(given_name: str = "Aino") -> dict[str, Any]:
    return {
        "given_name": given_name,
        "family_name": "Korhonen",
        "title": "Tieto- ja viestintätekniikan perustutkinto",
        "kind": "vocational_upper_secondary",
        "eqf_level": 4,
        "awarding_body": {"name": "Esimerkkikaupungin ammattiopisto", "country": "FI"},
        "date_awarded": "2024-05-31",
        "grade": "Hyvä (3)",
        "skills": [
            {"uri": PYTHON, "label": "Python-ohjelmointi"},
            {"uri": SQL, "label": "SQL"},
        ],
    }


@dataclass
class World:
    client: TestClient
    issuer_key: str
    verifier_key: str
    verifier_client_id: str
    other_key: str
    other_client_id: str
    person: dict[str, str]

    def issue(self, holder: dict[str, Any], claims: dict[str, Any], key: str) -> Any:
        return ok(
            self.client.post(
                "/v1/issuers/college/credentials",
                json={"type": "qualification", "claims": claims, "holder": holder},
                headers={**bearer(self.issuer_key), "Idempotency-Key": key},
            ),
            201,
        )

    def verify(self, body: dict[str, Any], key: str | None = None) -> Response:
        response: Response = self.client.post(
            "/v1/verifications", json=body, headers=bearer(key or self.verifier_key)
        )
        return response

    def nonce(self) -> str:
        made = ok(
            self.client.post("/v1/verifiers/employer/nonces", headers=bearer(self.verifier_key)),
            201,
        )
        nonce: str = made["nonce"]
        return nonce


@pytest.fixture
def world(settings: Settings, clean_engine: Engine) -> Iterator[World]:
    configured = settings.model_copy(update={"admin_token": SecretStr(ADMIN_TOKEN)})
    app = create_app(configured, engine=clean_engine)
    app.dependency_overrides[wallet_deps.argon2_parameters] = lambda: FAST_ARGON2
    with TestClient(app, base_url=BASE_URL) as client:
        issuer = ok(
            client.post(
                "/v1/admin/issuers",
                json={
                    "name": "Esimerkkikaupungin ammattiopisto",
                    "slug": "college",
                    "types": ["qualification", "competence"],
                },
                headers=ADMIN,
            ),
            201,
        )
        employer = ok(
            client.post(
                "/v1/admin/verifiers",
                json={"slug": "employer", "name": "Rekry Oy"},
                headers=ADMIN,
            ),
            201,
        )
        other = ok(
            client.post(
                "/v1/admin/verifiers", json={"slug": "other", "name": "Muu Oy"}, headers=ADMIN
            ),
            201,
        )
        tokens = ok(
            client.post(
                "/v1/auth/register",
                json={"username": "aino@example.fi", "password": "a long demo passphrase"},
            ),
            201,
        )
        yield World(
            client=client,
            issuer_key=issuer["api_key"],
            verifier_key=employer["api_key"],
            verifier_client_id=employer["verifier"]["client_id"],
            other_key=other["api_key"],
            other_client_id=other["verifier"]["client_id"],
            person=bearer(tokens["access_token"]),
        )


def checks_of(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (presentation,) = report["presentations"]
    return {check["check"]: check for check in presentation["checks"]}


def receive_by_pickup(world: World) -> str:
    """The college issues to the wallet's key; the person picks it up with the code."""
    binding = ok(world.client.get("/v1/wallet/binding", headers=world.person))
    issued = world.issue({"jwk": binding["jwk"]}, qualification(), "e2e-1")
    received = ok(
        world.client.post(
            "/v1/wallet/pickup", json={"code": issued["pickup_code"]}, headers=world.person
        ),
        201,
    )
    assert received["issuer_name"] == "Esimerkkikaupungin ammattiopisto"
    assert received["type"] == "qualification"
    credential_id: str = received["id"]
    return credential_id


def test_issue_receive_request_approve_two_of_three_revoke_and_fail_on_status(
    world: World,
) -> None:
    client = world.client
    credential_id = receive_by_pickup(world)
    issued_id = ok(client.get("/v1/issuers/college/credentials", headers=bearer(world.issuer_key)))[
        "items"
    ][0]["id"]

    # The employer asks for three claims; the person approves two of them.
    asked = ok(
        client.post(
            "/v1/verifiers/employer/requests",
            json={
                "credentials": [
                    {
                        "id": "degree",
                        "type": "qualification",
                        "claims": ["title", {"path": "eqf_level", "min": 4}, "grade"],
                    }
                ],
                "purpose": "Checking the qualification for a developer position.",
            },
            headers=bearer(world.verifier_key),
        ),
        201,
    )
    request_id = asked["id"]
    assert asked["audience"] == world.verifier_client_id
    shown = ok(client.get(f"/v1/wallet/requests/{request_id}", headers=world.person))
    assert shown["satisfiable"] is True and shown["verifier_name"] == "Rekry Oy"
    (query,) = shown["queries"]
    assert [a["path"] for a in query["asked"]] == [["title"], ["eqf_level"], ["grade"]]
    assert [c["credential_id"] for c in query["candidates"]] == [credential_id]
    ids = {tuple(a["path"]): a["id"] for a in query["asked"]}
    approved = [ids[("title",)], ids[("eqf_level",)]]
    answer = ok(
        client.post(
            f"/v1/wallet/requests/{request_id}/response",
            json={
                "approvals": [
                    {"query_id": "degree", "credential_id": credential_id, "claim_ids": approved}
                ]
            },
            headers=world.person,
        )
    )
    assert answer["declined"] is False and answer["outcome"]["verified"] is True

    state = ok(
        client.get(
            f"/v1/verifiers/employer/requests/{request_id}", headers=bearer(world.verifier_key)
        )
    )
    assert state["status"] == "verified"
    report = state["outcome"]
    assert report["verified"] is True
    (presentation,) = report["presentations"]
    assert presentation["claims"] == {
        "title": "Tieto- ja viestintätekniikan perustutkinto",
        "eqf_level": 4,
    }
    assert presentation["issuer_name"] == "Esimerkkikaupungin ammattiopisto"
    assert {name: c["outcome"] for name, c in checks_of(report).items()} == {
        name: "passed"
        for name in (
            "format",
            "issuer_trusted",
            "signature",
            "validity_period",
            "kb_signature",
            "kb_audience",
            "kb_nonce",
            "kb_freshness",
            "kb_sd_hash",
            "status",
            "schema",
        )
    }
    assert report["checks"] == [
        {"check": "request_satisfied", "outcome": "passed", "code": None, "reason": None}
    ]

    # The request is answered: the wallet cannot answer it a second time.
    assert_problem(
        client.get(f"/v1/wallet/requests/{request_id}", headers=world.person),
        409,
        "verifier_request_answered",
    )

    # The same two claims, shared with the employer by link, verify live.
    share = ok(
        client.post(
            "/v1/wallet/shares",
            json={
                "credentials": [
                    {"credential_id": credential_id, "claims": [["title"], ["eqf_level"]]}
                ],
                "audience": world.verifier_client_id,
                "purpose": "Application for the developer position",
            },
            headers=world.person,
        ),
        201,
    )
    token = share["url"].rsplit("/", 1)[1]
    viewed = ok(client.get(f"/v1/shares/{token}", headers=bearer(world.verifier_key)))
    assert viewed["report"]["verified"] is True
    assert viewed["report"]["presentations"][0]["claims"] == presentation["claims"]

    # The college revokes; the same presentation now fails on status, with a reason.
    revoked = ok(
        client.post(
            f"/v1/issuers/college/credentials/{issued_id}/status",
            json={"status": "revoked"},
            headers=bearer(world.issuer_key),
        )
    )
    assert revoked["status"] == "revoked"
    again = ok(client.get(f"/v1/shares/{token}", headers=bearer(world.verifier_key)))["report"]
    assert again["verified"] is False
    status = checks_of(again)["status"]
    assert status == {
        "check": "status",
        "outcome": "failed",
        "code": "credential_revoked",
        "reason": "The issuer has revoked this credential.",
    }
    failed = {name for name, c in checks_of(again).items() if c["outcome"] == "failed"}
    assert failed == {"status"}
    finnish = client.get(
        f"/v1/shares/{token}", headers={**bearer(world.verifier_key), "Accept-Language": "fi"}
    )
    assert checks_of(ok(finnish)["report"])["status"]["reason"] == (
        "Myöntäjä on peruuttanut tämän tunnisteen."
    )
    detail = ok(client.get(f"/v1/wallet/credentials/{credential_id}", headers=world.person))
    assert detail["live_status"]["state"] == "invalid"
    assert detail["live_status"]["code"] == "credential_status_invalid"

    # Every view of the share is in the person's activity log.
    entries = ok(client.get("/v1/wallet/activity", headers=world.person))["entries"]
    views = [e for e in entries if e["kind"] == "share_viewed"]
    assert len(views) == 3 and {v["details"]["viewer"] for v in views} == {"Rekry Oy"}


def test_replaying_the_answer_to_a_request_is_a_409_problem(world: World) -> None:
    client = world.client
    holder = generate_key("ES256")
    issued = world.issue({"jwk": holder.public.jwk}, qualification(), "e2e-replay")
    asked = ok(
        client.post(
            "/v1/verifiers/employer/requests",
            json={"credentials": [{"type": "qualification", "claims": ["title"]}], "purpose": "x"},
            headers=bearer(world.verifier_key),
        ),
        201,
    )
    made = present(issued["credential"], holder, ["title"], asked["audience"], asked["nonce"])
    body = {"request_id": asked["id"], "vp_token": {"q1": [made]}}
    assert ok(world.verify(body))["verified"] is True
    assert_problem(world.verify(body), 409, "nonce_reused")
    replay = {"nonce": asked["nonce"], "presentations": [made]}
    assert_problem(world.verify(replay), 409, "nonce_reused")


def present(credential: str, holder: PrivateKey, disclose: list[str], aud: str, nonce: str) -> str:
    binding = HolderBinding(
        holder_key=holder, audience=aud, nonce=nonce, issued_at=datetime.now(UTC)
    )
    held = open_sd_jwt(credential)
    return create_presentation(held, disclose=disclose, key_binding=binding).serialized


def test_credential_of_an_issuer_outside_the_trust_registry_fails_the_trust_check(
    world: World,
) -> None:
    holder, stranger = generate_key("ES256"), generate_key("ES256")
    now = datetime.now(UTC)
    claims = qualification()
    forged = issue_sd_jwt_vc(
        mark_paths(claims, [(name,) for name in claims]),
        issuer="https://college.example",
        vct=QUALIFICATION_VCT,
        issued_at=now - timedelta(minutes=1),
        expires_at=now + timedelta(days=365),
        issuer_key=stranger,
        salt=random_salt,
        holder_key=holder.public,
    ).serialized
    nonce = world.nonce()
    made = present(forged, holder, ["title"], world.verifier_client_id, nonce)
    report = ok(world.verify({"nonce": nonce, "presentations": [made]}))
    assert report["verified"] is False
    trusted = checks_of(report)["issuer_trusted"]
    assert trusted == {
        "check": "issuer_trusted",
        "outcome": "failed",
        "code": "issuer_unknown",
        "reason": "The issuer is unknown: it is not in the trust registry.",
    }
    assert report["presentations"][0]["claims"] == {}
    # The wallet's receipt goes through the same gate and refuses it for the same reason.
    refused = world.client.post(
        "/v1/wallet/credentials", json={"credential": forged}, headers=world.person
    )
    assert_problem(refused, 422, "credential_issuer_untrusted")


def test_issuer_trusted_only_for_another_type_fails_the_trust_check(world: World) -> None:
    holder = generate_key("ES256")
    ok(
        world.client.post(
            "/v1/admin/issuers",
            json={"name": "Kurssikeskus", "slug": "courses", "types": ["study_attainment"]},
            headers=ADMIN,
        ),
        201,
    )
    # An issuer of this instance signs a qualification it is not accredited for (the API would
    # refuse to issue it, so it is signed here as a rogue issuer would, with the core).
    rogue = generate_key("ES256")
    now = datetime.now(UTC)
    claims = qualification()
    made_up = issue_sd_jwt_vc(
        mark_paths(claims, [(name,) for name in claims]),
        issuer=f"{BASE_URL}/issuers/courses",
        vct=QUALIFICATION_VCT,
        issued_at=now - timedelta(minutes=1),
        expires_at=now + timedelta(days=365),
        issuer_key=rogue,
        salt=random_salt,
        holder_key=holder.public,
    ).serialized
    nonce = world.nonce()
    made = present(made_up, holder, ["title"], world.verifier_client_id, nonce)
    report = ok(world.verify({"nonce": nonce, "presentations": [made]}))
    trusted = checks_of(report)["issuer_trusted"]
    assert report["verified"] is False and trusted["outcome"] == "failed"
    assert trusted["code"] == "issuer_not_trusted_for_type"
    assert trusted["reason"] == (
        "The issuer is known, but not trusted to issue this type of credential."
    )


def test_presentation_made_for_another_verifier_fails_the_audience_check(world: World) -> None:
    holder = generate_key("ES256")
    issued = world.issue({"jwk": holder.public.jwk}, qualification(), "e2e-audience")
    nonce = world.nonce()
    made = present(issued["credential"], holder, ["title"], world.other_client_id, nonce)
    report = ok(world.verify({"nonce": nonce, "presentations": [made]}))
    audience = checks_of(report)["kb_audience"]
    assert report["verified"] is False
    assert audience["outcome"] == "failed" and audience["code"] == "kb_aud_mismatch"
    assert audience["reason"] == "The presentation was made for another verifier."
    assert report["presentations"][0]["claims"] == {}


def test_withdrawn_share_answers_410_and_another_verifier_sees_nothing(world: World) -> None:
    client = world.client
    credential_id = receive_by_pickup(world)
    share = ok(
        client.post(
            "/v1/wallet/shares",
            json={
                "credentials": [{"credential_id": credential_id, "claims": [["title"]]}],
                "audience": world.verifier_client_id,
                "purpose": "Application",
            },
            headers=world.person,
        ),
        201,
    )
    token = share["url"].rsplit("/", 1)[1]
    assert_problem(
        client.get(f"/v1/shares/{token}", headers=bearer(world.other_key)), 404, "share_not_found"
    )
    assert_problem(client.get(f"/v1/shares/{token}"), 401, "unauthenticated")
    assert ok(client.get(f"/v1/shares/{token}", headers=bearer(world.verifier_key)))["views"] == 1
    assert (
        client.delete(f"/v1/wallet/shares/{share['id']}", headers=world.person).status_code == 204
    )
    assert_problem(
        client.get(f"/v1/shares/{token}", headers=bearer(world.verifier_key)),
        410,
        "share_withdrawn",
    )
    viewers = [
        e["details"]["viewer"]
        for e in ok(client.get("/v1/wallet/activity", headers=world.person))["entries"]
        if e["kind"] == "share_viewed"
    ]
    assert viewers == ["Rekry Oy"]


def test_a_spent_pickup_code_answers_410_and_the_wallet_keeps_one_copy(world: World) -> None:
    binding = ok(world.client.get("/v1/wallet/binding", headers=world.person))
    issued = world.issue({"jwk": binding["jwk"]}, qualification(), "e2e-spent")
    body = {"code": issued["pickup_code"]}
    ok(world.client.post("/v1/wallet/pickup", json=body, headers=world.person), 201)
    assert_problem(
        world.client.post("/v1/wallet/pickup", json=body, headers=world.person),
        410,
        "pickup_code_used",
    )
    held = ok(world.client.get("/v1/wallet/credentials", headers=world.person))["credentials"]
    assert len(held) == 1


def test_a_pickup_the_wallet_refuses_burns_nothing_and_stores_nothing(world: World) -> None:
    stranger = generate_key("ES256")
    issued = world.issue({"jwk": stranger.public.jwk}, qualification(), "e2e-refused")
    body = {"code": issued["pickup_code"]}
    first = world.client.post("/v1/wallet/pickup", json=body, headers=world.person)
    again = world.client.post("/v1/wallet/pickup", json=body, headers=world.person)
    assert 400 <= first.status_code < 500 and first.status_code != 410
    assert again.status_code == first.status_code
    assert again.json()["code"] == first.json()["code"]
    held = ok(world.client.get("/v1/wallet/credentials", headers=world.person))["credentials"]
    assert held == []
