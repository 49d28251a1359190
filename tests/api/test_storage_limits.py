"""Every stored item, every account's storage and every page of a listing is bounded, in bytes as
well as in count; what does not fit is a 4xx that changes nothing."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.listings import WALLET_ACTIVITY, WALLET_CREDENTIALS
from api.routers.wallet_models import CredentialOut
from credentials.keys import generate_key
from tests.api.demo_world import DemoWorld, demo_world
from tests.api.test_foundation import assert_problem
from tests.service.test_wallet_support import competence_claims
from wallet import limits
from wallet.activity import ActivityKind, append_activity
from wallet.errors import StoredItemTooLarge
from wallet.export_encryption import ExportKDF, decrypt_export, encrypt_export
from wallet.tables import WalletActivity, WalletHolderKey
from wallet.vault import open_vault


@pytest.fixture
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    with demo_world(tmp_path_factory.mktemp("limits")) as built:
        yield built


def holder_id(world: DemoWorld) -> str:
    return world.demo.people[0].holder_id


PASSPHRASE = "a passphrase for the test export"
CHEAP_KDF = ExportKDF(iterations=1, lanes=1, memory_kib=64)


def export(world: DemoWorld) -> dict[str, Any]:
    """The person's export, opened: the document an import carries (encrypted)."""
    password = world.demo.people[0].password
    response = world.client.post(
        "/v1/wallet/export",
        json={"password": password, "passphrase": PASSPHRASE},
        headers=world.person,
    )
    assert response.status_code == 200
    return decrypt_export(response.json(), passphrase=PASSPHRASE)


def import_body(bundle: dict[str, Any]) -> dict[str, Any]:
    """An import request carrying ``bundle`` encrypted under the test passphrase."""
    envelope = encrypt_export(bundle, passphrase=PASSPHRASE, kdf=CHEAP_KDF)
    return {"passphrase": PASSPHRASE, "export": envelope}


def rows(engine: Engine, holder: str) -> list[WalletActivity]:
    with Session(engine) as session:
        statement = select(WalletActivity).where(col(WalletActivity.holder_id) == holder)
        return list(session.exec(statement))


def test_an_11_mb_import_stores_a_bounded_entry_and_the_activity_page_stays_small(
    world: DemoWorld,
) -> None:
    bundle = export(world)
    entry = {"seq": 1, "kind": "share_viewed", "details": {"viewer": "x" * 1000}}
    # About 11 MB of previous activity: encrypted and base64url-encoded it stays under the
    # 16 MiB import body limit.
    bundle["activity"] = [entry] * 11_000
    body = json.dumps(import_body(bundle)).encode()
    assert len(body) > 14_000_000
    imported = world.client.post(
        "/v1/wallet/import",
        content=body,
        headers={**world.person, "content-type": "application/json"},
    )
    assert imported.status_code == 200, imported.text[:300]
    page = world.client.get("/v1/wallet/activity", params={"limit": 5}, headers=world.person)
    assert page.status_code == 200
    assert len(page.content) < 64 * 1024
    newest = page.json()["entries"][0]
    assert newest["kind"] == "wallet_imported"
    assert newest["details"]["previous_activity_entries"] == 11_000
    kept = newest["details"]["previous_activity"]
    assert 0 < len(kept) < 15 and kept[-1] == entry
    assert max(len(r.sealed_details) for r in rows(world.engine, holder_id(world))) < 20_000


def test_an_activity_entry_above_the_entry_bound_is_refused_and_changes_nothing(
    world: DemoWorld,
) -> None:
    before = len(rows(world.engine, holder_id(world)))
    with Session(world.engine) as session:
        vault = open_vault(session, holder_id=holder_id(world), kek=world.app.state.kek)
        with pytest.raises(StoredItemTooLarge) as refused:
            append_activity(
                session,
                vault=vault,
                kind=ActivityKind.SHARE_VIEWED,
                details={"viewer": "x" * (limits.ACTIVITY_DETAILS_MAX_BYTES + 1)},
                kek=world.app.state.kek,
                now=datetime.now(UTC),
            )
        session.rollback()
    assert refused.value.status == 413
    assert len(rows(world.engine, holder_id(world))) == before


def test_activity_pages_stop_at_the_byte_bound_and_say_where_to_go_on(world: DemoWorld) -> None:
    with Session(world.engine) as session:
        vault = open_vault(session, holder_id=holder_id(world), kek=world.app.state.kek)
        for _ in range(80):
            append_activity(
                session,
                vault=vault,
                kind=ActivityKind.SHARE_VIEWED,
                details={"viewer": "v" * 15_000},
                kek=world.app.state.kek,
                now=datetime.now(UTC),
            )
        session.commit()
    total = len(rows(world.engine, holder_id(world)))
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 500}
    while True:
        page = world.client.get("/v1/wallet/activity", params=params, headers=world.person)
        assert page.status_code == 200
        assert len(page.content) <= WALLET_ACTIVITY.max_bytes + 4096
        seen += [e["seq"] for e in page.json()["entries"]]
        if page.json()["next_before"] is None:
            break
        params = {"limit": 500, "before": page.json()["next_before"]}
    assert seen == list(range(total, 0, -1))


def test_an_import_adding_more_holder_keys_than_a_wallet_holds_is_refused_and_adds_none(
    world: DemoWorld,
) -> None:
    bundle = export(world)
    bundle["holder_keys"] = [generate_key("ES256").private_jwk for _ in range(20)]
    with Session(world.engine) as session:
        statement = select(WalletHolderKey).where(
            col(WalletHolderKey.holder_id) == holder_id(world)
        )
        before = len(list(session.exec(statement)))
    response = world.client.post(
        "/v1/wallet/import", json=import_body(bundle), headers=world.person
    )
    assert_problem(response, 409, "wallet_full")
    with Session(world.engine) as session:
        assert len(list(session.exec(statement))) == before


def _issue_for_person(world: DemoWorld) -> str:
    binding = world.client.get("/v1/wallet/binding", headers=world.person).json()
    claims = {**competence_claims(), "assessment_method": "portfolio"}
    issued = world.client.post(
        f"/v1/issuers/{world.issuer_slug}/credentials",
        json={"type": "competence", "claims": claims, "holder": {"did": binding["did"]}},
        headers={**world.issuer, "Idempotency-Key": "limits-1"},
    )
    assert issued.status_code == 201, issued.text
    credential: str = issued.json()["credential"]
    return credential


def test_a_credential_beyond_the_wallet_count_is_refused_and_not_stored(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    credential = _issue_for_person(world)
    held = world.client.get("/v1/wallet/credentials", headers=world.person).json()["credentials"]
    monkeypatch.setattr(limits, "CREDENTIALS_MAX", len(held))
    response = world.client.post(
        "/v1/wallet/credentials", json={"credential": credential}, headers=world.person
    )
    assert_problem(response, 409, "wallet_full")
    after = world.client.get("/v1/wallet/credentials", headers=world.person).json()
    assert after["credentials"] == held


def test_a_credential_beyond_the_wallet_storage_is_refused(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    credential = _issue_for_person(world)
    monkeypatch.setattr(limits, "CREDENTIAL_STORAGE_MAX_BYTES", 1000)
    response = world.client.post(
        "/v1/wallet/credentials", json={"credential": credential}, headers=world.person
    )
    assert_problem(response, 409, "wallet_full")


def test_an_imported_credential_above_the_item_bound_is_rejected_not_stored(
    world: DemoWorld,
) -> None:
    bundle = export(world)
    bundle["holder_keys"] = []
    bundle["credentials"] = [{"credential": "e" * (limits.CREDENTIAL_MAX_CHARS + 1)}]
    response = world.client.post(
        "/v1/wallet/import", json=import_body(bundle), headers=world.person
    )
    assert response.status_code == 200, response.text[:300]
    report = response.json()
    assert report["imported"] == 0
    assert [r["code"] for r in report["rejected"]] == ["credential_too_large"]


def test_a_declared_skill_beyond_the_wallet_count_is_refused(
    world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared = world.client.get("/v1/wallet/skills", headers=world.person).json()["skills"]
    monkeypatch.setattr(limits, "DECLARED_SKILLS_MAX", len(declared))
    response = world.client.post(
        "/v1/wallet/skills",
        json={"uri": "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"},
        headers=world.person,
    )
    assert_problem(response, 409, "wallet_full")
    assert world.client.get("/v1/wallet/skills", headers=world.person).json()["skills"] == declared


def test_a_listed_title_is_bounded(world: DemoWorld) -> None:
    binding = world.client.get("/v1/wallet/binding", headers=world.person).json()
    claims = {**competence_claims(), "skill": {**competence_claims()["skill"], "label": "L" * 300}}
    issued = world.client.post(
        f"/v1/issuers/{world.issuer_slug}/credentials",
        json={"type": "competence", "claims": claims, "holder": {"did": binding["did"]}},
        headers={**world.issuer, "Idempotency-Key": "limits-title"},
    )
    assert issued.status_code == 201, issued.text
    received = world.client.post(
        "/v1/wallet/credentials",
        json={"credential": issued.json()["credential"]},
        headers=world.person,
    )
    assert received.status_code == 201, received.text
    assert len(received.json()["title"]) == limits.TITLE_MAX_CHARS


def test_a_full_wallet_lists_its_credentials_within_the_listing_bound() -> None:
    # The widest summary a stored credential can have: every field at its bound, in 3-byte text.
    wide = "€"
    widest = CredentialOut(
        id="wcr_" + "0" * 32,
        format="dc+sd-jwt",
        type=wide * 64,
        vct=wide * limits.IDENTIFIER_MAX_CHARS,
        type_name=wide * limits.IDENTIFIER_MAX_CHARS,
        issuer=wide * limits.IDENTIFIER_MAX_CHARS,
        issuer_name=wide * 200,
        title=wide * limits.TITLE_MAX_CHARS,
        received_at=datetime.now(UTC),
        valid_until=datetime.now(UTC),
    )
    item = len(widest.model_dump_json().encode()) + 1
    assert item * limits.CREDENTIALS_MAX <= WALLET_CREDENTIALS.max_bytes


def test_an_issuer_identifier_too_long_to_list_is_refused() -> None:
    with pytest.raises(StoredItemTooLarge):
        limits.check_listed_identifiers(
            "https://issuer.example/" + "x" * limits.IDENTIFIER_MAX_CHARS
        )
    limits.check_listed_identifiers("https://issuer.example/college")
