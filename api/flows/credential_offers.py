"""Accept a credential offer from any OpenID4VCI 1.0 issuer into the person's wallet.

Fetch (through the SSRF-safe transport) and sign the key proof with the holder's key (wallet),
then gate (verifiers, through ``verify``) and store (wallet), as every received credential.
"""

from datetime import datetime

from sqlmodel import Session

from api.flows.transaction import end_reads
from wallet import credentials
from wallet.checker import CredentialChecker
from wallet.credentials import CredentialSummary
from wallet.holder_keys import holder_signing_key
from wallet.offer_client import ResolvedOffer, Transport, obtain_credential, resolve_offer


def show_credential_offer(
    session: Session, *, offer_link: str, transport: Transport
) -> ResolvedOffer:
    """Resolve the offer for the person to see (OpenID4VCI 1.0 §4.1, §12.2); stores nothing.

    The request's transaction (it authenticated the person) ends first: no transaction, and on
    SQLite no write lock, is held over the network calls, which may reach this very instance.
    Raises :class:`~wallet.errors.CredentialOfferInvalid` (422).
    """
    end_reads(session)
    return resolve_offer(offer_link, transport=transport)


def accept_credential_offer(
    session: Session,
    *,
    holder_id: str,
    offer_link: str,
    tx_code: str | None,
    transport: Transport,
    verify: CredentialChecker,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> CredentialSummary:
    """Resolve the offer, obtain the credential bound to the holder's key, gate and store it.

    OpenID4VCI 1.0 §3.5 (pre-authorized code flow). The issuer has issued once the credential
    arrives: a credential the gate refuses is not stored (the offer is spent at the issuer).
    Raises :class:`~wallet.errors.CredentialOfferInvalid` (422),
    :class:`~wallet.errors.CredentialOfferRefused` (409), what the gate raises and
    :class:`~wallet.errors.CredentialDuplicate` (409).
    """
    key = holder_signing_key(session, holder_id=holder_id, thumbprint=None, kek=kek)
    end_reads(session)
    offer = resolve_offer(offer_link, transport=transport)
    credential = obtain_credential(offer, tx_code=tx_code, key=key, transport=transport)
    return credentials.receive_credential(
        session,
        holder_id=holder_id,
        credential=credential,
        verify=verify,
        kek=kek,
        base_url=base_url,
        now=now,
    )
