"""Credential offers: issued without the holder's key, bound to the key and signed at pickup."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from credentials.jws import parse_compact, payload_object
from credentials.keys import public_key_from_jwk
from credentials.sd_jwt import split_sd_jwt
from issuers.errors import (
    ClaimsInvalid,
    HolderBindingInvalid,
    PickupCodeExpired,
    PickupCodeUnknown,
    PickupCodeUsed,
)
from issuers.issuance import issue_credential
from issuers.issuance_input import HolderBinding
from issuers.offers import (
    OFFER_LIFETIME,
    CredentialOffer,
    create_offer,
    normalize_offer_code,
    purge_expired_offers,
    redeem_offer,
)
from issuers.register import list_issued_credentials
from issuers.tables import IssuerOffer
from tests.service.test_issuers_support import (
    BASE_URL,
    NOW,
    SAMPLE_CLAIMS,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
)

KEK = new_kek()


def _offer(session: Session, key: str = "offer-1") -> tuple[CredentialOffer, str]:
    created = make_issuer(session, KEK)
    request = replace(request_for("competence", holder_key().public), holder=None)
    offer = create_offer(
        session,
        issuer=created.account,
        request=request,
        idempotency_key=key,
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    return offer, created.account.id


def _cnf_jwk(credential: str) -> dict[str, object]:
    issuer_jwt = split_sd_jwt(credential).issuer_jwt
    payload = payload_object(parse_compact(issuer_jwt))
    cnf = payload["cnf"]
    assert isinstance(cnf, dict)
    jwk = cnf["jwk"]
    assert isinstance(jwk, dict)
    return jwk


def test_an_offer_signs_nothing_until_redeemed_then_binds_the_wallets_key(
    session: Session,
) -> None:
    offer, issuer_id = _offer(session)
    register = list_issued_credentials(
        session,
        issuer_id=issuer_id,
        type=None,
        status=None,
        issued_after=None,
        issued_before=None,
        limit=10,
        cursor=None,
    )
    assert register.items == ()
    wallet_key = holder_key()
    issued = redeem_offer(
        session,
        code=offer.pickup_code,
        holder=HolderBinding(jwk=wallet_key.public.jwk),
        kek=KEK,
        base_url=BASE_URL,
        now=NOW + timedelta(days=1),
    )
    assert (
        public_key_from_jwk(_cnf_jwk(issued.credential)).thumbprint == wallet_key.public.thumbprint
    )
    assert issued.type == "competence" and issued.issued_at == NOW + timedelta(days=1)
    row = session.exec(select(IssuerOffer).where(col(IssuerOffer.id) == offer.id)).one()
    assert row.credential_id == issued.id and row.sealed_request is None


def test_the_code_is_read_ignoring_case_spaces_and_dashes(session: Session) -> None:
    offer, _ = _offer(session)
    typed = " " + offer.pickup_code.lower().replace("-", " - ") + " "
    assert normalize_offer_code(typed) == offer.pickup_code.replace("-", "")
    issued = redeem_offer(
        session,
        code=typed,
        holder=HolderBinding(jwk=holder_key().public.jwk),
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    assert issued.credential


def test_an_offer_is_redeemed_once(session: Session) -> None:
    offer, _ = _offer(session)
    binding = HolderBinding(jwk=holder_key().public.jwk)
    redeem_offer(
        session, code=offer.pickup_code, holder=binding, kek=KEK, base_url=BASE_URL, now=NOW
    )
    with pytest.raises(PickupCodeUsed) as caught:
        redeem_offer(
            session, code=offer.pickup_code, holder=binding, kek=KEK, base_url=BASE_URL, now=NOW
        )
    assert caught.value.status == 410


def test_a_refusing_wallet_leaves_the_offer_usable_and_the_register_empty(
    session: Session,
) -> None:
    offer, issuer_id = _offer(session)
    binding = HolderBinding(jwk=holder_key().public.jwk)

    def refuse(credential: str) -> None:
        raise ClaimsInvalid([])

    with pytest.raises(ClaimsInvalid):
        redeem_offer(
            session,
            code=offer.pickup_code,
            holder=binding,
            kek=KEK,
            base_url=BASE_URL,
            now=NOW,
            deliver=refuse,
        )
    page = list_issued_credentials(
        session,
        issuer_id=issuer_id,
        type=None,
        status=None,
        issued_after=None,
        issued_before=None,
        limit=10,
        cursor=None,
    )
    assert page.items == ()
    assert redeem_offer(
        session, code=offer.pickup_code, holder=binding, kek=KEK, base_url=BASE_URL, now=NOW
    ).credential


def test_an_expired_or_unknown_offer_code_is_refused(session: Session) -> None:
    offer, _ = _offer(session)
    binding = HolderBinding(jwk=holder_key().public.jwk)
    with pytest.raises(PickupCodeExpired):
        redeem_offer(
            session,
            code=offer.pickup_code,
            holder=binding,
            kek=KEK,
            base_url=BASE_URL,
            now=NOW + OFFER_LIFETIME + timedelta(seconds=1),
        )
    for code in ("AAAA-AAAA-AAAA-AAAA-AAAA", "too short", "tpc_" + "x" * 43):
        with pytest.raises(PickupCodeUnknown):
            redeem_offer(session, code=code, holder=binding, kek=KEK, base_url=BASE_URL, now=NOW)


def test_the_offer_row_holds_neither_the_code_nor_the_claims(session: Session) -> None:
    offer, _ = _offer(session)
    row = session.exec(select(IssuerOffer).where(col(IssuerOffer.id) == offer.id)).one()
    assert row.sealed_request is not None
    plain = offer.pickup_code.replace("-", "")
    assert plain not in row.code_hash
    family_name = SAMPLE_CLAIMS["competence"]["family_name"].encode()
    assert family_name not in row.sealed_request and plain.encode() not in row.sealed_request


def test_an_offer_with_invalid_claims_is_refused_at_once(session: Session) -> None:
    created = make_issuer(session, KEK)
    request = replace(request_for("competence", holder_key().public, claims={}), holder=None)
    with pytest.raises(ClaimsInvalid):
        create_offer(
            session,
            issuer=created.account,
            request=request,
            idempotency_key="bad",
            kek=KEK,
            base_url=BASE_URL,
            now=NOW,
        )


def test_issuing_without_a_holder_key_still_requires_one(session: Session) -> None:
    created = make_issuer(session, KEK)
    request = replace(request_for("competence", holder_key().public), holder=None)
    with pytest.raises(HolderBindingInvalid):
        issue_credential(
            session,
            issuer=created.account,
            request=request,
            idempotency_key="direct",
            kek=KEK,
            base_url=BASE_URL,
            now=NOW,
        )


def test_the_same_idempotency_key_answers_the_same_offer(session: Session) -> None:
    created = make_issuer(session, KEK)
    request = replace(request_for("competence", holder_key().public), holder=None)
    first, again = (
        create_offer(
            session,
            issuer=created.account,
            request=request,
            idempotency_key="same",
            kek=KEK,
            base_url=BASE_URL,
            now=NOW,
        )
        for _ in range(2)
    )
    assert first == again


def test_expired_unredeemed_offers_are_purged_with_their_sealed_claims(session: Session) -> None:
    kept, _ = _offer(session, "kept")
    redeem_offer(
        session,
        code=kept.pickup_code,
        holder=HolderBinding(jwk=holder_key().public.jwk),
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    lapsed, _ = _offer(session, "lapsed")
    assert purge_expired_offers(session, now=NOW + OFFER_LIFETIME) >= 1
    remaining = {row.id for row in session.exec(select(IssuerOffer)).all()}
    assert kept.id in remaining and lapsed.id not in remaining
