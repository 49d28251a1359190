"""Erasure: the whole wallet deleted for good, after the password again (GDPR Art. 17).

Erasure deletes every row of the person (shares end at once), keeping only a pseudonymous record
that an erasure happened and the final head of their activity chain (:class:`~wallet.tables.
WalletErasure`). The password is asked again first
(:func:`wallet.reauthentication.confirm_password`): an access token alone cannot erase a wallet.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from credentials.clock import require_aware
from wallet.errors import WalletNotFound
from wallet.passwords import PasswordHashing
from wallet.reauthentication import confirm_password
from wallet.tables import (
    WalletAccessToken,
    WalletActivity,
    WalletConsentReceipt,
    WalletCredential,
    WalletDeclaredSkill,
    WalletErasure,
    WalletGoal,
    WalletGrant,
    WalletHolder,
    WalletHolderKey,
    WalletRefreshToken,
    WalletShare,
    WalletTokenFamily,
)
from wallet.vault import derive_key, keyed_hash


@dataclass(frozen=True)
class ErasureReceipt:
    erased_at: datetime
    credentials: int
    shares: int


def erasure_ref(kek: bytes, holder_id: str) -> str:
    """The pseudonym under which an erasure is recorded."""
    return keyed_hash(derive_key(kek, "taito/wallet/erasure-ref/v1"), holder_id.encode("utf-8"))


def erase_wallet(
    session: Session,
    *,
    holder_id: str,
    password: str,
    kek: bytes,
    hashing: PasswordHashing,
    client: str,
    now: datetime,
) -> ErasureReceipt:
    """Erase every row of the person after the password again; every share ends at once.

    GDPR Art. 17. Keeps only :class:`~wallet.tables.WalletErasure`: a pseudonym, the time, and
    the final head of the activity chain. Raises :class:`WalletNotFound` (404),
    :class:`~wallet.errors.ReauthenticationFailed` (403) and
    :class:`~wallet.errors.LoginThrottled` (429); nothing is erased then.
    """
    now = require_aware(now)
    confirm_password(
        session,
        holder_id=holder_id,
        password=password,
        kek=kek,
        hashing=hashing,
        client=client,
        now=now,
    )
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
        WalletGoal,
        WalletGrant,
        WalletConsentReceipt,
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
