"""Counsellor access by consent: a person grants a guidance organisation a view of their skills.

Issue 16, "Counsellor access by consent". A grant names one guidance or employment service (a
verifier organisation marked as such; the API checks that), a purpose, a scope (the skills
profile with the gaps to the person's goal occupations, and/or chosen credentials) and a period:
by default 3 months, at most 1 year. The person agrees to a versioned text
(:data:`wallet.consent.GRANT_CONSENT`), and a consent receipt is kept. The organisation reads
through :func:`open_grant_for` and :func:`record_grant_read`; every read is in the person's
activity log. Withdrawal is immediate: the next read is refused (410), as is a read after the
period ends.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from sqlalchemy import delete, func, or_, update
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from credentials.encoding import JSONValue
from wallet.activity import ActivityKind, append_activity, counted_entry_due
from wallet.consent import GRANT_CONSENT, add_receipt
from wallet.errors import (
    GrantExpired,
    GrantInvalid,
    GrantLimitReached,
    GrantNotFound,
    GrantWithdrawn,
)
from wallet.held import load_document
from wallet.shares.rules import add_months
from wallet.tables import WalletGrant, WalletHolder
from wallet.vault import Vault, derive_key, keyed_hash, open_vault

DEFAULT_MONTHS: Final = 3
MAX_PERIOD: Final = timedelta(days=366)
MAX_ACTIVE_GRANTS: Final = 20
MAX_GRANTS_KEPT: Final = 200
"""Grants a wallet keeps, active and ended: a new one beyond it removes the oldest ended ones
(their activity entries and consent receipts stay)."""
MAX_GRANT_CREDENTIALS: Final = 50
MAX_PURPOSE_CHARS: Final = 500
MAX_LABEL_CHARS: Final = 100
_GRANT = "grant"
GrantState = Literal["active", "expired", "withdrawn"]


@dataclass(frozen=True)
class Grantee:
    """The guidance organisation as the API found it."""

    id: str
    slug: str
    name: str


@dataclass(frozen=True)
class GrantSpec:
    """What the person grants: whom, why, what and until when (``None``: 3 months)."""

    grantee: Grantee
    purpose: str
    profile: bool
    credential_ids: tuple[str, ...]
    consent_version: str
    expires_at: datetime | None = None
    label: str = ""
    """How the organisation knows the person (their name, say); empty: not told."""


@dataclass(frozen=True)
class Grant:
    """A grant as the person and the organisation see it."""

    id: str
    holder_id: str
    grantee: Grantee
    purpose: str
    profile: bool
    credential_ids: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    withdrawn_at: datetime | None
    consent_version: str
    state: GrantState
    label: str = ""


def grantee_ref(kek: bytes, grantee_id: str) -> str:
    """The keyed hash under which an organisation's grants are found."""
    return keyed_hash(derive_key(kek, "taito/wallet/grantee/v1"), grantee_id.encode("utf-8"))


def _state(row: WalletGrant, now: datetime) -> GrantState:
    if row.withdrawn_at is not None:
        return "withdrawn"
    return "active" if now < as_utc(row.expires_at) else "expired"


def _grant(vault: Vault, row: WalletGrant, now: datetime) -> Grant:
    data: Any = vault.open(row.sealed_grant, purpose=_GRANT, row_id=row.id)
    return Grant(
        id=row.id,
        holder_id=row.holder_id,
        grantee=Grantee(**data["grantee"]),
        purpose=data["purpose"],
        profile=data["profile"],
        credential_ids=tuple(data["credential_ids"]),
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        withdrawn_at=as_utc(row.withdrawn_at) if row.withdrawn_at else None,
        consent_version=data["consent_version"],
        state=_state(row, now),
        label=data.get("label", ""),
    )


def _check(session: Session, vault: Vault, spec: GrantSpec, now: datetime) -> datetime:
    if spec.consent_version != GRANT_CONSENT.version:
        raise GrantInvalid("Agree to the current consent text (see its version) first.")
    if not 1 <= len(spec.purpose.strip()) <= MAX_PURPOSE_CHARS:
        raise GrantInvalid(f"Say why, in 1 to {MAX_PURPOSE_CHARS} characters.")
    ids = spec.credential_ids
    if len(ids) > MAX_GRANT_CREDENTIALS or len(set(ids)) != len(ids):
        raise GrantInvalid(f"Choose at most {MAX_GRANT_CREDENTIALS} different credentials.")
    if len(spec.label.strip()) > MAX_LABEL_CHARS:
        raise GrantInvalid(f"Give a name of at most {MAX_LABEL_CHARS} characters, or none.")
    if not spec.profile and not ids:
        raise GrantInvalid("Choose your skills profile, credentials, or both.")
    for credential_id in ids:
        load_document(session, vault, credential_id)
    expires_at = require_aware(spec.expires_at) if spec.expires_at else None
    expires_at = expires_at or add_months(now, DEFAULT_MONTHS)
    if not now < expires_at <= now + MAX_PERIOD:
        raise GrantInvalid("The end of access must be in the future and within one year.")
    return expires_at


def _forget_oldest_ended(session: Session, *, holder_id: str, now: datetime) -> None:
    """Delete the holder's oldest ended grants beyond :data:`MAX_GRANTS_KEPT` - 1 (no commit)."""
    table = WalletGrant
    kept = session.exec(
        select(func.count()).select_from(table).where(col(table.holder_id) == holder_id)
    ).one()
    excess = kept - (MAX_GRANTS_KEPT - 1)
    if excess <= 0:
        return
    ended = or_(col(table.withdrawn_at).is_not(None), col(table.expires_at) <= now)
    oldest = session.exec(
        select(table.id)
        .where(col(table.holder_id) == holder_id, ended)
        .order_by(col(table.created_at), col(table.id))
        .limit(excess)
    ).all()
    session.execute(
        delete(table).where(col(table.id).in_(oldest)).execution_options(synchronize_session=False)
    )


def create_grant(
    session: Session, *, holder_id: str, spec: GrantSpec, kek: bytes, now: datetime
) -> Grant:
    """Grant access, keep the consent receipt and log it; commits.

    Raises :class:`GrantInvalid` (422), :class:`~wallet.errors.CredentialNotFound` (404) for
    a credential not in the wallet and :class:`GrantLimitReached` (409).
    """
    now = require_aware(now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    expires_at = _check(session, vault, spec, now)
    session.exec(select(WalletHolder.id).where(col(WalletHolder.id) == holder_id).with_for_update())
    active = session.exec(
        select(func.count())
        .select_from(WalletGrant)
        .where(
            col(WalletGrant.holder_id) == holder_id,
            col(WalletGrant.withdrawn_at).is_(None),
            col(WalletGrant.expires_at) > now,
        )
    ).one()
    if active >= MAX_ACTIVE_GRANTS:
        raise GrantLimitReached(f"At most {MAX_ACTIVE_GRANTS} grants can be active at once.")
    _forget_oldest_ended(session, holder_id=holder_id, now=now)
    grant_id = f"gra_{secrets.token_hex(16)}"
    grantee = {"id": spec.grantee.id, "slug": spec.grantee.slug, "name": spec.grantee.name}
    what: dict[str, Any] = {"profile": spec.profile, "credential_ids": list(spec.credential_ids)}
    if spec.label.strip():
        what["label"] = spec.label.strip()
    body = {
        "grantee": grantee,
        "purpose": spec.purpose.strip(),
        "consent_version": GRANT_CONSENT.version,
        **what,
    }
    row = WalletGrant(
        id=grant_id,
        holder_id=holder_id,
        grantee_ref=grantee_ref(kek, spec.grantee.id),
        created_at=now,
        expires_at=expires_at,
        sealed_grant=vault.seal(body, purpose=_GRANT, row_id=grant_id),
    )
    session.add(row)
    session.flush()
    add_receipt(
        session,
        vault=vault,
        kind="grant",
        subject_id=grant_id,
        recipient=spec.grantee.name,
        purpose=spec.purpose.strip(),
        what=what,
        valid_from=now,
        valid_until=expires_at,
        consent_version=GRANT_CONSENT.version,
    )
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.GRANT_CREATED,
        details={"grant_id": grant_id, "organisation": spec.grantee.name, **what},
        kek=kek,
        now=now,
    )
    session.commit()
    return _grant(vault, row, now)


def list_grants(
    session: Session, *, holder_id: str, kek: bytes, now: datetime
) -> tuple[Grant, ...]:
    """The person's grants, newest first, each with its state now."""
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    rows = session.exec(
        select(WalletGrant)
        .where(col(WalletGrant.holder_id) == holder_id)
        .order_by(col(WalletGrant.created_at).desc(), col(WalletGrant.id))
    )
    return tuple(_grant(vault, row, require_aware(now)) for row in rows)


def withdraw_grant(
    session: Session, *, holder_id: str, grant_id: str, kek: bytes, now: datetime
) -> Grant:
    """Withdraw a grant at once (withdrawing it again changes nothing); commits.

    Raises :class:`GrantNotFound` (404, also for another person's grant).
    """
    now = require_aware(now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    row = session.exec(
        select(WalletGrant).where(col(WalletGrant.id) == grant_id[:40]).with_for_update()
    ).first()
    if row is None or row.holder_id != holder_id:
        raise GrantNotFound("There is no such grant in your wallet.")
    if row.withdrawn_at is None:
        row.withdrawn_at = now
        session.add(row)
        append_activity(
            session,
            vault=vault,
            kind=ActivityKind.GRANT_WITHDRAWN,
            details={"grant_id": grant_id},
            kek=kek,
            now=now,
        )
        session.commit()
    return _grant(vault, row, now)


def grants_to(session: Session, *, grantee_id: str, kek: bytes, now: datetime) -> tuple[Grant, ...]:
    """The grants to an organisation that are active now, newest first."""
    now = require_aware(now)
    rows: Sequence[WalletGrant] = session.exec(
        select(WalletGrant)
        .where(
            col(WalletGrant.grantee_ref) == grantee_ref(kek, grantee_id),
            col(WalletGrant.withdrawn_at).is_(None),
            col(WalletGrant.expires_at) > now,
        )
        .order_by(col(WalletGrant.created_at).desc(), col(WalletGrant.id))
        .limit(1000)
    ).all()
    found = []
    for row in rows:
        vault = open_vault(session, holder_id=row.holder_id, kek=kek)
        found.append(_grant(vault, row, now))
    return tuple(found)


def open_grant_for(
    session: Session, *, grantee_id: str, grant_id: str, kek: bytes, now: datetime
) -> Grant:
    """A grant the organisation may read now.

    Raises :class:`GrantNotFound` (404) for a grant to another organisation or none,
    :class:`GrantWithdrawn` (410) and :class:`GrantExpired` (410).
    """
    now = require_aware(now)
    row = session.get(WalletGrant, grant_id[:40])
    if row is None or row.grantee_ref != grantee_ref(kek, grantee_id):
        raise GrantNotFound("There is no such grant to your organisation.")
    grant = _grant(open_vault(session, holder_id=row.holder_id, kek=kek), row, now)
    if grant.state == "withdrawn":
        raise GrantWithdrawn("The person has withdrawn this grant.")
    if grant.state == "expired":
        raise GrantExpired("This grant has ended.")
    return grant


def record_grant_read(
    session: Session, *, grant: Grant, read: Sequence[str], kek: bytes, now: datetime
) -> None:
    """Count the organisation's read and log it in the person's activity log; commits.

    ``read`` names what was read (``profile``, ``gaps``, credential ids: the grant's scope).
    The first reads of a grant are one entry each; after that the grant gets at most one entry
    a day, which counts every read since its previous entry (``reads``, from
    ``first_read_at``), so an organisation reading in a loop cannot grow the log without end
    (:func:`wallet.activity.counted_entry_due`).
    """
    now = require_aware(now)
    session.execute(
        update(WalletGrant)
        .where(col(WalletGrant.id) == grant.id)
        .values(read_count=col(WalletGrant.read_count) + 1)
        .execution_options(synchronize_session=False)
    )
    row = session.get(WalletGrant, grant.id, populate_existing=True)
    assert row is not None  # open_grant_for found it in this transaction
    if not counted_entry_due(count=row.read_count, last_logged_at=row.last_logged_at, now=now):
        if row.unlogged_since is None:
            row.unlogged_since = now
            session.add(row)
        session.commit()
        return
    reads = row.read_count - row.logged_reads
    details: dict[str, JSONValue] = {
        "grant_id": grant.id,
        "organisation": grant.grantee.name,
        "read": list(read),
        "reads": reads,
    }
    if reads > 1 and row.unlogged_since is not None:
        details["first_read_at"] = as_utc(row.unlogged_since).isoformat()
    append_activity(
        session,
        vault=open_vault(session, holder_id=grant.holder_id, kek=kek),
        kind=ActivityKind.GRANT_READ,
        details=details,
        kek=kek,
        now=now,
    )
    row.logged_reads = row.read_count
    row.last_logged_at = now
    row.unlogged_since = None
    session.add(row)
    session.commit()
