"""Receive: a credential handed to the wallet is checked by the verifiers' gate, then stored."""

from datetime import datetime

from sqlmodel import Session

from api.flows.transaction import transaction
from wallet.checker import CredentialChecker
from wallet.credentials import CredentialSummary, store_received
from wallet.vault import open_vault


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
    """Gate (verifiers, through ``verify``), then store (wallet); one transaction.

    Raises what the gate raises (nothing is stored), :class:`~wallet.errors.CredentialDuplicate`
    (409) and :class:`~wallet.errors.WalletNotFound` (404).
    """
    with transaction(session):
        vault = open_vault(session, holder_id=holder_id, kek=kek)
        return store_received(
            session,
            vault=vault,
            credential=credential,
            verify=verify,
            kek=kek,
            base_url=base_url,
            now=now,
        )
