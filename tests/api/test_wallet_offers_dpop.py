"""Taito's wallet uses DPoP (RFC 9449) when the issuer's authorization server advertises it.

Taito's own college advertises ``dpop_signing_alg_values_supported``, so the wallet's token is
bound to a fresh DPoP key and the credential request carries a proof of it; an issuer that does
not advertise DPoP (the independent issuer of ``tests/interop``) still gets Bearer requests.
"""

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from issuers.tables import IssuerAccessToken
from tests.api import test_wallet_offers
from tests.api.test_end_to_end import ok, qualification

served = test_wallet_offers.served
wallet = test_wallet_offers.wallet


def test_the_wallet_binds_its_token_to_a_dpop_key_when_the_issuer_offers_dpop(
    wallet: dict[str, Any], clean_engine: Engine
) -> None:
    client, person = wallet["client"], wallet["person"]
    offer = ok(
        client.post(
            "/v1/issuers/college/offers",
            json={"type": "qualification", "claims": qualification()},
            headers={**wallet["issuer"], "Idempotency-Key": "w-dpop"},
        ),
        201,
    )
    body = {"offer_link": offer["offer_link"], "tx_code": offer["tx_code"]}
    stored = ok(client.post("/v1/wallet/offers/accept", json=body, headers=person), 201)
    assert stored["type"] == "qualification"
    with Session(clean_engine) as session:
        (token,) = session.exec(select(IssuerAccessToken)).all()
    assert token.used_at is not None
    assert token.dpop_jkt is not None and len(token.dpop_jkt) == 43
