"""The issuer API through HTTP: issuing, batches, the register, status, and authorization.

Every credential issued here is verified with the credential core against the keys the issuer
publishes at its JWT VC Issuer Metadata (or did:web document), fetched through the same app.
"""

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.schemas_issuers import CredentialIn
from credentials.bitstring_status_list import (
    parse_bitstring_status_list_credential,
    parse_status_entry,
    resolve_bitstring_status,
)
from credentials.dids import did_resolver
from credentials.issuer_metadata import metadata_resolver
from credentials.jws import parse_compact, payload_object
from credentials.sd_jwt_vc import verify_sd_jwt_vc_issuance
from credentials.status_list import (
    StatusReference,
    StatusType,
    resolve_status,
    verify_status_list_token,
)
from credentials.vc_jose import verify_vc_jwt
from issuers.idempotency import begin, fingerprint
from issuers.organisations import CreatedIssuer
from schemas import SLUGS, vct_for
from tests.api.test_foundation import assert_problem as _assert_problem
from tests.service.test_issuers_support import (
    ALGORITHMS,
    HETU,
    SAMPLE_CLAIMS,
    SD_JWT_VC,
    holder_key,
    make_issuer,
)

BASE = "https://taito.test"
TOLERANCE = timedelta(seconds=60)


@pytest.fixture
def issuer(client: TestClient, clean_engine: Engine) -> CreatedIssuer:
    kek = client.app.state.kek  # type: ignore[attr-defined]
    with Session(clean_engine, expire_on_commit=False) as session:
        return make_issuer(session, kek, types=SLUGS)


@pytest.fixture
def other(client: TestClient, clean_engine: Engine) -> CreatedIssuer:
    kek = client.app.state.kek  # type: ignore[attr-defined]
    with Session(clean_engine, expire_on_commit=False) as session:
        return make_issuer(session, kek, types=["competence"])


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    return cast(dict[str, Any], _assert_problem(response, status, code))


def _auth(created: CreatedIssuer, key: str = "idem-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {created.api_key}", "Idempotency-Key": key}


def _body(slug: str, fmt: str = "dc+sd-jwt", **extra: Any) -> dict[str, Any]:
    return {
        "type": slug,
        "claims": SAMPLE_CLAIMS[slug],
        "holder": {"jwk": holder_key().public.jwk},
        "format": fmt,
        **extra,
    }


def _fetch(client: TestClient) -> Any:
    def fetch(url: str) -> bytes:
        response = client.get(url)
        assert response.status_code == 200, url
        return bytes(response.content)

    return fetch


def _issue(client: TestClient, created: CreatedIssuer, body: dict[str, Any], key: str) -> Any:
    response = client.post(
        f"/v1/issuers/{created.account.slug}/credentials", json=body, headers=_auth(created, key)
    )
    assert response.status_code == 201, response.text
    return response.json()


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.mark.parametrize("slug", SLUGS)
def test_a_credential_of_each_type_verifies_against_the_published_metadata(
    client: TestClient, issuer: CreatedIssuer, slug: str
) -> None:
    issued = _issue(client, issuer, _body(slug), f"type-{slug}")
    assert issued["format"] == "dc+sd-jwt" and issued["pickup_code"].startswith("tpc_")
    verified = verify_sd_jwt_vc_issuance(
        issued["credential"],
        resolve_issuer_key=metadata_resolver(_fetch(client)),
        algorithms=ALGORITHMS,
        accepted_typ=SD_JWT_VC,
        now=_now(),
        clock_tolerance=TOLERANCE,
    )
    assert verified.issuer == f"{BASE}/issuers/{issuer.account.slug}"
    assert verified.vct == vct_for(slug, base_url=BASE) == issued["vct"]
    assert verified.status == {"status_list": issued["status"]}
    type_metadata = client.get(verified.vct)
    assert type_metadata.status_code == 200 and type_metadata.json()["vct"] == verified.vct


def test_a_vc_jwt_verifies_against_the_did_web_document(
    client: TestClient, issuer: CreatedIssuer
) -> None:
    issued = _issue(client, issuer, _body("qualification", "vc+jwt"), "vc")
    verified = verify_vc_jwt(
        issued["credential"],
        resolve_issuer_key=did_resolver(_fetch(client)),
        now=_now(),
        clock_tolerance=TOLERANCE,
        algorithms=ALGORITHMS,
    )
    assert verified.issuer == f"did:web:taito.test:issuers:{issuer.account.slug}"
    assert issued["status"] is None
    assert list(verified.credential_status) == issued["credentialStatus"]


def _ietf_status(client: TestClient, issued: dict[str, Any]) -> int:
    reference = StatusReference(issued["status"]["idx"], issued["status"]["uri"])
    response = client.get(reference.uri)
    assert response.headers["content-type"] == "application/statuslist+jwt"
    assert response.headers["cache-control"] == "public, max-age=300"
    token = verify_status_list_token(
        response.text,
        key=metadata_resolver(_fetch(client)),
        issuer=_iss(issued),
        algorithms=ALGORITHMS,
        expected_sub=reference.uri,
        now=_now(),
        clock_tolerance=TOLERANCE,
    )
    return resolve_status(token, reference)


def _iss(issued: dict[str, Any]) -> str:
    return str(payload_object(parse_compact(issued["credential"].split("~")[0]))["iss"])


def _set_status(client: TestClient, created: CreatedIssuer, credential_id: str, status: str) -> Any:
    return client.post(
        f"/v1/issuers/{created.account.slug}/credentials/{credential_id}/status",
        json={"status": status},
        headers={"Authorization": f"Bearer {created.api_key}"},
    )


def test_revoked_shows_revoked_and_suspended_then_reinstated_shows_valid(
    client: TestClient, issuer: CreatedIssuer
) -> None:
    revoked = _issue(client, issuer, _body("competence"), "a")
    suspended = _issue(client, issuer, _body("competence"), "b")
    assert _ietf_status(client, revoked) == StatusType.VALID
    assert _set_status(client, issuer, revoked["id"], "revoked").json()["status"] == "revoked"
    assert _ietf_status(client, revoked) == StatusType.INVALID
    assert _set_status(client, issuer, suspended["id"], "suspended").status_code == 200
    assert _ietf_status(client, suspended) == StatusType.SUSPENDED
    assert _set_status(client, issuer, suspended["id"], "valid").json()["status"] == "valid"
    assert _ietf_status(client, suspended) == StatusType.VALID
    assert _ietf_status(client, revoked) == StatusType.INVALID
    assert_problem(_set_status(client, issuer, revoked["id"], "valid"), 409, "credential_revoked")


def test_w3c_lists_are_published_as_vc_jwt(client: TestClient, issuer: CreatedIssuer) -> None:
    issued = _issue(client, issuer, _body("competence", "vc+jwt"), "w3c")
    _set_status(client, issuer, issued["id"], "revoked")
    outcome = {}
    for raw in issued["credentialStatus"]:
        entry = parse_status_entry(raw)
        response = client.get(entry.status_list_credential)
        assert response.headers["content-type"] == "application/vc+jwt"
        assert response.headers["cache-control"] == "public, max-age=300"
        verified = verify_vc_jwt(
            response.text,
            resolve_issuer_key=did_resolver(_fetch(client)),
            now=_now(),
            clock_tolerance=TOLERANCE,
            algorithms=ALGORITHMS,
        )
        status_list = parse_bitstring_status_list_credential(verified.credential)
        outcome[entry.status_purpose] = resolve_bitstring_status(status_list, entry).valid
    assert outcome == {"revocation": False, "suspension": True}


def test_invalid_claims_get_a_422_problem_naming_every_violation(
    client: TestClient, issuer: CreatedIssuer
) -> None:
    claims = {**SAMPLE_CLAIMS["qualification"], "eqf_level": 0, "date_awarded": "yesterday"}
    del claims["family_name"]
    response = client.post(
        f"/v1/issuers/{issuer.account.slug}/credentials",
        json={**_body("qualification"), "claims": claims},
        headers=_auth(issuer),
    )
    body = assert_problem(response, 422, "claims_invalid")
    assert [e["pointer"] for e in body["errors"]] == [
        "/claims/date_awarded",
        "/claims/eqf_level",
        "/claims/family_name",
    ]
    assert all(e["message"] for e in body["errors"])
    assert "yesterday" not in response.text


def test_a_personal_identity_code_is_refused_with_its_own_code(
    client: TestClient, issuer: CreatedIssuer
) -> None:
    claims = {**SAMPLE_CLAIMS["work_experience"], "tasks": ["Työntekijä", f"hetu {HETU}"]}
    response = client.post(
        f"/v1/issuers/{issuer.account.slug}/credentials",
        json={**_body("work_experience"), "claims": claims},
        headers=_auth(issuer),
    )
    body = assert_problem(response, 422, "personal_identity_code_refused")
    assert body["errors"][0]["pointer"] == "/claims/tasks/1"
    assert HETU not in response.text


def test_a_type_the_issuer_is_not_accredited_for_is_403(
    client: TestClient, other: CreatedIssuer
) -> None:
    response = client.post(
        f"/v1/issuers/{other.account.slug}/credentials",
        json=_body("qualification"),
        headers=_auth(other),
    )
    assert_problem(response, 403, "type_not_accredited")


def test_idempotency_key_same_body_replays_other_body_is_422_missing_is_400(
    client: TestClient, issuer: CreatedIssuer
) -> None:
    body = _body("competence")
    first = _issue(client, issuer, body, "same")
    assert _issue(client, issuer, body, "same") == first
    path = f"/v1/issuers/{issuer.account.slug}/credentials"
    other_body = client.post(path, json=_body("competence"), headers=_auth(issuer, "same"))
    assert_problem(other_body, 422, "idempotency_key_reused")
    missing = client.post(path, json=body, headers={"Authorization": f"Bearer {issuer.api_key}"})
    assert_problem(missing, 400, "idempotency_key_missing")


def test_a_malformed_request_is_a_422_validation_problem(
    client: TestClient, issuer: CreatedIssuer
) -> None:
    path = f"/v1/issuers/{issuer.account.slug}/credentials"
    response = client.post(
        path, json={**_body("competence"), "format": "jwt"}, headers=_auth(issuer)
    )
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"][0]["pointer"] == "/body/format"
    holder = client.post(
        path,
        json={**_body("competence"), "holder": {"did": "did:web:x.example"}},
        headers=_auth(issuer),
    )
    assert_problem(holder, 422, "holder_binding_invalid")


def test_a_batch_issues_valid_items_and_reports_the_others(
    client: TestClient, issuer: CreatedIssuer
) -> None:
    items = [
        _body("competence"),
        {"type": "competence", "claims": {}, "holder": {"did": 5}},
        {**_body("competence"), "claims": {**SAMPLE_CLAIMS["competence"], "date": "never"}},
        _body("work_experience", "vc+jwt"),
    ]
    path = f"/v1/issuers/{issuer.account.slug}/credentials/batch"
    response = client.post(path, json={"items": items}, headers=_auth(issuer, "batch"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["issued"], body["failed"]) == (2, 2)
    problems = [None if i["problem"] is None else i["problem"]["code"] for i in body["items"]]
    assert problems == [None, "batch_item_invalid", "claims_invalid", None]
    assert body["items"][1]["problem"]["errors"][0]["pointer"] == "/holder/did"
    assert body["items"][2]["problem"]["errors"] == [
        {"pointer": "/claims/date", "message": "must be a date in the form YYYY-MM-DD"}
    ]
    again = client.post(path, json={"items": items}, headers=_auth(issuer, "batch"))
    assert again.json() == body
    too_many = client.post(path, json={"items": []}, headers=_auth(issuer, "batch-2"))
    assert_problem(too_many, 422, "validation_failed")


def test_the_register_lists_and_shows_entries_without_claims(
    client: TestClient, issuer: CreatedIssuer
) -> None:
    issued = [_issue(client, issuer, _body(slug), slug) for slug in ("competence", "qualification")]
    headers = {"Authorization": f"Bearer {issuer.api_key}"}
    path = f"/v1/issuers/{issuer.account.slug}/credentials"
    listing = client.get(path, headers=headers, params={"limit": 1})
    assert listing.status_code == 200
    assert [e["id"] for e in listing.json()["items"]] == [issued[1]["id"]]
    rest = client.get(
        path, headers=headers, params={"limit": 1, "cursor": listing.json()["next_cursor"]}
    )
    assert [e["id"] for e in rest.json()["items"]] == [issued[0]["id"]]
    typed = client.get(path, headers=headers, params={"type": "competence", "status": "valid"})
    assert [e["id"] for e in typed.json()["items"]] == [issued[0]["id"]]
    entry = client.get(f"{path}/{issued[0]['id']}", headers=headers).json()
    assert entry["status_index"] == issued[0]["status"]["idx"]
    assert set(entry) == {
        "id",
        "type",
        "vct",
        "format",
        "status",
        "status_list_id",
        "status_index",
        "digest",
        "kid",
        "issued_at",
        "expires_at",
        "status_changed_at",
    }
    assert "Aino" not in listing.text + rest.text
    bad = client.get(path, headers=headers, params={"cursor": "!!"})
    assert_problem(bad, 400, "page_invalid")


def test_the_issuer_reads_its_own_account(client: TestClient, issuer: CreatedIssuer) -> None:
    response = client.get(
        f"/v1/issuers/{issuer.account.slug}", headers={"Authorization": f"Bearer {issuer.api_key}"}
    )
    assert response.status_code == 200
    assert response.json()["identifier"] == f"{BASE}/issuers/{issuer.account.slug}"
    assert response.json()["types"] == sorted(SLUGS)


def _endpoints(slug: str, credential_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", f"/v1/issuers/{slug}", None),
        ("POST", f"/v1/issuers/{slug}/credentials", _body("competence")),
        ("POST", f"/v1/issuers/{slug}/credentials/batch", {"items": [_body("competence")]}),
        ("GET", f"/v1/issuers/{slug}/credentials", None),
        ("GET", f"/v1/issuers/{slug}/credentials/{credential_id}", None),
        ("POST", f"/v1/issuers/{slug}/credentials/{credential_id}/status", {"status": "revoked"}),
    ]


def test_every_issuer_endpoint_needs_the_issuers_own_key(
    client: TestClient, issuer: CreatedIssuer, other: CreatedIssuer
) -> None:
    issued = _issue(client, issuer, _body("competence"), "auth")
    for method, path, body in _endpoints(issuer.account.slug, issued["id"]):
        none = client.request(method, path, json=body, headers={"Idempotency-Key": "z"})
        assert_problem(none, 401, "unauthenticated")
        assert none.headers["www-authenticate"] == "Bearer"
        wrong = client.request(
            method,
            path,
            json=body,
            headers={"Authorization": "Bearer tik_nope", "Idempotency-Key": "z"},
        )
        assert_problem(wrong, 401, "issuer_api_key_invalid")
        assert wrong.headers["www-authenticate"] == "Bearer"
        foreign = client.request(method, path, json=body, headers=_auth(other, "z"))
        assert_problem(foreign, 404, "issuer_not_found")
    # The other issuer on its own path still cannot see or change this issuer's credential.
    for method, path, body in _endpoints(other.account.slug, issued["id"])[4:]:
        response = client.request(method, path, json=body, headers=_auth(other, "z"))
        assert_problem(response, 404, "issued_credential_not_found")
    entry = client.get(
        f"/v1/issuers/{issuer.account.slug}/credentials/{issued['id']}",
        headers={"Authorization": f"Bearer {issuer.api_key}"},
    )
    assert entry.json()["status"] == "valid"


def test_a_request_whose_idempotency_key_is_still_running_is_409(
    client: TestClient, issuer: CreatedIssuer, clean_engine: Engine
) -> None:
    body = _body("competence")
    request = CredentialIn.model_validate(body).to_request()
    with Session(clean_engine) as session:
        begin(
            session,
            issuer_id=issuer.account.id,
            key="running",
            request_fingerprint=fingerprint({"credential": request.as_json()}),
            kek=client.app.state.kek,  # type: ignore[attr-defined]
            now=_now(),
        )
    response = client.post(
        f"/v1/issuers/{issuer.account.slug}/credentials",
        json=body,
        headers=_auth(issuer, "running"),
    )
    assert_problem(response, 409, "idempotency_in_progress")
