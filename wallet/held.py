"""Held credentials as the wallet stores them: a sealed document and a sealed search index.

The document holds the credential exactly as issued and what the gate established on receipt;
the index holds only what lists, filters, search and the skills profile need, so those open a
few hundred bytes per credential instead of the whole credential (see :mod:`wallet.tables`).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from credentials.clock import as_utc
from credentials.encoding import JSONValue
from wallet.claims import HeldSkill
from wallet.errors import CredentialNotFound
from wallet.tables import WalletCredential
from wallet.vault import Vault

DOCUMENT = "credential"
INDEX = "credential-index"


@dataclass(frozen=True)
class HeldDocument:
    """A held credential opened: the text as issued and what was verified on receipt."""

    id: str
    format: str
    credential: str
    issuer: str
    issuer_name: str | None
    vct: str
    type_slug: str | None
    claims: Mapping[str, JSONValue]
    valid_from: datetime | None
    valid_until: datetime | None
    holder_thumbprint: str
    received_at: datetime


@dataclass(frozen=True)
class HeldIndex:
    """The searchable summary of a held credential."""

    id: str
    format: str
    vct: str
    type_slug: str | None
    issuer: str
    issuer_name: str | None
    title: str | None
    skills: tuple[HeldSkill, ...]
    text: str
    valid_until: datetime | None
    received_at: datetime


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def document_json(document: HeldDocument) -> dict[str, JSONValue]:
    """The document as the JSON that is sealed (and exported)."""
    return {
        "format": document.format,
        "credential": document.credential,
        "issuer": document.issuer,
        "issuer_name": document.issuer_name,
        "vct": document.vct,
        "type_slug": document.type_slug,
        "claims": dict(document.claims),
        "valid_from": _time(document.valid_from),
        "valid_until": _time(document.valid_until),
        "holder_thumbprint": document.holder_thumbprint,
    }


def index_json(index: HeldIndex) -> dict[str, JSONValue]:
    """The search index as the JSON that is sealed."""
    return {
        "format": index.format,
        "vct": index.vct,
        "type_slug": index.type_slug,
        "issuer": index.issuer,
        "issuer_name": index.issuer_name,
        "title": index.title,
        "skills": [[s.uri, s.label, s.level, s.scale] for s in index.skills],
        "text": index.text,
        "valid_until": _time(index.valid_until),
    }


def seal_row(
    vault: Vault, *, document: HeldDocument, index: HeldIndex, fingerprint: str
) -> WalletCredential:
    """A new table row holding ``document`` and ``index`` sealed (the caller adds it)."""
    return WalletCredential(
        id=document.id,
        holder_id=vault.holder_id,
        fingerprint=fingerprint,
        received_at=document.received_at,
        sealed_document=vault.seal(document_json(document), purpose=DOCUMENT, row_id=document.id),
        sealed_index=vault.seal(index_json(index), purpose=INDEX, row_id=document.id),
    )


def open_document(vault: Vault, row: WalletCredential) -> HeldDocument:
    """Open a row's sealed document; raises ``SealError`` if it was altered or moved."""
    data: Any = vault.open(row.sealed_document, purpose=DOCUMENT, row_id=row.id)
    return HeldDocument(
        id=row.id,
        format=data["format"],
        credential=data["credential"],
        issuer=data["issuer"],
        issuer_name=data["issuer_name"],
        vct=data["vct"],
        type_slug=data["type_slug"],
        claims=data["claims"],
        valid_from=_parse_time(data["valid_from"]),
        valid_until=_parse_time(data["valid_until"]),
        holder_thumbprint=data["holder_thumbprint"],
        received_at=as_utc(row.received_at),
    )


def _open_index(vault: Vault, row_id: str, received_at: datetime, sealed: bytes) -> HeldIndex:
    data: Any = vault.open(sealed, purpose=INDEX, row_id=row_id)
    return HeldIndex(
        id=row_id,
        format=data["format"],
        vct=data["vct"],
        type_slug=data["type_slug"],
        issuer=data["issuer"],
        issuer_name=data["issuer_name"],
        title=data["title"],
        skills=tuple(HeldSkill(*item) for item in data["skills"]),
        text=data["text"],
        valid_until=_parse_time(data["valid_until"]),
        received_at=as_utc(received_at),
    )


def load_document(session: Session, vault: Vault, credential_id: str) -> HeldDocument:
    """Open one of the holder's credentials.

    Raises :class:`CredentialNotFound` when the holder has no credential with this id (someone
    else's credential is "not found" too).
    """
    row = session.get(WalletCredential, credential_id)
    if row is None or row.holder_id != vault.holder_id:
        raise CredentialNotFound(f"No credential {credential_id!r} in your wallet.")
    return open_document(vault, row)


def iter_indexes(session: Session, vault: Vault) -> Iterator[HeldIndex]:
    """Every credential index of the holder, newest first (reads only the index column)."""
    statement = (
        select(WalletCredential.id, WalletCredential.received_at, WalletCredential.sealed_index)
        .where(col(WalletCredential.holder_id) == vault.holder_id)
        .order_by(col(WalletCredential.received_at).desc(), col(WalletCredential.id))
    )
    for row_id, received_at, sealed in session.exec(statement):
        yield _open_index(vault, row_id, received_at, sealed)


def iter_documents(session: Session, vault: Vault) -> Iterator[HeldDocument]:
    """Every credential of the holder opened, oldest first (for export and request matching)."""
    statement = (
        select(WalletCredential)
        .where(col(WalletCredential.holder_id) == vault.holder_id)
        .order_by(col(WalletCredential.received_at), col(WalletCredential.id))
    )
    for row in session.exec(statement):
        yield open_document(vault, row)
