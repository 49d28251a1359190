"""The activity log: what happened in a wallet, append-only and hash-chained.

Every receipt, share, view (viewer and time), withdrawal, answered request and deletion is one
entry. Each person's entries form a chain: entry ``n`` carries ``prev_hash`` (the ``entry_hash``
of entry ``n - 1``) and its own ``entry_hash``, an HMAC-SHA-256 (RFC 2104) under a key derived
from the KEK over the holder, sequence number, kind, time, the SHA-256 of the sealed details and
``prev_hash``. The holder row keeps the chain's head (last sequence number and an HMAC over it),
so a removed last entry is found as well as an edited, removed or reordered one, and someone
with a copy of the database but not the KEK cannot recompute the chain after tampering with it.
The details (who viewed, which claims, which credential) are sealed with the holder's data key.
"""

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from credentials.clock import as_utc
from credentials.encoding import JSONValue, json_dumps
from wallet.errors import ActivityLogTampered, LogProblem, WalletNotFound
from wallet.limits import check_activity_details
from wallet.tables import WalletActivity, WalletHolder
from wallet.vault import Vault, derive_key, keyed_hash, open_vault

GENESIS = "0" * 64
_DETAILS = "activity"
LOGGED_SINGLY = 10
"""Views of a share and reads of a grant logged one entry each, before they are counted."""
COUNTED_LOG_INTERVAL = timedelta(days=1)
"""After those, at most one entry per share or grant in this time, counting all since the last."""


class ActivityKind(StrEnum):
    ACCOUNT_CREATED = "account_created"
    CREDENTIAL_RECEIVED = "credential_received"
    CREDENTIAL_DELETED = "credential_deleted"
    SKILL_DECLARED = "skill_declared"
    SKILL_REMOVED = "skill_removed"
    SHARE_CREATED = "share_created"
    SHARE_VIEWED = "share_viewed"
    SHARE_WITHDRAWN = "share_withdrawn"
    REQUEST_ANSWERED = "request_answered"
    REQUEST_DECLINED = "request_declined"
    WALLET_EXPORTED = "wallet_exported"
    WALLET_IMPORTED = "wallet_imported"
    GOAL_CHOSEN = "goal_chosen"
    GOAL_REMOVED = "goal_removed"
    GRANT_CREATED = "grant_created"
    GRANT_READ = "grant_read"
    GRANT_WITHDRAWN = "grant_withdrawn"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an activity kind, not a secret


@dataclass(frozen=True)
class ActivityEntry:
    """One entry as the person sees it."""

    seq: int
    kind: ActivityKind
    occurred_at: datetime
    details: Mapping[str, JSONValue]


@dataclass(frozen=True)
class LogReport:
    """The outcome of a successful chain check."""

    holders: int
    entries: int


def _chain_key(kek: bytes) -> bytes:
    return derive_key(kek, "taito/wallet/activity-chain/v1")


def _instant(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    key: bytes,
    *,
    holder_id: str,
    seq: int,
    kind: str,
    occurred_at: datetime,
    sealed_details: bytes,
    prev_hash: str,
) -> str:
    """The chained HMAC of one entry (module docstring)."""
    sealed_digest = hashlib.sha256(sealed_details).hexdigest()
    material = ["entry", holder_id, seq, kind, _instant(occurred_at), sealed_digest, prev_hash]
    return keyed_hash(key, json_dumps(material).encode("utf-8"))


def head_hash(key: bytes, *, holder_id: str, seq: int, last_hash: str) -> str:
    """The HMAC over the chain's head kept on the holder row."""
    return keyed_hash(key, json_dumps(["head", holder_id, seq, last_hash]).encode("utf-8"))


def genesis_head(kek: bytes, holder_id: str) -> str:
    """The head of an empty chain (for a new holder row)."""
    return head_hash(_chain_key(kek), holder_id=holder_id, seq=0, last_hash=GENESIS)


def _last_hash(session: Session, holder_id: str, seq: int) -> str:
    if seq == 0:
        return GENESIS
    statement = select(WalletActivity.entry_hash).where(
        col(WalletActivity.holder_id) == holder_id, col(WalletActivity.seq) == seq
    )
    found = session.exec(statement).first()
    return found if found is not None else GENESIS


def counted_entry_due(*, count: int, last_logged_at: datetime | None, now: datetime) -> bool:
    """Whether the ``count``-th view or read of a thing gets an entry now (else it is counted
    on the thing's row and enters the log with its next entry). Entries for what others do
    (views of a share, a grant's reads) stay bounded however often they do it: at most
    :data:`LOGGED_SINGLY`, then one per :data:`COUNTED_LOG_INTERVAL` per share or grant."""
    return (
        count <= LOGGED_SINGLY
        or last_logged_at is None
        or now - as_utc(last_logged_at) >= COUNTED_LOG_INTERVAL
    )


def append_activity(
    session: Session,
    *,
    vault: Vault,
    kind: ActivityKind,
    details: Mapping[str, JSONValue],
    kek: bytes,
    now: datetime,
) -> WalletActivity:
    """Append one entry to the holder's chain (the caller commits).

    The holder row is locked (``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL) so concurrent
    appends take turns; the unique ``(holder_id, seq)`` constraint backs that up on SQLite. Not
    ``FOR UPDATE``: callers insert rows referencing the holder first (a received credential, a
    share), which takes ``FOR KEY SHARE`` on it, and two such transactions upgrading to
    ``FOR UPDATE`` deadlock (seen with concurrent receipts); ``FOR NO KEY UPDATE``
    does not conflict with ``FOR KEY SHARE`` and still excludes another append.
    Raises :class:`WalletNotFound` when the holder does not exist and
    :class:`~wallet.errors.StoredItemTooLarge` for details above the entry bound.
    """
    statement = (
        select(WalletHolder)
        .where(col(WalletHolder.id) == vault.holder_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    check_activity_details(details)
    holder = session.exec(statement).first()
    if holder is None:
        raise WalletNotFound("the wallet does not exist")
    key = _chain_key(kek)
    seq = holder.activity_seq + 1
    entry_id = f"act_{secrets.token_hex(16)}"
    sealed = vault.seal(dict(details), purpose=_DETAILS, row_id=f"{seq}")
    prev = _last_hash(session, holder.id, holder.activity_seq)
    digest = entry_hash(
        key,
        holder_id=holder.id,
        seq=seq,
        kind=kind.value,
        occurred_at=now,
        sealed_details=sealed,
        prev_hash=prev,
    )
    row = WalletActivity(
        id=entry_id,
        holder_id=holder.id,
        seq=seq,
        kind=kind.value,
        occurred_at=now,
        sealed_details=sealed,
        prev_hash=prev,
        entry_hash=digest,
    )
    holder.activity_seq = seq
    holder.activity_head = head_hash(key, holder_id=holder.id, seq=seq, last_hash=digest)
    session.add(row)
    session.add(holder)
    session.flush()
    return row


def list_activity(
    session: Session, *, holder_id: str, kek: bytes, limit: int = 500, before: int | None = None
) -> tuple[ActivityEntry, ...]:
    """The person's own activity, newest first (``before``: only entries with a smaller seq).

    Raises :class:`WalletNotFound` when the holder does not exist.
    """
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    statement = select(WalletActivity).where(col(WalletActivity.holder_id) == holder_id)
    if before is not None:
        statement = statement.where(col(WalletActivity.seq) < before)
    rows = session.exec(statement.order_by(col(WalletActivity.seq).desc()).limit(limit))
    return tuple(_entry(vault, row) for row in rows)


def all_activity(session: Session, *, vault: Vault) -> tuple[ActivityEntry, ...]:
    """Every entry of the holder, oldest first (for the export)."""
    statement = (
        select(WalletActivity)
        .where(col(WalletActivity.holder_id) == vault.holder_id)
        .order_by(col(WalletActivity.seq))
    )
    return tuple(_entry(vault, row) for row in session.exec(statement))


def _entry(vault: Vault, row: WalletActivity) -> ActivityEntry:
    details: Any = vault.open(row.sealed_details, purpose=_DETAILS, row_id=f"{row.seq}")
    return ActivityEntry(
        seq=row.seq,
        kind=ActivityKind(row.kind),
        occurred_at=as_utc(row.occurred_at),
        details=details if isinstance(details, dict) else {},
    )


def _check_chain(key: bytes, holder: WalletHolder, rows: list[WalletActivity]) -> list[LogProblem]:
    problems: list[LogProblem] = []
    prev = GENESIS
    for expected_seq, row in enumerate(rows, start=1):
        if row.seq != expected_seq:
            problems.append(LogProblem(holder.id, row.seq, "an entry is missing or out of order"))
            return problems
        if row.prev_hash != prev:
            problems.append(LogProblem(holder.id, row.seq, "prev_hash does not chain"))
        recomputed = entry_hash(
            key,
            holder_id=holder.id,
            seq=row.seq,
            kind=row.kind,
            occurred_at=row.occurred_at,
            sealed_details=row.sealed_details,
            prev_hash=row.prev_hash,
        )
        if recomputed != row.entry_hash:
            problems.append(LogProblem(holder.id, row.seq, "the entry was altered"))
        prev = row.entry_hash
    head = head_hash(key, holder_id=holder.id, seq=len(rows), last_hash=prev)
    if holder.activity_seq != len(rows) or holder.activity_head != head:
        problems.append(LogProblem(holder.id, None, "the chain's head does not match its entries"))
    return problems


def verify_activity_log(session: Session, *, kek: bytes) -> LogReport:
    """Check every holder's chain (``taito admin verify-log``).

    Raises :class:`ActivityLogTampered` listing every edited, removed or reordered entry, a
    chain head that does not match, and entries whose holder does not exist.
    """
    key = _chain_key(kek)
    problems: list[LogProblem] = []
    holders = 0
    entries = 0
    for holder in session.exec(select(WalletHolder).order_by(col(WalletHolder.id))):
        holders += 1
        statement = (
            select(WalletActivity)
            .where(col(WalletActivity.holder_id) == holder.id)
            .order_by(col(WalletActivity.seq))
        )
        rows = list(session.exec(statement))
        entries += len(rows)
        problems.extend(_check_chain(key, holder, rows))
    orphans = select(WalletActivity.holder_id, WalletActivity.seq).where(
        col(WalletActivity.holder_id).not_in(select(WalletHolder.id))
    )
    for holder_id, seq in session.exec(orphans):
        problems.append(LogProblem(holder_id, seq, "the entry belongs to no wallet"))
    if problems:
        raise ActivityLogTampered(problems)
    return LogReport(holders=holders, entries=entries)
