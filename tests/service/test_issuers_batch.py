"""Batch issuance: partial success, idempotency as a whole, and no half-issued item."""

from typing import Any

import pytest
from sqlmodel import Session, col, select

from issuers import issuance
from issuers.batch import MAX_BATCH, InvalidItem, issue_batch
from issuers.errors import BatchTooLarge, Violation
from issuers.identifiers import issuer_identifier
from issuers.issuance_input import CredentialRequest
from issuers.tables import IssuerCredential, IssuerIdempotency, IssuerPickup
from tests.service.test_issuers_support import (
    BASE_URL,
    HETU,
    NOW,
    SAMPLE_CLAIMS,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
    verify_issued,
)

KEK = new_kek()


def _batch(
    session: Session, issuer: Any, items: list[CredentialRequest | InvalidItem], key: str = "b-1"
) -> Any:
    return issue_batch(
        session,
        issuer=issuer,
        requests=items,
        idempotency_key=key,
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )


def _register(session: Session, issuer_id: str) -> list[IssuerCredential]:
    return list(
        session.exec(
            select(IssuerCredential).where(col(IssuerCredential.issuer_id) == issuer_id)
        ).all()
    )


def test_valid_items_are_issued_while_invalid_ones_get_a_problem(session: Session) -> None:
    created = make_issuer(session, KEK, types=["qualification", "competence"])
    bad_claims = {**SAMPLE_CLAIMS["competence"], "evidence": HETU}
    items: list[CredentialRequest | InvalidItem] = [
        request_for("competence", holder_key().public),
        request_for("competence", holder_key().public, claims=bad_claims),
        request_for("work_experience", holder_key().public),
        InvalidItem(raw={"type": 1}, violations=(Violation("/type", "must be a string"),)),
        request_for("qualification", holder_key().public, fmt="vc+jwt"),
    ]
    result = _batch(session, created.account, items)
    assert [item.index for item in result.items] == [0, 1, 2, 3, 4]
    assert (result.issued, result.failed) == (2, 3)
    codes = [None if i.problem is None else i.problem["code"] for i in result.items]
    assert codes == [
        None,
        "personal_identity_code_refused",
        "type_not_accredited",
        "batch_item_invalid",
        None,
    ]
    assert result.items[1].problem["errors"] == [
        {"pointer": "/claims/evidence", "message": result.items[1].problem["errors"][0]["message"]}
    ]
    assert result.items[3].problem["errors"] == [
        {"pointer": "/type", "message": "must be a string"}
    ]
    assert result.items[2].problem["status"] == 403
    identifier = issuer_identifier(BASE_URL, created.account.slug)
    verify_issued(session, created.account.id, identifier, result.items[0].credential.credential)
    assert {row.id for row in _register(session, created.account.id)} == {
        result.items[0].credential.id,
        result.items[4].credential.id,
    }


def test_a_batch_is_idempotent_as_a_whole(session: Session) -> None:
    created = make_issuer(session, KEK)
    items: list[CredentialRequest | InvalidItem] = [
        request_for("competence", holder_key().public) for _ in range(5)
    ]
    first = _batch(session, created.account, items)
    again = _batch(session, created.account, items)
    assert again == first
    assert len(_register(session, created.account.id)) == 5


def test_every_item_gets_its_own_random_status_index(session: Session) -> None:
    created = make_issuer(session, KEK)
    items: list[CredentialRequest | InvalidItem] = [
        request_for("competence", holder_key().public) for _ in range(200)
    ]
    result = _batch(session, created.account, items)
    indices = {item.credential.status["idx"] for item in result.items}
    assert len(indices) == 200
    assert indices != set(range(min(indices), min(indices) + 200))


def test_an_interrupted_batch_leaves_no_half_issued_item_and_can_be_retried(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = make_issuer(session, KEK)
    items: list[CredentialRequest | InvalidItem] = [
        request_for("competence", holder_key().public) for _ in range(40)
    ]
    original = issuance._Signer.sign
    calls = {"n": 0}

    def failing_sign(self: Any, item: Any, slot: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 25:
            raise RuntimeError("injected failure half-way through the batch")
        return original(self, item, slot)

    pickups_before = len(session.exec(select(IssuerPickup.code_hash)).all())
    monkeypatch.setattr(issuance._Signer, "sign", failing_sign)
    with pytest.raises(RuntimeError, match="injected"):
        _batch(session, created.account, items)
    assert _register(session, created.account.id) == []
    assert len(session.exec(select(IssuerPickup.code_hash)).all()) == pickups_before
    keys = session.exec(
        select(IssuerIdempotency).where(col(IssuerIdempotency.issuer_id) == created.account.id)
    ).all()
    assert keys == []

    monkeypatch.setattr(issuance._Signer, "sign", original)
    result = _batch(session, created.account, items)
    assert result.issued == 40
    register = _register(session, created.account.id)
    assert len(register) == 40
    assert all(row.digest and row.list_id for row in register)


@pytest.mark.parametrize("count", [0, MAX_BATCH + 1])
def test_rejects_an_empty_or_oversized_batch(session: Session, count: int) -> None:
    created = make_issuer(session, KEK)
    request = request_for("competence", holder_key().public)
    with pytest.raises(BatchTooLarge) as caught:
        _batch(session, created.account, [request] * count)
    assert caught.value.code == "batch_too_large"
