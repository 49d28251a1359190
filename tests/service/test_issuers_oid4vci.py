"""OpenID4VCI grants over time: codes, access tokens and nonces expire; purges keep the FKs."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from issuers import access_tokens
from issuers.access_tokens import (
    PRE_AUTHORIZED_GRANT,
    authorize,
    consume_nonce,
    exchange_pre_authorized_code,
    new_nonce,
    purge_spent_grants,
)
from issuers.errors import InvalidAccessToken, InvalidGrant, InvalidNonce, NonceLimitReached
from issuers.offers import (
    OPENID_OFFER_LIFETIME,
    CredentialOffer,
    create_offer,
    purge_expired_offers,
)
from issuers.organisations import IssuerAccount
from issuers.pre_authorized import pre_authorized_code
from issuers.tables import IssuerAccessToken, IssuerOffer
from tests.service.test_issuers_support import (
    BASE_URL,
    NOW,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
)

KEK = new_kek()


def _offer(session: Session) -> tuple[CredentialOffer, IssuerAccount]:
    issuer = make_issuer(session, KEK).account
    request = replace(request_for("competence", holder_key().public), holder=None)
    offer = create_offer(
        session,
        issuer=issuer,
        request=request,
        idempotency_key="oid4vci",
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
        pre_authorized=True,
        lifetime=OPENID_OFFER_LIFETIME,
    )
    return offer, issuer


def _form(offer: CredentialOffer) -> dict[str, str]:
    assert offer.reference is not None and offer.tx_code is not None
    return {
        "grant_type": PRE_AUTHORIZED_GRANT,
        "pre-authorized_code": pre_authorized_code(offer.reference),
        "tx_code": offer.tx_code,
    }


def test_the_database_keeps_no_code_of_an_openid_offer_in_the_clear(session: Session) -> None:
    offer, _ = _offer(session)
    row = session.exec(select(IssuerOffer)).one()
    stored = repr(row.model_dump())
    assert offer.reference is not None and offer.tx_code is not None
    for secret in (offer.reference, pre_authorized_code(offer.reference), offer.tx_code):
        assert secret not in stored


def test_a_pre_authorized_code_expires_with_its_offer(session: Session) -> None:
    offer, issuer = _offer(session)
    later = NOW + OPENID_OFFER_LIFETIME
    with pytest.raises(InvalidGrant):
        exchange_pre_authorized_code(
            session, issuer=issuer, form=_form(offer), dpop_proof=None, base_url=BASE_URL, now=later
        )


def test_an_access_token_lives_ten_minutes_and_a_nonce_five(session: Session) -> None:
    offer, issuer = _offer(session)
    token = exchange_pre_authorized_code(
        session, issuer=issuer, form=_form(offer), dpop_proof=None, base_url=BASE_URL, now=NOW
    ).access_token
    assert authorize(session, issuer=issuer, token=token, now=NOW + timedelta(minutes=9))
    with pytest.raises(InvalidAccessToken):
        authorize(session, issuer=issuer, token=token, now=NOW + timedelta(minutes=10))
    nonce = new_nonce(session, issuer=issuer, now=NOW)
    with pytest.raises(InvalidNonce):
        consume_nonce(session, issuer=issuer, nonce=nonce, now=NOW + timedelta(minutes=5))
    consume_nonce(session, issuer=issuer, nonce=nonce, now=NOW + timedelta(minutes=4))
    with pytest.raises(InvalidNonce):
        consume_nonce(session, issuer=issuer, nonce=nonce, now=NOW + timedelta(minutes=4))


def test_purging_an_expired_offer_removes_its_access_token_too(session: Session) -> None:
    offer, issuer = _offer(session)
    exchange_pre_authorized_code(
        session, issuer=issuer, form=_form(offer), dpop_proof=None, base_url=BASE_URL, now=NOW
    )
    later = NOW + OPENID_OFFER_LIFETIME + timedelta(seconds=1)
    assert purge_expired_offers(session, now=later) == 1
    assert session.exec(select(IssuerAccessToken)).all() == []
    assert purge_spent_grants(session, now=later) == 0


def test_the_public_nonce_endpoint_keeps_a_bounded_number_of_live_nonces(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, issuer = _offer(session)
    monkeypatch.setattr(access_tokens, "MAX_LIVE_NONCES", 3)
    for _ in range(3):
        new_nonce(session, issuer=issuer, now=NOW)
    with pytest.raises(NonceLimitReached):
        new_nonce(session, issuer=issuer, now=NOW + timedelta(minutes=1))
    assert new_nonce(session, issuer=issuer, now=NOW + timedelta(minutes=5))
