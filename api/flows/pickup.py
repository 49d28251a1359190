"""Pick up: a one-time code from an issuer on this instance, redeemed into the person's wallet."""

from datetime import datetime

from sqlmodel import Session

from api.flows.transaction import transaction
from issuers.pickup import claim_pickup_code
from wallet.checker import CredentialChecker
from wallet.credentials import CredentialSummary, store_received
from wallet.vault import open_vault


def pick_up_credential(
    session: Session,
    *,
    holder_id: str,
    code: str,
    verify: CredentialChecker,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> CredentialSummary:
    """Claim the code (issuers), gate (verifiers, via ``verify``), store (wallet): one transaction.

    The code is spent only when the wallet has stored the credential: a credential the gate or
    the wallet refuses rolls the claim back and the code stays usable. Raises
    :class:`~issuers.errors.PickupCodeUnknown` (404), :class:`~issuers.errors.PickupCodeUsed`
    and :class:`~issuers.errors.PickupCodeExpired` (410), and what :func:`receive_credential`
    (``api.flows.receive``) raises.
    """
    with transaction(session):
        vault = open_vault(session, holder_id=holder_id, kek=kek)
        credential = claim_pickup_code(session, code=code, now=now)
        return store_received(
            session,
            vault=vault,
            credential=credential,
            verify=verify,
            kek=kek,
            base_url=base_url,
            now=now,
        )
