"""Receive: a credential handed to the wallet is checked by the verifiers' gate, then stored."""

from datetime import datetime

from sqlmodel import Session

from wallet import credentials
from wallet.checker import CredentialChecker
from wallet.credentials import CredentialSummary


def receive_credential(
    session: Session,
    *,
    holder_id: str,
    credential: str,
    verify: CredentialChecker,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> CredentialSummary:
    """Gate (verifiers, through ``verify``, reading only), then store (wallet).

    Only the wallet writes, so the wallet's
    :func:`~wallet.credentials.receive_credential` is the one transaction. Raises what the gate
    raises (nothing is stored), :class:`~wallet.errors.CredentialDuplicate` (409) and
    :class:`~wallet.errors.WalletNotFound` (404).
    """
    return credentials.receive_credential(
        session,
        holder_id=holder_id,
        credential=credential,
        verify=verify,
        kek=kek,
        base_url=base_url,
        now=now,
    )
