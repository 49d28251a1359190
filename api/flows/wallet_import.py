"""Import: an encrypted wallet export read back with its passphrase, each credential gated again."""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from wallet.checker import CredentialChecker
from wallet.portability import ImportReport, import_wallet


def import_wallet_export(
    session: Session,
    *,
    holder_id: str,
    export: dict[str, Any],
    passphrase: str,
    verify: CredentialChecker,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> ImportReport:
    """Holder keys first, then each credential gated (verifiers) and stored (wallet).

    Only the wallet writes, so the wallet's :func:`~wallet.portability.import_wallet` owns the
    transactions: one for the keys, then one per credential, so a rejected credential is listed
    with its failing check and leaves the others imported. Raises
    :class:`~wallet.errors.ImportInvalid` (422) for a malformed export and
    ``export_passphrase_wrong`` (422) for a wrong passphrase, nothing changed.
    """
    return import_wallet(
        session,
        holder_id=holder_id,
        export=export,
        passphrase=passphrase,
        verify=verify,
        kek=kek,
        base_url=base_url,
        now=now,
    )
