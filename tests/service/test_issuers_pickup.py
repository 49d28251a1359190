"""Pickup codes: one redemption, expiry, and nothing readable at rest."""

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from issuers.errors import PickupCodeExpired, PickupCodeUnknown, PickupCodeUsed
from issuers.issuance import IssuedCredential, issue_credential
from issuers.pickup import (
    PICKUP_LIFETIME,
    claim_pickup_code,
    purge_expired_pickups,
)
from issuers.tables import IssuerPickup
from tests.service.test_issuers_support import (
    BASE_URL,
    NOW,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
)

KEK = new_kek()


def _issued(session: Session) -> IssuedCredential:
    created = make_issuer(session, KEK)
    return issue_credential(
        session,
        issuer=created.account,
        request=request_for("competence", holder_key().public),
        idempotency_key="pickup",
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )


def test_a_pickup_code_returns_the_credential_as_issued_once(session: Session) -> None:
    issued = _issued(session)
    assert claim_pickup_code(session, code=issued.pickup_code, now=NOW) == issued.credential
    with pytest.raises(PickupCodeUsed) as caught:
        claim_pickup_code(session, code=issued.pickup_code, now=NOW)
    assert caught.value.code == "pickup_code_used" and caught.value.status == 410
    row = session.exec(
        select(IssuerPickup).where(col(IssuerPickup.credential_id) == issued.id)
    ).one()
    assert row.sealed_credential is None and row.redeemed_at is not None


def test_an_expired_pickup_code_is_refused(session: Session) -> None:
    issued = _issued(session)
    later = NOW + PICKUP_LIFETIME + timedelta(seconds=1)
    with pytest.raises(PickupCodeExpired) as caught:
        claim_pickup_code(session, code=issued.pickup_code, now=later)
    assert caught.value.code == "pickup_code_expired" and caught.value.status == 410


@pytest.mark.parametrize("code", ["tpc_unknown", "not-a-code", "tpc_" + "x" * 200])
def test_an_unknown_pickup_code_is_refused(session: Session, code: str) -> None:
    _issued(session)
    with pytest.raises(PickupCodeUnknown) as caught:
        claim_pickup_code(session, code=code, now=NOW)
    assert caught.value.code == "pickup_code_unknown" and caught.value.status == 404


def test_the_pickup_row_holds_neither_the_code_nor_the_credential(session: Session) -> None:
    issued = _issued(session)
    row = session.exec(
        select(IssuerPickup).where(col(IssuerPickup.credential_id) == issued.id)
    ).one()
    assert issued.pickup_code not in row.code_hash
    assert row.sealed_credential is not None
    assert issued.credential.encode()[:40] not in row.sealed_credential


def test_expired_pickups_are_purged(session: Session) -> None:
    issued = _issued(session)
    purge_expired_pickups(session, now=NOW + PICKUP_LIFETIME + timedelta(seconds=1))
    with pytest.raises(PickupCodeUnknown):
        claim_pickup_code(session, code=issued.pickup_code, now=NOW)


def test_a_claim_rolled_back_by_its_caller_leaves_the_code_usable(session: Session) -> None:
    issued = _issued(session)
    assert claim_pickup_code(session, code=issued.pickup_code, now=NOW) == issued.credential
    session.rollback()
    assert claim_pickup_code(session, code=issued.pickup_code, now=NOW) == issued.credential
    session.commit()
    with pytest.raises(PickupCodeUsed):
        claim_pickup_code(session, code=issued.pickup_code, now=NOW)
