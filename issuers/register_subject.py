"""Who a register entry is about, in short and sealed: "A. Korhonen".

The register keeps no claims (:mod:`issuers.register`), but staff must find a credential they
issued to revoke it. So each entry keeps a summary of the subject: the initial of the given
names and the family name, nothing else (no date of birth, no title, no grade), sealed under
the KEK (AES-256-GCM, ``sealing.aead``) with associated data
``issuer-credential-subject|<credential id>``, so a database copy reads no name and a summary
moved to another entry does not open.
"""

import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Final

from sqlmodel import Session, col, select

from credentials.sd_jwt_disclosable import SD
from issuers.tables import IssuerCredential
from sealing.aead import open_sealed, seal

MAX_SUMMARY: Final = 120


def _context(credential_id: str) -> bytes:
    return f"issuer-credential-subject|{credential_id}".encode()


def _plain(value: Any) -> Any:
    while isinstance(value, SD):
        value = value.value
    return value


def subject_summary(claims: Mapping[str, Any]) -> str | None:
    """ "A. Korhonen" from ``given_name`` and ``family_name`` (markers of selective disclosure
    unwrapped); ``None`` when there is no family name."""
    family = _plain(claims.get("family_name"))
    given = _plain(claims.get("given_name"))
    if not isinstance(family, str) or not family.strip():
        return None
    initial = f"{given.strip()[0]}. " if isinstance(given, str) and given.strip() else ""
    return (initial + family.strip())[:MAX_SUMMARY]


def seal_subject(claims: Mapping[str, Any], *, credential_id: str, kek: bytes) -> bytes | None:
    """The sealed summary of ``claims`` for the register row ``credential_id``."""
    summary = subject_summary(claims)
    if summary is None:
        return None
    return seal(
        kek,
        json.dumps(summary).encode("utf-8"),
        context=_context(credential_id),
        nonce=secrets.token_bytes(12),
    )


def subject_summaries(
    session: Session, *, issuer_id: str, credential_ids: Sequence[str], kek: bytes
) -> dict[str, str]:
    """The summaries of the issuer's entries ``credential_ids`` that have one (at most 200).

    Raises :class:`~sealing.aead.SealError` when one does not open (wrong KEK, moved row).
    """
    if not credential_ids:
        return {}
    rows = session.exec(
        select(IssuerCredential.id, IssuerCredential.sealed_subject).where(
            col(IssuerCredential.issuer_id) == issuer_id,
            col(IssuerCredential.id).in_(list(credential_ids)[:200]),
        )
    ).all()
    found: dict[str, str] = {}
    for credential_id, sealed in rows:
        if sealed is not None:
            opened = open_sealed(kek, sealed, context=_context(credential_id))
            found[credential_id] = str(json.loads(opened))
    return found
