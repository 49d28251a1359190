"""Pick up: a code from an issuer on this instance, redeemed into the person's wallet.

Two kinds of code reach the same flow (``POST /v1/wallet/pickup`` and the page
``/wallet/receive``):

- an offer code (``ABCD-EFGH-JKMN-PQRS-TVWX``, :mod:`issuers.offers`): the credential is bound
  to this wallet's key and signed now;
- a pickup code of a credential issued to a known key (``tpc_...``, :mod:`issuers.pickup`).
"""

from datetime import datetime

from sqlmodel import Session

from api.flows.transaction import transaction
from issuers.issuance_input import HolderBinding
from issuers.offers import claim_offer, is_offer_code
from issuers.pickup import claim_pickup_code
from wallet.checker import CredentialChecker
from wallet.credentials import CredentialSummary, store_received
from wallet.holder_keys import holder_binding
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
    and :class:`~issuers.errors.PickupCodeExpired` (410), the issuers' issuance errors for an
    offer that no longer passes its checks, and what the wallet's
    :func:`~wallet.credentials.store_received` raises (the gate's ``CredentialRejected``, 409
    ``CredentialDuplicate``).
    """
    with transaction(session):
        if is_offer_code(code):
            binding = holder_binding(session, holder_id=holder_id)
            # Signing first reserves a status entry and commits it on its own (before any write
            # of this flow); the claim and the register row join this transaction.
            credential = claim_offer(
                session,
                code=code,
                holder=HolderBinding(jwk=dict(binding.jwk)),
                kek=kek,
                base_url=base_url,
                now=now,
            ).credential
        else:
            credential = claim_pickup_code(session, code=code.strip(), now=now)
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
