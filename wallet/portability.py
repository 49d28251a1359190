"""Portability and erasure: export a wallet, import it on another Taito, erase it for good.

Issue 5, "Portability and erasure" (GDPR Art. 20 and 17). The export is one JSON document:
the credentials exactly as issued with their metadata, the holder keys (so credentials bound to
them can still be presented elsewhere; the export is therefore a secret the person must keep
safe), self-declared skills, shares and the activity log. Import on another instance verifies
every credential again through the same gate as receiving (:class:`~wallet.checker.
CredentialChecker`); what does not verify is reported with its failing check and not stored.
Erasure deletes every row of the person (shares end at once), keeping only a pseudonymous record
that an erasure happened and the final head of their activity chain.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from credentials.encoding import JSONValue
from credentials.errors import TaitoError
from credentials.keys import private_key_from_jwk
from wallet.activity import ActivityKind, all_activity, append_activity
from wallet.checker import CredentialChecker
from wallet.credentials import receive_into
from wallet.errors import CredentialDuplicate, ImportInvalid, WalletNotFound
from wallet.held import document_json, iter_documents
from wallet.holder_keys import holder_private_jwks, holder_public_keys, store_holder_key
from wallet.limits import IMPORTED_ACTIVITY_MAX_BYTES, check_holder_key_room, newest_that_fit
from wallet.profile import declare_skill, list_declared_skills
from wallet.shares.records import list_shares
from wallet.tables import (
    WalletAccessToken,
    WalletActivity,
    WalletCredential,
    WalletDeclaredSkill,
    WalletErasure,
    WalletHolder,
    WalletHolderKey,
    WalletRefreshToken,
    WalletShare,
    WalletTokenFamily,
)
from wallet.timestamps import require_aware
from wallet.vault import derive_key, keyed_hash, open_vault

EXPORT_FORMAT = "taito-wallet-export"
EXPORT_VERSION = 1
MAX_IMPORT_CREDENTIALS = 5000


@dataclass(frozen=True)
class ImportRejection:
    index: int
    code: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    imported: int
    duplicates: int
    keys_added: int
    rejected: tuple[ImportRejection, ...]


@dataclass(frozen=True)
class ErasureReceipt:
    erased_at: datetime
    credentials: int
    shares: int


def export_wallet(
    session: Session, *, holder_id: str, kek: bytes, base_url: str, now: datetime
) -> dict[str, JSONValue]:
    """The person's whole wallet as one JSON document (the export itself is logged first)."""
    now = require_aware(now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    append_activity(
        session, vault=vault, kind=ActivityKind.WALLET_EXPORTED, details={}, kek=kek, now=now
    )
    session.commit()
    credentials = []
    for document in iter_documents(session, vault):
        entry = document_json(document)
        entry["id"] = document.id
        entry["received_at"] = document.received_at.isoformat()
        credentials.append(entry)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": now.isoformat(),
        "source": base_url,
        "holder_keys": list(holder_private_jwks(session, holder_id=holder_id, kek=kek)),
        "credentials": credentials,
        "self_declared_skills": [
            {"uri": s.uri, "level": s.level, "declared_at": s.declared_at.isoformat()}
            for s in list_declared_skills(session, holder_id=holder_id, kek=kek)
        ],
        "shares": [
            {
                "id": s.id,
                "status": s.status,
                "audience": s.audience,
                "purpose": s.purpose,
                "created_at": s.created_at.isoformat(),
                "expires_at": s.expires_at.isoformat(),
                "withdrawn_at": s.withdrawn_at.isoformat() if s.withdrawn_at else None,
                "max_views": s.max_views,
                "view_count": s.view_count,
                "items": [
                    {"credential_id": i.credential_id, "claims": [list(p) for p in i.claims]}
                    for i in s.items
                ],
            }
            for s in list_shares(session, holder_id=holder_id, kek=kek, now=now)
        ],
        "activity": [
            {
                "seq": e.seq,
                "kind": e.kind.value,
                "occurred_at": e.occurred_at.isoformat(),
                "details": dict(e.details),
            }
            for e in all_activity(session, vault=vault)
        ],
    }


def _list(bundle: Mapping[str, Any], name: str, limit: int) -> list[Any]:
    value = bundle.get(name, [])
    if not isinstance(value, list) or len(value) > limit:
        raise ImportInvalid(f"'{name}' must be an array of at most {limit} items.")
    return value


def import_wallet(
    session: Session,
    *,
    holder_id: str,
    bundle: Mapping[str, Any],
    verify: CredentialChecker,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> ImportReport:
    """Import an export of another Taito into this wallet, verifying every credential again.

    Holder keys come first (so credentials bound to them verify), then each credential goes
    through ``verify`` like a new receipt; rejected ones are listed with their failing check,
    duplicates are skipped. Raises :class:`ImportInvalid` (422) for a malformed bundle.
    """
    now = require_aware(now)
    if bundle.get("format") != EXPORT_FORMAT or bundle.get("version") != EXPORT_VERSION:
        raise ImportInvalid(f"Only {EXPORT_FORMAT} version {EXPORT_VERSION} can be imported.")
    keys = _list(bundle, "holder_keys", 20)
    credentials = _list(bundle, "credentials", MAX_IMPORT_CREDENTIALS)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    known = {key.thumbprint for key in holder_public_keys(session, holder_id=holder_id)}
    new_keys = {}
    for jwk in keys:
        try:
            key = private_key_from_jwk(jwk) if isinstance(jwk, dict) else None
        except TaitoError:
            key = None
        if key is None:
            raise ImportInvalid("A holder key in the export is not a valid private JWK.")
        if key.public.thumbprint not in known:
            new_keys[key.public.thumbprint] = key
    check_holder_key_room(session, holder_id=holder_id, adding=len(new_keys))
    for key in new_keys.values():
        store_holder_key(session, holder_id=holder_id, key=key, kek=kek, now=now, primary=False)
    added = len(new_keys)
    session.commit()
    imported = duplicates = 0
    rejected: list[ImportRejection] = []
    for number, entry in enumerate(credentials):
        text = entry.get("credential") if isinstance(entry, dict) else None
        if not isinstance(text, str):
            rejected.append(ImportRejection(number, "import_invalid", "not a credential"))
            continue
        try:
            receive_into(
                session,
                vault=vault,
                credential=text,
                verify=verify,
                kek=kek,
                base_url=base_url,
                now=now,
            )
            imported += 1
        except CredentialDuplicate:
            duplicates += 1
        except TaitoError as error:
            session.rollback()
            rejected.append(ImportRejection(number, error.code, error.title))
    previous_activity = _list(bundle, "activity", 100_000)
    for skill in _list(bundle, "self_declared_skills", 1000):
        _import_skill(session, holder_id=holder_id, skill=skill, kek=kek, now=now)
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.WALLET_IMPORTED,
        details={
            "source": str(bundle.get("source", ""))[:500],
            "exported_at": str(bundle.get("exported_at", ""))[:64],
            "imported": imported,
            "duplicates": duplicates,
            "rejected": len(rejected),
            # The previous log's length and its newest entries, within the entry bound.
            "previous_activity_entries": len(previous_activity),
            "previous_activity": newest_that_fit(
                previous_activity, max_bytes=IMPORTED_ACTIVITY_MAX_BYTES
            ),
        },
        kek=kek,
        now=now,
    )
    session.commit()
    return ImportReport(
        imported=imported, duplicates=duplicates, keys_added=added, rejected=tuple(rejected)
    )


def _import_skill(
    session: Session, *, holder_id: str, skill: Any, kek: bytes, now: datetime
) -> None:
    if not isinstance(skill, dict) or not isinstance(skill.get("uri"), str):
        return
    level = skill.get("level") if isinstance(skill.get("level"), str) else None
    try:
        declare_skill(session, holder_id=holder_id, uri=skill["uri"], level=level, kek=kek, now=now)
    except TaitoError:
        session.rollback()


def erasure_ref(kek: bytes, holder_id: str) -> str:
    """The pseudonym under which an erasure is recorded."""
    return keyed_hash(derive_key(kek, "taito/wallet/erasure-ref/v1"), holder_id.encode("utf-8"))


def erase_wallet(session: Session, *, holder_id: str, kek: bytes, now: datetime) -> ErasureReceipt:
    """Erase every row of the person; every share ends at once (GDPR Art. 17).

    Keeps only :class:`~wallet.tables.WalletErasure`: a pseudonym, the time, and the final head
    of the activity chain. Raises :class:`WalletNotFound`.
    """
    now = require_aware(now)
    holder = session.exec(
        select(WalletHolder).where(col(WalletHolder.id) == holder_id).with_for_update()
    ).first()
    if holder is None:
        raise WalletNotFound("the wallet does not exist")
    counts = {}
    for table in (
        WalletAccessToken,
        WalletRefreshToken,
        WalletTokenFamily,
        WalletShare,
        WalletCredential,
        WalletDeclaredSkill,
        WalletActivity,
        WalletHolderKey,
    ):
        result = session.execute(
            delete(table)
            .where(col(table.holder_id) == holder_id)
            .execution_options(synchronize_session="fetch")
        )
        counts[table.__tablename__] = result.rowcount  # type: ignore[attr-defined]
    session.add(
        WalletErasure(
            id=f"ers_{secrets.token_hex(16)}",
            holder_ref=erasure_ref(kek, holder_id),
            erased_at=now,
            final_seq=holder.activity_seq,
            final_head=holder.activity_head,
        )
    )
    session.delete(holder)
    session.commit()
    return ErasureReceipt(
        erased_at=now,
        credentials=counts[WalletCredential.__tablename__],
        shares=counts[WalletShare.__tablename__],
    )
