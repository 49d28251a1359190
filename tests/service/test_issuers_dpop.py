"""The DPoP replay store (RFC 9449 §11.1): one use per key and ``jti``, bounded, purged."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from credentials.dpop import DPoPProof
from issuers import dpop
from issuers.access_tokens import purge_spent_grants
from issuers.dpop import remember_proof
from issuers.errors import DPoPProofLimitReached, InvalidDPoPProof
from issuers.tables import IssuerDPoPProof
from tests.service.test_issuers_support import NOW, make_issuer, new_kek

KEK = new_kek()


def _proof(jti: str, jkt: str = "k" * 43) -> DPoPProof:
    return DPoPProof(jkt=jkt, jti=jti, iat=int(NOW.timestamp()))


def test_a_jti_is_taken_once_per_key_and_kept_as_a_hash(session: Session) -> None:
    issuer = make_issuer(session, KEK).account
    remember_proof(
        session, issuer_id=issuer.id, proof=_proof("j1"), now=NOW, refuse=InvalidDPoPProof
    )
    with pytest.raises(InvalidDPoPProof):
        remember_proof(
            session, issuer_id=issuer.id, proof=_proof("j1"), now=NOW, refuse=InvalidDPoPProof
        )
    # Another key may happen to use the same jti.
    other = _proof("j1", jkt="o" * 43)
    remember_proof(session, issuer_id=issuer.id, proof=other, now=NOW, refuse=InvalidDPoPProof)
    rows = session.exec(select(IssuerDPoPProof)).all()
    assert len(rows) == 2 and all("j1" not in row.jti_hash for row in rows)


def test_the_store_is_bounded_per_issuer(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dpop, "MAX_LIVE_PROOFS", 2)
    issuer = make_issuer(session, KEK).account
    for jti in ("a", "b"):
        remember_proof(
            session, issuer_id=issuer.id, proof=_proof(jti), now=NOW, refuse=InvalidDPoPProof
        )
    with pytest.raises(DPoPProofLimitReached):
        remember_proof(
            session, issuer_id=issuer.id, proof=_proof("c"), now=NOW, refuse=InvalidDPoPProof
        )
    # Past the window the old ones are gone and there is room again.
    later = NOW + dpop.PROOF_MAX_AGE + dpop.PROOF_LEEWAY
    remember_proof(
        session, issuer_id=issuer.id, proof=_proof("c"), now=later, refuse=InvalidDPoPProof
    )
    assert len(session.exec(select(IssuerDPoPProof)).all()) == 1


def test_purging_spent_grants_deletes_proofs_past_their_window(session: Session) -> None:
    issuer = make_issuer(session, KEK).account
    remember_proof(
        session, issuer_id=issuer.id, proof=_proof("j"), now=NOW, refuse=InvalidDPoPProof
    )
    assert purge_spent_grants(session, now=NOW + timedelta(minutes=5)) == 0
    assert purge_spent_grants(session, now=NOW + timedelta(minutes=6)) == 1
    assert session.exec(select(IssuerDPoPProof)).all() == []
