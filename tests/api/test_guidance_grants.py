"""Counsellor access by consent (issue 16): exactly what was granted, live, logged, withdrawable."""

from datetime import UTC, datetime, timedelta
from typing import Any

from api.routers import wallet_deps
from tests.api.guidance_support import (
    ANALYST,
    HELP_DESK,
    PROVIDE_ICT_SUPPORT,
    SOLVE_ICT_PROBLEMS,
    Demo,
    demo,
    ok,
    problem,
)
from wallet.consent import GRANT_CONSENT, SHARE_CONSENT
from wallet.export_encryption import decrypt_export

__all__ = ["demo"]

OFFICE = "demo-employment-office"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"


def credential_of(demo: Demo, auth: dict[str, str], type_slug: str) -> str:
    listed = ok(demo.client.get("/v1/wallet/credentials", headers=auth))["credentials"]
    return str(next(c["id"] for c in listed if c["type"] == type_slug))


def grant(demo: Demo, auth: dict[str, str], **change: Any) -> Any:
    body = {
        "organisation": OFFICE,
        "purpose": "Career guidance at the employment office",
        "profile": True,
        "credential_ids": [],
        "consent_version": GRANT_CONSENT.version,
    } | change
    return demo.client.post("/v1/wallet/grants", json=body, headers=auth)


def read(demo: Demo, grant_id: str, slug: str = OFFICE) -> Any:
    return demo.client.get(f"/v1/verifiers/{slug}/grants/{grant_id}", headers=demo.verifier(slug))


def reads_logged(demo: Demo, auth: dict[str, str]) -> list[Any]:
    entries = ok(demo.client.get("/v1/wallet/activity", headers=auth))["entries"]
    return [e["details"] for e in entries if e["kind"] == "grant_read"]


def test_the_counsellor_reads_exactly_the_granted_profile_credential_and_gap(demo: Demo) -> None:
    aino = demo.person(0)
    work = credential_of(demo, aino, "work_experience")
    ok(demo.client.post("/v1/wallet/goals", json={"occupation_id": HELP_DESK}, headers=aino), 201)
    ok(demo.client.post("/v1/wallet/skills", json={"uri": SOLVE_ICT_PROBLEMS}, headers=aino), 201)
    made = ok(grant(demo, aino, credential_ids=[work]), 201)
    assert made["state"] == "active" and made["organisation_name"].startswith("Esimerkki")

    listed = ok(demo.client.get(f"/v1/verifiers/{OFFICE}/grants", headers=demo.verifier(OFFICE)))
    assert [g["id"] for g in listed["grants"]] == [made["id"]]
    view = ok(read(demo, made["id"]))
    assert [c["credential"]["id"] for c in view["credentials"]] == [work]
    assert view["credentials"][0]["live_status"]["state"] == "valid"
    skills = {s["uri"]: s for s in view["skills"]}
    assert skills[PROVIDE_ICT_SUPPORT]["verified"] is True
    assert skills[PROVIDE_ICT_SUPPORT]["attested_by"] == [work]
    assert skills[SOLVE_ICT_PROBLEMS]["verified"] is False
    assert skills[SOLVE_ICT_PROBLEMS]["self_declared"] is True
    # SQL is attested only by the qualification, which was not granted.
    assert SQL not in skills
    assert all(a == [work] for s in view["skills"] for a in [s["attested_by"]] if a)
    [gap] = view["gaps"]
    assert gap["occupation_id"] == HELP_DESK
    assert [s["uri"] for s in gap["met"]] == [PROVIDE_ICT_SUPPORT]
    assert [s["uri"] for s in gap["declared_only"]] == [SOLVE_ICT_PROBLEMS]
    assert gap["opportunities"][0]["title"] == "IT-tukihenkilön osaamisala"
    assert reads_logged(demo, aino) == [
        {
            "grant_id": made["id"],
            "organisation": made["organisation_name"],
            "read": ["profile", "gaps", work],
            "reads": 1,
        }
    ]


def test_a_grant_of_credentials_only_shows_no_profile_and_no_gaps(demo: Demo) -> None:
    aino = demo.person(0)
    ok(demo.client.post("/v1/wallet/goals", json={"occupation_id": HELP_DESK}, headers=aino), 201)
    qualification = credential_of(demo, aino, "qualification")
    made = ok(grant(demo, aino, profile=False, credential_ids=[qualification]), 201)
    view = ok(read(demo, made["id"]))
    assert view["skills"] is None and view["gaps"] == []
    assert [c["credential"]["id"] for c in view["credentials"]] == [qualification]
    assert reads_logged(demo, aino)[0]["read"] == [qualification]


def test_withdrawal_is_immediate_and_every_read_is_logged(demo: Demo) -> None:
    aino = demo.person(0)
    made = ok(grant(demo, aino), 201)
    ok(read(demo, made["id"]))
    ok(read(demo, made["id"]))
    ok(demo.client.delete(f"/v1/wallet/grants/{made['id']}", headers=aino), 204)
    problem(read(demo, made["id"]), 410, "grant_withdrawn")
    listed = ok(demo.client.get(f"/v1/verifiers/{OFFICE}/grants", headers=demo.verifier(OFFICE)))
    assert listed["grants"] == []
    assert len(reads_logged(demo, aino)) == 2
    mine = ok(demo.client.get("/v1/wallet/grants", headers=aino))["grants"]
    assert [(g["id"], g["state"]) for g in mine] == [(made["id"], "withdrawn")]


def test_a_grant_lasts_three_months_by_default_and_is_refused_once_it_ends(demo: Demo) -> None:
    aino = demo.person(0)
    made = ok(grant(demo, aino), 201)
    created = datetime.fromisoformat(made["created_at"])
    assert timedelta(days=89) <= datetime.fromisoformat(made["expires_at"]) - created
    assert datetime.fromisoformat(made["expires_at"]) - created <= timedelta(days=92)
    short = ok(grant(demo, aino, expires_at=(created + timedelta(days=1)).isoformat()), 201)
    later = datetime.now(UTC) + timedelta(days=2)
    demo.client.app.dependency_overrides[wallet_deps.current_time] = lambda: later  # type: ignore[attr-defined]
    try:
        problem(read(demo, short["id"]), 410, "grant_expired")
        ok(read(demo, made["id"]))
    finally:
        del demo.client.app.dependency_overrides[wallet_deps.current_time]  # type: ignore[attr-defined]


def test_a_revoked_credentials_skill_is_no_longer_verified_for_the_counsellor(demo: Demo) -> None:
    aino = demo.person(0)
    work = credential_of(demo, aino, "work_experience")
    made = ok(grant(demo, aino, credential_ids=[work]), 201)
    assert {s["uri"]: s for s in ok(read(demo, made["id"]))["skills"]}[PROVIDE_ICT_SUPPORT][
        "verified"
    ]
    demo.revoke_work_certificates()
    view = ok(read(demo, made["id"]))
    assert view["skills"] == []
    assert view["credentials"][0]["live_status"]["state"] == "invalid"


def test_grant_rules_are_problems_and_change_nothing(demo: Demo) -> None:
    aino, mikko = demo.person(0), demo.person(1)
    far = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    problem(grant(demo, aino, organisation="demo-employer"), 404, "guidance_organisation_not_found")
    problem(grant(demo, aino, organisation="nobody"), 404, "guidance_organisation_not_found")
    problem(grant(demo, aino, consent_version="grant-1999"), 422, "grant_invalid")
    problem(grant(demo, aino, expires_at=far), 422, "grant_invalid")
    problem(grant(demo, aino, expires_at=past), 422, "grant_invalid")
    problem(grant(demo, aino, profile=False), 422, "grant_invalid")
    theirs = credential_of(demo, mikko, "qualification")
    problem(grant(demo, aino, credential_ids=[theirs]), 404, "credential_not_found")
    assert ok(demo.client.get("/v1/wallet/grants", headers=aino))["grants"] == []
    assert ok(demo.client.get("/v1/wallet/consent-receipts", headers=aino))["receipts"] == []
    made = ok(grant(demo, mikko), 201)
    problem(
        demo.client.delete(f"/v1/wallet/grants/{made['id']}", headers=aino), 404, "grant_not_found"
    )
    problem(read(demo, made["id"], slug="demo-employer"), 404, "grant_not_found")
    listed = demo.client.get(
        "/v1/verifiers/demo-employer/grants", headers=demo.verifier("demo-employer")
    )
    assert ok(listed)["grants"] == []


def test_consent_receipts_for_grants_and_shares_are_shown_and_exported(demo: Demo) -> None:
    aino = demo.person(0)
    work = credential_of(demo, aino, "work_experience")
    made = ok(grant(demo, aino, credential_ids=[work]), 201)
    share = {
        "credentials": [{"credential_id": work, "claims": [["role", "title"]]}],
        "audience": "anyone",
        "purpose": "Job application",
    }
    ok(demo.client.post("/v1/wallet/shares", json=share, headers=aino), 201)
    receipts = ok(demo.client.get("/v1/wallet/consent-receipts", headers=aino))["receipts"]
    by_kind = {r["kind"]: r for r in receipts}
    assert by_kind["grant"]["subject_id"] == made["id"]
    assert by_kind["grant"]["recipient"] == made["organisation_name"]
    assert by_kind["grant"]["what"] == {"profile": True, "credential_ids": [work]}
    assert by_kind["grant"]["consent_version"] == GRANT_CONSENT.version
    assert by_kind["grant"]["valid_until"] == made["expires_at"]
    assert by_kind["share"]["purpose"] == "Job application"
    assert by_kind["share"]["consent_version"] == SHARE_CONSENT.version
    terms = ok(demo.client.get("/v1/wallet/grants/terms", headers=aino | {"Accept-Language": "fi"}))
    assert terms["version"] == GRANT_CONSENT.version and terms["text"].startswith("Annan")
    password = demo.credentials.people[0].password
    passphrase = "a long export passphrase"
    envelope = ok(
        demo.client.post(
            "/v1/wallet/export",
            json={"password": password, "passphrase": passphrase},
            headers=aino,
        )
    )
    exported = decrypt_export(envelope, passphrase=passphrase)
    assert sorted(r["kind"] for r in exported["consent_receipts"]) == ["grant", "share"]
    assert [g["id"] for g in exported["grants"]] == [made["id"]]


def test_grant_routes_need_the_right_credentials(demo: Demo) -> None:
    bad = {"Authorization": "Bearer tat_not-a-token"}
    for method, path in [
        ("GET", "/v1/wallet/grants"),
        ("POST", "/v1/wallet/grants"),
        ("DELETE", "/v1/wallet/grants/gra_x"),
        ("GET", "/v1/wallet/grants/terms"),
        ("GET", "/v1/wallet/grants/organisations"),
        ("GET", "/v1/wallet/consent-receipts"),
    ]:
        for headers in ({}, bad, demo.verifier(OFFICE)):
            answer = demo.client.request(method, path, headers=headers, json={})
            assert answer.status_code == 401, (method, path, answer.text)
    for path in (f"/v1/verifiers/{OFFICE}/grants", f"/v1/verifiers/{OFFICE}/grants/gra_x"):
        for headers in ({}, {"Authorization": "Bearer tvk_wrong"}, demo.person(0)):
            assert demo.client.get(path, headers=headers).status_code == 401, path
        problem(
            demo.client.get(path, headers=demo.verifier("demo-employer")), 404, "verifier_not_found"
        )
    organisations = ok(demo.client.get("/v1/wallet/grants/organisations", headers=demo.person(0)))
    assert [o["slug"] for o in organisations["organisations"]] == [OFFICE]


def test_the_name_a_person_gives_reaches_the_service_and_the_receipt_and_a_long_one_is_refused(
    demo: Demo,
) -> None:
    aino = demo.person(0)
    made = ok(grant(demo, aino, label="  Aino K.  "), 201)
    assert made["label"] == "Aino K."
    [listed] = ok(demo.client.get(f"/v1/verifiers/{OFFICE}/grants", headers=demo.verifier(OFFICE)))[
        "grants"
    ]
    assert listed["label"] == "Aino K."
    [receipt] = ok(demo.client.get("/v1/wallet/consent-receipts", headers=aino))["receipts"]
    assert receipt["what"]["label"] == "Aino K."
    problem(grant(demo, aino, label="x" * 101), 422, "validation_failed")
    unnamed = ok(grant(demo, aino), 201)
    assert unnamed["label"] == ""
    assert len(ok(demo.client.get("/v1/wallet/grants", headers=aino))["grants"]) == 2


def test_the_counsellor_may_ask_for_the_gap_to_another_occupation_and_an_unknown_one_reads_nothing(
    demo: Demo,
) -> None:
    aino = demo.person(0)
    ok(demo.client.post("/v1/wallet/goals", json={"occupation_id": HELP_DESK}, headers=aino), 201)
    made = ok(grant(demo, aino), 201)
    path = f"/v1/verifiers/{OFFICE}/grants/{made['id']}"
    office = demo.verifier(OFFICE)
    view = ok(demo.client.get(path, params={"occupation": ANALYST}, headers=office))
    assert [g["occupation_id"] for g in view["gaps"]] == [HELP_DESK, ANALYST]
    view = ok(demo.client.get(path, params={"occupation": HELP_DESK}, headers=office))
    assert [g["occupation_id"] for g in view["gaps"]] == [HELP_DESK]
    problem(
        demo.client.get(path, params={"occupation": "not-one"}, headers=office),
        404,
        "occupation_not_found",
    )
    assert len(reads_logged(demo, aino)) == 2
