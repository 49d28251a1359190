"""Picking a credential up with a code: the issuers' redemption composed with the wallet's receive.

Two kinds of code reach the same place (``POST /v1/wallet/pickup`` and ``/wallet/receive``):

- an offer code (``ABCD-EFGH-JKMN-PQRS-TVWX``, :mod:`issuers.offers`): the credential is bound
  to this wallet's key and signed now;
- a pickup code of a credential issued to a known key (``tpc_...``, :mod:`issuers.pickup`).

Either way the wallet receives inside the redemption's transaction, through the verification
gate: a credential the wallet refuses leaves the code usable.
"""

from datetime import datetime

from sqlmodel import Session

from issuers.issuance_input import HolderBinding
from issuers.offers import is_offer_code, redeem_offer
from issuers.pickup import redeem_pickup_code
from wallet.checker import CredentialChecker
from wallet.credentials import CredentialSummary, receive_credential
from wallet.holder_keys import holder_binding


def pick_up_credential(
    session: Session,
    *,
    holder_id: str,
    code: str,
    kek: bytes,
    base_url: str,
    checker: CredentialChecker,
    now: datetime,
) -> CredentialSummary:
    """Redeem ``code`` into the wallet of ``holder_id`` and return what was received.

    Raises the issuers' pickup errors (404 unknown, 410 used or expired), their issuance
    errors for an offer that no longer passes its checks, and what the wallet's receive raises
    (the gate's ``CredentialRejected``, 409 ``CredentialDuplicate``).
    """
    received: list[CredentialSummary] = []

    def deliver(credential: str) -> None:
        received.append(
            receive_credential(
                session,
                holder_id=holder_id,
                credential=credential,
                verify=checker,
                kek=kek,
                base_url=base_url,
                now=now,
            )
        )

    if is_offer_code(code):
        binding = holder_binding(session, holder_id=holder_id)
        redeem_offer(
            session,
            code=code,
            holder=HolderBinding(jwk=dict(binding.jwk)),
            kek=kek,
            base_url=base_url,
            now=now,
            deliver=deliver,
        )
    else:
        redeem_pickup_code(session, code=code.strip(), now=now, deliver=deliver)
    return received[0]
