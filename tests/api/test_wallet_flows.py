"""The wallet through the API: receive, profile in three languages, share exactly 3 of 12
claims, views in the log, withdrawal and expiry, requests, export-erase-import, encryption."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from api.database import build_engine, metadata
from api.routers import wallet_deps
from api.settings import Settings
from credentials.keys import generate_key
from credentials.sd_jwt import parse_disclosure, split_sd_jwt
from schemas import vct_for
from tests.api.test_wallet_support_api import (
    EMPLOYER,
    PASSWORD,
    UNI,
    Clock,
    FakeRequests,
    WalletHarness,
    binding_jwk,
    harness_for,
    install,
    problem,
    receive,
    receive_three,
    register,
)
from tests.conftest import empty_database
from tests.service.test_wallet_support import (
    BASE_URL,
    CLAIM_VALUES,
    NOW,
    PYTHON,
    PinnedChecker,
    dump_rows,
    qualification_claims,
)
from verifiers.errors import NonceReused
from wallet.errors import ShareExpired, ShareWithdrawn
from wallet.request_answers import PresentationRequest
from wallet.shares.viewing import SharePresentation, find_share, present_share, record_share_view

VERIFIER = f"{BASE_URL}/verifiers/rekry"
PASSPHRASE = "my own export passphrase"


@pytest.fixture
def harness(app: FastAPI, client: TestClient) -> Iterator[WalletHarness]:
    yield from harness_for(app, client)


def open_share(session: Session, *, token: str, kek: bytes, now: datetime) -> SharePresentation:
    """What a view does in the wallet: find the share by its link, then present it afresh."""
    found = find_share(session, token=token, kek=kek, base_url=BASE_URL)
    return present_share(
        session, share_id=found.share_id, nonce="view-nonce-0123456789", kek=kek, now=now
    )


def _share(client: TestClient, auth: dict[str, str], credential_id: str, **extra: object):  # type: ignore[no-untyped-def]
    body = {
        "credentials": [
            {"credential_id": credential_id, "claims": [["title"], ["eqf_level"], ["date_awarded"]]}
        ],
        "audience": VERIFIER,
        "purpose": "Application for the developer position",
        **extra,
    }
    return client.post("/v1/wallet/shares", json=body, headers=auth)


def test_receive_profile_in_three_languages_and_share_three_of_twelve_claims(
    harness: WalletHarness, app: FastAPI, clean_engine: Engine
) -> None:
    client = harness.client
    auth = register(client)
    ids = receive_three(client, auth)
    names = {}
    for lang in ("fi", "sv", "en"):
        profile = client.get("/v1/wallet/profile", params={"lang": lang}, headers=auth).json()
        python = next(s for s in profile["skills"] if s["uri"] == PYTHON)
        assert python["verified"] and python["best_level"]["level"] == "7"
        assert len(python["attested_by"]) == 2
        names[lang] = sorted(a["type_name"] for a in python["attested_by"])
    assert names == {
        "fi": ["Osaaminen", "Työtodistus"],
        "sv": ["Arbetsintyg", "Kompetens"],
        "en": ["Competence", "Employment certificate"],
    }
    swedish = client.get("/v1/wallet/profile", headers={**auth, "Accept-Language": "sv-FI"})
    assert swedish.json()["lang"] == "sv"

    preview = client.post(
        "/v1/wallet/shares/preview",
        json={
            "credentials": [
                {
                    "credential_id": ids["qualification"],
                    "claims": [["title"], ["eqf_level"], ["date_awarded"]],
                }
            ],
            "audience": VERIFIER,
            "purpose": "Application for the developer position",
        },
        headers={**auth, "Accept-Language": "fi"},
    )
    assert preview.status_code == 200
    assert [c["label"] for c in preview.json()["items"][0]["claims"]] == [
        "Tutkinnon nimi",
        "EQF-taso",
        "Myöntämispäivä",
    ]
    created = _share(client, auth, ids["qualification"])
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    assert created.json()["preview"]["items"] != []
    token = created.json()["url"].rsplit("/", 1)[1]
    with Session(clean_engine) as session:
        opened = open_share(session, token=token, kek=app.state.kek, now=harness.clock.now)
    (presentation,) = opened.presentations
    disclosures = [parse_disclosure(d) for d in split_sd_jwt(presentation).disclosures]
    assert len(qualification_claims()) == 12
    assert sorted(d.name or "" for d in disclosures) == ["date_awarded", "eqf_level", "title"]

    leaked = [value for value in CLAIM_VALUES if value in dump_rows(clean_engine)]
    assert leaked == []


def test_each_share_view_appears_in_the_activity_log_and_withdrawal_is_immediate(
    harness: WalletHarness, app: FastAPI, clean_engine: Engine
) -> None:
    client = harness.client
    auth = register(client)
    ids = receive_three(client, auth)
    created = _share(client, auth, ids["qualification"]).json()
    token = created["url"].rsplit("/", 1)[1]
    kek = app.state.kek
    for minute in (1, 2):
        with Session(clean_engine) as session:
            opened = open_share(session, token=token, kek=kek, now=NOW)
            record_share_view(
                session,
                share_id=opened.share_id,
                viewer=VERIFIER,
                kek=kek,
                now=NOW + timedelta(minutes=minute),
            )
            session.commit()  # record_share_view is a step: the share-view flow commits
    entries = client.get("/v1/wallet/activity", headers=auth).json()["entries"]
    views = [e for e in entries if e["kind"] == "share_viewed"]
    assert [v["details"]["viewer"] for v in views] == [VERIFIER, VERIFIER]
    assert [v["occurred_at"] for v in views] == ["2025-03-01T12:02:00Z", "2025-03-01T12:01:00Z"]
    assert client.get(f"/v1/wallet/shares/{created['id']}", headers=auth).json()["view_count"] == 2

    assert client.delete(f"/v1/wallet/shares/{created['id']}", headers=auth).status_code == 204
    with Session(clean_engine) as session, pytest.raises(ShareWithdrawn) as caught:
        open_share(session, token=token, kek=kek, now=NOW)
    assert caught.value.status == 410
    listed = client.get("/v1/wallet/shares", headers=auth).json()["shares"]
    assert [s["status"] for s in listed] == ["withdrawn"]


def test_expired_share_is_listed_as_expired_and_cannot_be_opened(
    harness: WalletHarness, app: FastAPI, clean_engine: Engine
) -> None:
    client = harness.client
    auth = register(client)
    ids = receive_three(client, auth)
    expires = (NOW + timedelta(days=1)).isoformat()
    created = _share(client, auth, ids["qualification"], expires_at=expires).json()
    harness.clock.advance(days=2)
    problem(client.get("/v1/wallet/shares", headers=auth), 401, "access_token_invalid")
    login = client.post(
        "/v1/auth/login", json={"username": "maija@example.fi", "password": PASSWORD}
    )
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    listed = client.get("/v1/wallet/shares", headers=auth).json()["shares"]
    assert [s["status"] for s in listed] == ["expired"]
    with Session(clean_engine) as session, pytest.raises(ShareExpired):
        open_share(
            session,
            token=created["url"].rsplit("/", 1)[1],
            kek=app.state.kek,
            now=harness.clock.now,
        )


def test_share_rules_are_problems(harness: WalletHarness) -> None:
    client = harness.client
    auth = register(client)
    ids = receive_three(client, auth)
    too_late = (NOW + timedelta(days=400)).isoformat()
    problem(_share(client, auth, ids["qualification"], expires_at=too_late), 422, "share_invalid")
    problem(_share(client, auth, ids["qualification"], audience="ftp://x"), 422, "share_invalid")
    body = {
        "credentials": [{"credential_id": ids["qualification"], "claims": [["salary"]]}],
        "audience": "anyone",
        "purpose": "x",
    }
    problem(client.post("/v1/wallet/shares/preview", json=body, headers=auth), 422, "share_invalid")
    naive = {**body, "expires_at": "2025-06-01T00:00:00"}
    problem(client.post("/v1/wallet/shares", json=naive, headers=auth), 422, "validation_failed")


def test_receive_refuses_with_the_failing_check_and_detects_duplicates(
    harness: WalletHarness,
) -> None:
    client = harness.client
    auth = register(client)
    stranger = UNI.issue("qualification", qualification_claims(), generate_key("ES256").public.jwk)
    response = client.post("/v1/wallet/credentials", json={"credential": stranger}, headers=auth)
    problem(response, 422, "holder_binding_mismatch")
    credential = UNI.issue("qualification", qualification_claims(), binding_jwk(client, auth))
    receive(client, auth, credential)
    again = client.post("/v1/wallet/credentials", json={"credential": credential}, headers=auth)
    problem(again, 409, "credential_duplicate")
    assert len(client.get("/v1/wallet/credentials", headers=auth).json()["credentials"]) == 1


def test_real_gate_refuses_a_credential_from_an_untrusted_issuer_and_stores_nothing(
    app: FastAPI, client: TestClient
) -> None:
    clock = Clock()
    install(app, clock, PinnedChecker([UNI]), FakeRequests())
    del app.dependency_overrides[wallet_deps.credential_checker]
    auth = register(client)
    credential = UNI.issue("qualification", qualification_claims(), binding_jwk(client, auth))
    response = client.post("/v1/wallet/credentials", json={"credential": credential}, headers=auth)
    body = problem(response, 422, "credential_issuer_untrusted")
    assert "issuer" in str(body["detail"]).lower()
    listed = client.get("/v1/wallet/credentials", headers=auth).json()
    assert listed["credentials"] == []
    app.dependency_overrides.clear()


def test_search_and_detail_with_live_status(harness: WalletHarness) -> None:
    client = harness.client
    auth = register(client)
    ids = receive_three(client, auth)
    found = client.get("/v1/wallet/credentials", params={"q": "ohjelmistotalo"}, headers=auth)
    assert {c["id"] for c in found.json()["credentials"]} == {ids["work_experience"]}
    by_skill = client.get("/v1/wallet/credentials", params={"skill": PYTHON}, headers=auth).json()
    assert {c["id"] for c in by_skill["credentials"]} == {ids["competence"], ids["work_experience"]}
    by_issuer = client.get(
        "/v1/wallet/credentials", params={"issuer": EMPLOYER.identifier}, headers=auth
    ).json()
    assert [c["type"] for c in by_issuer["credentials"]] == ["work_experience"]
    detail = client.get(
        f"/v1/wallet/credentials/{ids['qualification']}", params={"lang": "sv"}, headers=auth
    ).json()
    assert detail["live_status"] == {"state": "valid", "code": None, "reason": None}
    assert detail["credential"]["type_name"] == "Examen"
    assert {
        "path": ["title"],
        "label": "Examensbenämning",
        "value": "Tradenomi (AMK), tietojenkäsittely",
    } in detail["claims"]


def degree_request(claims: list[dict[str, Any]]) -> PresentationRequest:
    """Rekry Oy's request ``req_1`` for a qualification with these claims queries."""
    return PresentationRequest(
        request_id="req_1",
        audience=VERIFIER,
        nonce="nonce-123456",
        query={
            "credentials": [
                {
                    "id": "degree",
                    "format": "dc+sd-jwt",
                    "meta": {"vct_values": [vct_for("qualification", base_url=BASE_URL)]},
                    "claims": claims,
                }
            ]
        },
        purpose="Checking the degree",
        verifier_name="Rekry Oy",
        expires_at=NOW + timedelta(minutes=10),
    )


def test_answering_a_request_sends_only_the_approved_claims(harness: WalletHarness) -> None:
    client = harness.client
    auth = register(client)
    ids = receive_three(client, auth)
    harness.requests.requests["req_1"] = degree_request(
        [
            {"id": "title", "path": ["title"]},
            {"id": "level", "path": ["eqf_level"]},
            {"id": "grade", "path": ["grade"]},
        ]
    )
    shown = client.get("/v1/wallet/requests/req_1", headers={**auth, "Accept-Language": "fi"})
    assert shown.status_code == 200
    query = shown.json()["queries"][0]
    assert [a["label"] for a in query["asked"]] == [
        "Tutkinnon nimi",
        "EQF-taso",
        "Arvosana tai luokitus",
    ]
    assert [c["credential_id"] for c in query["candidates"]] == [ids["qualification"]]
    answer = client.post(
        "/v1/wallet/requests/req_1/response",
        json={
            "approvals": [
                {
                    "query_id": "degree",
                    "credential_id": ids["qualification"],
                    "claim_ids": ["title", "level"],
                }
            ]
        },
        headers=auth,
    )
    assert answer.json() == {
        "request_id": "req_1",
        "declined": False,
        "outcome": {"verified": True},
    }
    ((request_id, vp_token),) = harness.requests.submitted
    assert request_id == "req_1"
    disclosures = split_sd_jwt(vp_token["degree"][0]).disclosures
    assert sorted(parse_disclosure(d).name or "" for d in disclosures) == ["eqf_level", "title"]
    problem(
        client.get("/v1/wallet/requests/unknown", headers=auth),
        404,
        "presentation_request_not_found",
    )


@pytest.fixture
def fresh_app(settings: Settings, tmp_path: Path) -> Iterator[FastAPI]:
    kek_file = tmp_path / "other-kek.key"
    kek_file.write_text("b" * 43)
    kek_file.chmod(0o600)
    with empty_database(tmp_path) as (url, connect_args):
        engine = build_engine(url, connect_args=connect_args)
        metadata().create_all(engine)
        other = settings.model_copy(
            update={"kek_file": kek_file, "base_url": "https://taito.other.test"}
        )
        yield create_app(other, engine=engine)
        engine.dispose()


def test_export_erase_import_on_another_instance(
    harness: WalletHarness, fresh_app: FastAPI, clean_engine: Engine
) -> None:
    client = harness.client
    auth = register(client)
    receive_three(client, auth)
    client.post("/v1/wallet/skills", json={"uri": PYTHON, "level": "expert"}, headers=auth)
    exported = client.post(
        "/v1/wallet/export", json={"password": PASSWORD, "passphrase": PASSPHRASE}, headers=auth
    )
    assert exported.status_code == 200 and exported.headers["cache-control"] == "no-store"
    bundle = exported.json()
    erased = client.post("/v1/wallet/erase", json={"password": PASSWORD}, headers=auth)
    assert erased.json()["credentials"] == 3
    problem(client.get("/v1/wallet/credentials", headers=auth), 401, "access_token_invalid")
    assert [v for v in CLAIM_VALUES if v in dump_rows(clean_engine)] == []

    checker = PinnedChecker([UNI, EMPLOYER])
    install(fresh_app, Clock(NOW + timedelta(days=1)), checker, FakeRequests())
    with TestClient(fresh_app, base_url="https://taito.other.test") as other:
        other_auth = register(other)
        body = {"passphrase": PASSPHRASE, "export": bundle}
        report = other.post("/v1/wallet/import", json=body, headers=other_auth).json()
        assert report == {"imported": 3, "duplicates": 0, "keys_added": 1, "rejected": []}
        listed = other.get("/v1/wallet/credentials", headers=other_auth).json()["credentials"]
        assert len(listed) == 3
        for item in listed:
            detail = other.get(f"/v1/wallet/credentials/{item['id']}", headers=other_auth).json()
            assert detail["live_status"]["state"] == "valid"
        skills = other.get("/v1/wallet/skills", headers=other_auth).json()["skills"]
        assert [(s["uri"], s["self_declared"]) for s in skills] == [(PYTHON, True)]


class RefusingRequests(FakeRequests):
    """A verifier that refuses the delivery, as when another answer won the race (409)."""

    def submit(
        self, session: Session, *, request_id: str, vp_token: dict[str, list[str]], now: Any
    ) -> dict[str, Any] | None:
        raise NonceReused("the request has already been answered")


def test_an_answer_the_verifier_refuses_leaves_no_answered_entry_in_the_log(
    app: FastAPI, harness: WalletHarness
) -> None:
    client = harness.client
    auth = register(client)
    ids = receive_three(client, auth)
    refusing = RefusingRequests()
    refusing.requests["req_1"] = degree_request([{"id": "title", "path": ["title"]}])
    app.dependency_overrides[wallet_deps.presentation_requests] = lambda: refusing
    approval = {"query_id": "degree", "credential_id": ids["qualification"], "claim_ids": ["title"]}
    answer = client.post(
        "/v1/wallet/requests/req_1/response", json={"approvals": [approval]}, headers=auth
    )
    problem(answer, 409, "nonce_reused")
    kinds = [e["kind"] for e in client.get("/v1/wallet/activity", headers=auth).json()["entries"]]
    assert "request_answered" not in kinds and "credential_received" in kinds
