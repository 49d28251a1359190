"""Bad input gets a 4xx and changes nothing: one strict JSON decoding for every API body, the
media type, bounded instants and integers at the model edge, and codes that say what is wrong."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from api.openapi import PROTOCOL_BODIES
from issuers.tables import IssuerCredential
from tests.api.demo_world import DemoWorld, demo_world
from tests.api.test_foundation import assert_problem
from verifiers.tables import VerifierRequest
from wallet.tables import WalletActivity

JSON = {"content-type": "application/json"}
LONE_SURROGATE = '"\\ud800"'


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    with demo_world(tmp_path_factory.mktemp("bodies")) as built:
        yield built


def count(engine: Engine, table: type[SQLModel]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def operations_with_a_body(world: DemoWorld) -> list[tuple[str, str]]:
    """Every (method, concrete path) of the OpenAPI document whose operation takes a body."""
    found = []
    for template, item in world.app.openapi()["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation and (method.upper(), template) not in PROTOCOL_BODIES:
                path = template.replace("{slug}", world.issuer_slug)
                for name in ("credential_id", "request_id", "share_id", "skill_id"):
                    path = path.replace("{" + name + "}", "x")
                found.append((method.upper(), path))
    return found


def test_the_document_lists_the_operations_that_take_a_body(world: DemoWorld) -> None:
    operations = operations_with_a_body(world)
    assert ("POST", "/v1/wallet/import") in operations and len(operations) >= 20


def test_every_operation_with_a_body_answers_415_for_a_text_plain_body(world: DemoWorld) -> None:
    for method, path in operations_with_a_body(world):
        response = world.client.request(
            method, path, content=b'{"a": 1}', headers={"content-type": "text/plain"}
        )
        assert_problem(response, 415, "unsupported_media_type")


def test_every_operation_with_a_body_answers_415_for_a_body_without_content_type(
    world: DemoWorld,
) -> None:
    for method, path in operations_with_a_body(world):
        response = world.client.request(method, path, content=b'{"a": 1}')
        assert_problem(response, 415, "unsupported_media_type")


def test_every_operation_with_a_body_refuses_a_lone_surrogate_with_400(world: DemoWorld) -> None:
    for method, path in operations_with_a_body(world):
        response = world.client.request(
            method, path, content=f'{{"a": {LONE_SURROGATE}}}'.encode(), headers=JSON
        )
        assert_problem(response, 400, "invalid_utf8")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"username": "a", "username": "b", "password": "p"}', "duplicate_json_member"),
        (b'{"username": "a", "password": NaN}', "non_finite_number"),
        (b'{"username": "a", "password": Infinity}', "non_finite_number"),
        (b'{"username": "a", "password": 1e999}', "non_finite_number"),
        (b'{"username": "a', "malformed_json"),
        (b'{"username": ' + b"[" * 40 + b"]" * 40 + b', "password": "p"}', "nesting_too_deep"),
        (b'{"username": "a\\u0000b", "password": "p"}', "nul_character"),
        (b'{"\\udc00": "a", "password": "p"}', "invalid_utf8"),
        (b'\xef\xbb\xbf{"username": "a", "password": "p"}', "invalid_utf8"),
        (b'{"username": "\xff", "password": "p"}', "invalid_utf8"),
        (b'{"username": "a", "password": "p"} trailing', "malformed_json"),
        (b'{"username": "a", "password": 1' + b"0" * 80 + b"}", "malformed_json"),
    ],
)
def test_a_body_breaking_a_parsing_rule_is_a_400_with_the_rule_code(
    world: DemoWorld, body: bytes, code: str
) -> None:
    response = world.client.post("/v1/auth/register", content=body, headers=JSON)
    assert_problem(response, 400, code)


def test_a_json_media_type_with_parameters_or_a_plus_json_suffix_is_accepted(
    world: DemoWorld,
) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = world.client.post(
            "/v1/auth/refresh",
            content=b'{"refresh_token": "trt_unknown"}',
            headers={"content-type": content_type},
        )
        assert_problem(response, 401, "refresh_token_invalid")


def test_a_verifier_request_holding_a_lone_surrogate_is_refused_and_not_stored(
    world: DemoWorld,
) -> None:
    before = count(world.engine, VerifierRequest)
    body = (
        '{"credentials": [{"type": "qualification", "claims": [{"path": ["eqf_level"], '
        f'"values": [{LONE_SURROGATE}]}}]}}], "purpose": "Hiring"}}'
    )
    response = world.client.post(
        f"/v1/verifiers/{world.verifier_slug}/requests",
        content=body.encode(),
        headers={**world.verifier, **JSON},
    )
    assert_problem(response, 400, "invalid_utf8")
    assert count(world.engine, VerifierRequest) == before


@pytest.mark.parametrize(
    "body",
    [
        '{"type": "competence", "claims": {"given_name": %s}, "holder": {"did": "did:jwk:x"}}',
        '{"type": "competence", "claims": {}, "holder": {"jwk": {"kty": %s}}}',
    ],
    ids=["issuance claims", "holder key"],
)
def test_issuance_holding_a_lone_surrogate_is_refused_and_issues_nothing(
    world: DemoWorld, body: str
) -> None:
    before = count(world.engine, IssuerCredential)
    response = world.client.post(
        f"/v1/issuers/{world.issuer_slug}/credentials",
        content=(body % LONE_SURROGATE).encode(),
        headers={**world.issuer, **JSON, "Idempotency-Key": "surrogate-1"},
    )
    assert_problem(response, 400, "invalid_utf8")
    assert count(world.engine, IssuerCredential) == before


def test_a_batch_item_holding_a_lone_surrogate_is_refused_and_issues_nothing(
    world: DemoWorld,
) -> None:
    before = count(world.engine, IssuerCredential)
    response = world.client.post(
        f"/v1/issuers/{world.issuer_slug}/credentials/batch",
        content=f'{{"items": [{{"type": {LONE_SURROGATE}}}]}}'.encode(),
        headers={**world.issuer, **JSON, "Idempotency-Key": "surrogate-2"},
    )
    assert_problem(response, 400, "invalid_utf8")
    assert count(world.engine, IssuerCredential) == before


def test_an_import_whose_activity_holds_a_lone_surrogate_is_refused_and_logs_nothing(
    world: DemoWorld,
) -> None:
    before = count(world.engine, WalletActivity)
    body = (
        '{"format": "taito-wallet-export", "version": 1, "holder_keys": [], "credentials": [], '
        f'"activity": [{{"kind": "share_viewed", "details": {{"viewer": {LONE_SURROGATE}}}}}]}}'
    )
    response = world.client.post(
        "/v1/wallet/import", content=body.encode(), headers={**world.person, **JSON}
    )
    assert_problem(response, 400, "invalid_utf8")
    assert count(world.engine, WalletActivity) == before


def test_an_activity_cursor_beyond_any_sequence_number_is_a_422(world: DemoWorld) -> None:
    response = world.client.get(
        "/v1/wallet/activity", params={"before": "9223372036854775808"}, headers=world.person
    )
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"][0]["pointer"] == "/query/before"  # type: ignore[index]


def _first_credential(world: DemoWorld) -> str:
    listing = world.client.get("/v1/wallet/credentials", headers=world.person)
    credential_id: str = listing.json()["credentials"][0]["id"]
    return credential_id


@pytest.mark.parametrize(
    "instant",
    ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1900-01-01T00:00:00Z"],
)
def test_a_share_expiry_outside_the_range_of_instants_is_a_422_and_creates_nothing(
    world: DemoWorld, instant: str
) -> None:
    shares = world.client.get("/v1/wallet/shares", headers=world.person).json()["shares"]
    response = world.client.post(
        "/v1/wallet/shares",
        json={
            "credentials": [{"credential_id": _first_credential(world), "claims": [["title"]]}],
            "audience": "anyone",
            "purpose": "Job application",
            "expires_at": instant,
        },
        headers=world.person,
    )
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"][0]["pointer"] == "/body/expires_at"  # type: ignore[index]
    assert world.client.get("/v1/wallet/shares", headers=world.person).json()["shares"] == shares


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("valid_until", "9999-12-31T23:59:59-14:00"),
        ("expires_in", 10**30),
        ("disclosable", [["skills", 10**30]]),
    ],
)
def test_issuance_with_an_instant_or_integer_out_of_range_is_a_422(
    world: DemoWorld, field: str, value: Any
) -> None:
    before = count(world.engine, IssuerCredential)
    body = {"type": "competence", "claims": {}, "holder": {"did": "did:jwk:x"}, field: value}
    response = world.client.post(
        f"/v1/issuers/{world.issuer_slug}/credentials",
        content=json.dumps(body).encode(),
        headers={**world.issuer, **JSON, "Idempotency-Key": f"range-{field}"},
    )
    assert_problem(response, 422, "validation_failed")
    assert count(world.engine, IssuerCredential) == before


def test_a_register_filter_instant_out_of_range_is_a_422(world: DemoWorld) -> None:
    response = world.client.get(
        f"/v1/issuers/{world.issuer_slug}/credentials",
        params={"issued_after": "0001-01-01T00:00:00+14:00"},
        headers=world.issuer,
    )
    assert_problem(response, 422, "validation_failed")


@pytest.mark.parametrize("cursor", ["!!", "MDAwMS0wMS0wMVQwMDowMDowMCsxNDowMHx4"])
def test_a_bad_register_cursor_is_a_400_page_invalid_not_an_invalid_issuer(
    world: DemoWorld, cursor: str
) -> None:
    response = world.client.get(
        f"/v1/issuers/{world.issuer_slug}/credentials",
        params={"cursor": cursor},
        headers=world.issuer,
    )
    assert_problem(response, 400, "page_invalid")


def test_answering_an_answered_request_says_it_was_answered_not_that_it_expired(
    world: DemoWorld,
) -> None:
    created = world.client.post(
        f"/v1/verifiers/{world.verifier_slug}/requests",
        json={"credentials": [{"type": "qualification", "claims": ["title"]}], "purpose": "Job"},
        headers=world.verifier,
    )
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    shown = world.client.get(f"/v1/wallet/requests/{request_id}", headers=world.person).json()
    candidate = shown["queries"][0]["candidates"][0]
    approval = {
        "query_id": shown["queries"][0]["query_id"],
        "credential_id": candidate["credential_id"],
        "claim_ids": [c["id"] for c in candidate["claims"]],
    }
    path = f"/v1/wallet/requests/{request_id}/response"
    first = world.client.post(path, json={"approvals": [approval]}, headers=world.person)
    assert first.status_code == 200, first.text
    again = world.client.post(path, json={"approvals": [approval]}, headers=world.person)
    body = assert_problem(again, 409, "verifier_request_answered")
    assert "expired" not in str(body["detail"]) + str(body["title"])


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v1/admin/trust", "DELETE, GET, POST, PUT"),
        ("/v1/wallet/credentials", "GET, POST"),
        ("/v1/wallet/shares/sh_x", "DELETE, GET"),
    ],
)
def test_a_405_names_every_method_of_the_path_in_allow(
    world: DemoWorld, path: str, allowed: str
) -> None:
    response = world.client.patch(path, json={})
    assert_problem(response, 405, "method_not_allowed")
    assert response.headers["allow"] == allowed


def test_routes_without_a_body_ignore_the_content_type(world: DemoWorld) -> None:
    response = world.client.get(
        "/v1/wallet/binding", headers={**world.person, "content-type": "text/plain"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/v1/issuers/%00",
        "/v1/issuers/{issuer}/credentials?type=%00",
        "/v1/issuers/{issuer}/credentials/a%00b",
        "/v1/admin/trust/entry?identifier=%00",
        "/v1/wallet/credentials/%00",
        "/v1/wallet/requests/%1F",
        "/v1/verifiers/{verifier}/requests/%7F",
        "/status/%00",
        "/.well-known/jwt-vc-issuer/issuers/%00",
        "/v1/shares/" + "%00" * 20,
    ],
)
def test_a_control_character_in_the_address_is_a_400_on_every_database(
    world: DemoWorld, path: str
) -> None:
    path = path.format(issuer=world.issuer_slug, verifier=world.verifier_slug)
    door = (
        world.issuer
        if "/issuers/" in path
        else world.admin
        if "/admin/" in path
        else world.verifier
        if "/verifiers/" in path
        else world.person
    )
    assert_problem(world.client.get(path, headers=door), 400, "control_character")


def test_an_offer_valid_until_a_year_before_1970_is_a_422_not_a_server_error(
    world: DemoWorld,
) -> None:
    # Found by the fuzz run: the offer body took any aware datetime, the issuance body does not.
    response = world.client.post(
        f"/v1/issuers/{world.issuer_slug}/offers",
        json={"type": "competence", "claims": {}, "valid_until": "0189-12-25T12:52:58Z"},
        headers={**world.issuer, "Idempotency-Key": "offer-year-189"},
    )
    assert_problem(response, 422, "validation_failed")
