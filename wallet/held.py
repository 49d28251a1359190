"""Held credentials as the wallet stores them: a sealed document and a sealed search index.

The document holds the credential exactly as issued and what the gate established on receipt;
the index holds only what lists, filters, search and the skills profile need, so those open a
few hundred bytes per credential instead of the whole credential (see :mod:`wallet.tables`).

An index is written once, with its row, and never changed, so a worker keeps the indexes it
opened (:data:`INDEX_CACHE`, installed per request by the application, bounded in entries and
bytes) by holder and row: a listing reads which rows the holder has now (ids only) and opens
only those it has not seen, a chunk at a time as the listing goes on (a page that stops early
opens no more). A deleted or erased credential has no row, so it is never listed.

The order is newest first (``received_at`` descending, then ``id``); a :class:`Position` in it
lets a listing continue after the last item it showed (keyset paging): a credential received
meanwhile sorts before it, so continuing never repeats nor skips one that was there.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from credentials.bounded_cache import CacheSlot
from credentials.clock import as_utc
from credentials.encoding import JSONValue
from wallet.claims import HeldSkill
from wallet.errors import CredentialNotFound
from wallet.tables import WalletCredential
from wallet.vault import Vault

DOCUMENT = "credential"
INDEX = "credential-index"
_OPEN_AT_ONCE = 500
_FIRST_CHUNK = 100


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


@dataclass(frozen=True)
class Position:
    """A place in the newest-first order of a holder's credentials: after this one."""

    received_at: datetime
    id: str


IndexCacheKey = tuple[str, str, datetime]
"""A held index's holder id, row id and time of receipt."""

INDEX_CACHE: CacheSlot[IndexCacheKey, "HeldIndex"] = CacheSlot("taito.wallet_indexes")


def held_index_cost(key: IndexCacheKey, index: "HeldIndex") -> int:
    """The bytes a kept index is charged: its texts (4 bytes a character at most) and overhead."""
    texts = (index.title or "", index.text, index.vct, index.issuer, index.issuer_name or "")
    # The fields' lengths plus what their repr would add, without building the repr.
    skills = sum(
        48 + len(skill.uri) + len(skill.label) + len(skill.level or "") + len(skill.scale or "")
        for skill in index.skills
    )
    return 512 + 4 * (sum(len(text) for text in texts) + skills) + 96 * len(index.skills)


def iter_indexes(
    session: Session, vault: Vault, *, after: Position | None = None
) -> Iterator[HeldIndex]:
    """Every credential index of the holder, newest first (reads only the index column), or
    those after ``after`` in that order.

    With an :data:`INDEX_CACHE` installed, only the ids are read, and the indexes not kept yet,
    a chunk at a time as the caller goes on.
    """
    order = (col(WalletCredential.received_at).desc(), col(WalletCredential.id))
    mine = col(WalletCredential.holder_id) == vault.holder_id
    where = [mine]
    if after is not None:
        at = col(WalletCredential.received_at)
        where.append(
            or_(
                at < after.received_at,
                and_(at == after.received_at, col(WalletCredential.id) > after.id),
            )
        )
    cache = INDEX_CACHE.current()
    if cache is None:
        statement = select(
            WalletCredential.id, WalletCredential.received_at, WalletCredential.sealed_index
        ).where(*where)
        for row_id, received_at, sealed in session.exec(statement.order_by(*order)):
            yield _open_index(vault, row_id, received_at, sealed)
        return
    rows = session.exec(
        select(WalletCredential.id, WalletCredential.received_at).where(*where).order_by(*order)
    ).all()
    start, size = 0, _FIRST_CHUNK
    while start < len(rows):
        chunk = rows[start : start + size]
        start, size = start + size, min(2 * size, _OPEN_AT_ONCE)
        found = {
            row_id: cache.get((vault.holder_id, row_id, as_utc(received_at)))
            for row_id, received_at in chunk
        }
        missing = [row_id for row_id, index in found.items() if index is None]
        if missing:
            sealed_rows = session.exec(
                select(
                    WalletCredential.id, WalletCredential.received_at, WalletCredential.sealed_index
                ).where(mine, col(WalletCredential.id).in_(missing))
            )
            for row_id, received_at, sealed in sealed_rows:
                opened = _open_index(vault, row_id, received_at, sealed)
                cache.put((vault.holder_id, row_id, opened.received_at), opened)
                found[row_id] = opened
        for row_id, _ in chunk:
            index = found[row_id]
            if index is not None:
                yield index


def iter_documents(session: Session, vault: Vault) -> Iterator[HeldDocument]:
    """Every credential of the holder opened, oldest first (for export and request matching)."""
    statement = (
        select(WalletCredential)
        .where(col(WalletCredential.holder_id) == vault.holder_id)
        .order_by(col(WalletCredential.received_at), col(WalletCredential.id))
    )
    for row in session.exec(statement):
        yield open_document(vault, row)
