"""Credential offers: issue now, bind to the holder's key and sign when the person picks it up.

An issuer that does not know the person's key (the usual case: a study office knows a name and
an e-mail address, not a JWK) makes an *offer*: the request is checked as for any issuance
(:func:`issuers.issuance_input.check_content`: type, accreditation, claims, validity,
disclosable claims) and kept, sealed, with a one-time code for the person. When the person's
wallet redeems the code it hands in its public key; only then is the credential prepared with
that key, given a status entry, signed with the issuer's active key and entered in the register.

The record is shaped as an OpenID4VCI 1.0 pre-authorized code offer (§4.1.1,
``urn:ietf:params:oauth:grant-type:pre-authorized_code``): the code is the pre-authorized code,
the request holds what the Credential Offer's ``credential_configuration_ids`` would name, and
the holder key arrives at redemption as a Credential Request's proof would. A later token and
credential endpoint can redeem the same record through :func:`redeem_offer`.

Codes are 20 characters of Crockford's base32 (100 random bits), shown as ``ABCD-EFGH-...``;
they are read ignoring case, spaces and dashes, with ``O`` as zero and ``I``/``L`` as one. The
database keeps a domain-separated SHA-256 of the normalised code to find the record and the
request sealed with AES-256-GCM under a second, independent hash of it (as pickup codes are):
a copy of the database reveals neither the code nor the claims. Offers expire after 30 days.
"""

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, update
from sqlmodel import Session, col, func, select

from credentials.clock import as_utc, require_aware
from issuers.errors import (
    OfferLimitReached,
    PickupCodeExpired,
    PickupCodeUnknown,
    PickupCodeUsed,
)
from issuers.idempotency import Replay, begin, check_key, complete, fingerprint, release
from issuers.issuance import IssuedCredential, record_credentials, sign_credentials
from issuers.issuance_input import (
    CredentialRequest,
    HolderBinding,
    check_content,
    prepare_credential,
)
from issuers.organisations import IssuerAccount, issuer_by_id
from issuers.pre_authorized import new_grant
from issuers.tables import IssuerAccessToken, IssuerOffer
from schemas import vct_for
from sealing.aead import open_sealed, seal

OFFER_LIFETIME: Final = timedelta(days=30)
OPENID_OFFER_LIFETIME: Final = timedelta(hours=24)
MAX_OPEN_OFFERS: Final = 100_000
"""Unredeemed, unexpired offers an issuer may have at once (each keeps its sealed claims)."""
"""An offer with a pre-authorized code lives a day (OpenID4VCI 1.0 §13.6: short-lived)."""
CODE_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH: Final = 20
_READ_AS: Final = str.maketrans({"O": "0", "I": "1", "L": "1"})
_MAX_TYPED_LENGTH: Final = 100


@dataclass(frozen=True)
class CredentialOffer:
    """An offer as answered to the issuer: the code is shown only now."""

    id: str
    type: str
    vct: str
    format: str
    pickup_code: str
    created_at: datetime
    expires_at: datetime
    reference: str | None = None
    """The ``credential_offer_uri`` handle of an OpenID4VCI offer (issuers.pre_authorized)."""
    tx_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored for idempotent replays."""
        return {
            "offer": True,
            "id": self.id,
            "type": self.type,
            "vct": self.vct,
            "format": self.format,
            "pickup_code": self.pickup_code,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "reference": self.reference,
            "tx_code": self.tx_code,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "CredentialOffer":
        """Rebuild from :meth:`to_json`."""
        return cls(
            id=data["id"],
            type=data["type"],
            vct=data["vct"],
            format=data["format"],
            pickup_code=data["pickup_code"],
            created_at=datetime.fromisoformat(data["created_at"]),
            expires_at=datetime.fromisoformat(data["expires_at"]),
            reference=data.get("reference"),
            tx_code=data.get("tx_code"),
        )


def normalize_offer_code(typed: str) -> str:
    """The code as stored: upper case, no spaces or dashes, ``O``→0 and ``I``/``L``→1."""
    kept = "".join(c for c in typed[:_MAX_TYPED_LENGTH] if not c.isspace() and c not in "-–_")
    return kept.upper().translate(_READ_AS)


def is_offer_code(typed: str) -> bool:
    """Whether ``typed`` reads as an offer code (20 characters of the code alphabet)."""
    code = normalize_offer_code(typed)
    return len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _shown(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _lookup_hash(code: str) -> str:
    return hashlib.sha256(b"taito-offer-lookup|" + code.encode("ascii")).hexdigest()


def _sealing_key(code: str) -> bytes:
    return hashlib.sha256(b"taito-offer-seal|" + code.encode("ascii")).digest()


def _context(offer_id: str) -> bytes:
    return f"issuer-offer|{offer_id}".encode()


def _check_open_offers(session: Session, *, issuer_id: str, now: datetime) -> None:
    open_offers = session.exec(
        select(func.count()).where(
            col(IssuerOffer.issuer_id) == issuer_id,
            col(IssuerOffer.redeemed_at).is_(None),
            col(IssuerOffer.expires_at) > now,
        )
    ).one()
    if open_offers >= MAX_OPEN_OFFERS:
        raise OfferLimitReached(
            f"An issuer has at most {MAX_OPEN_OFFERS} unredeemed offers: wait until some are "
            "picked up or expire."
        )


def create_offer(
    session: Session,
    *,
    issuer: IssuerAccount,
    request: CredentialRequest,
    idempotency_key: str | None,
    kek: bytes,
    base_url: str,
    now: datetime,
    pre_authorized: bool = False,
    lifetime: timedelta = OFFER_LIFETIME,
) -> CredentialOffer:
    """Check ``request`` (it has no holder) and keep it as an offer with a one-time code; commits.

    With ``pre_authorized`` the offer also gets an OpenID4VCI pre-authorized code grant with a
    transaction code (:mod:`issuers.pre_authorized`); either route redeems it, once.
    Idempotent per ``idempotency_key`` like :func:`issuers.issuance.issue_credential`. Raises
    what :func:`check_content` raises, the idempotency errors and :class:`OfferLimitReached`
    (409) at :data:`MAX_OPEN_OFFERS` unredeemed, unexpired offers.
    """
    now = require_aware(now)
    key = check_key(idempotency_key)
    claim = begin(
        session,
        issuer_id=issuer.id,
        key=key,
        request_fingerprint=fingerprint(
            {"oid4vci_offer" if pre_authorized else "offer": request.as_json()}
        ),
        kek=kek,
        now=now,
    )
    if isinstance(claim, Replay):
        return CredentialOffer.from_json(claim.response)
    try:
        fmt, _, _ = check_content(issuer, request, now=now)
        _check_open_offers(session, issuer_id=issuer.id, now=now)
        code = _new_code()
        offer_id = f"ofr_{secrets.token_hex(16)}"
        sealed = seal(
            _sealing_key(code),
            json.dumps(request.as_json(), separators=(",", ":")).encode("utf-8"),
            context=_context(offer_id),
            nonce=secrets.token_bytes(12),
        )
        grant = new_grant(offer_id=offer_id, request=request.as_json()) if pre_authorized else None
        session.add(
            IssuerOffer(
                id=offer_id,
                issuer_id=issuer.id,
                type_slug=request.type,
                format=fmt,
                code_hash=_lookup_hash(code),
                sealed_request=sealed,
                created_at=now,
                expires_at=now + lifetime,
                **(grant.row if grant is not None else {}),
            )
        )
        offer = CredentialOffer(
            id=offer_id,
            type=request.type,
            vct=vct_for(request.type, base_url=base_url),
            format=fmt,
            pickup_code=_shown(code),
            created_at=now,
            expires_at=now + lifetime,
            reference=None if grant is None else grant.reference,
            tx_code=None if grant is None else grant.tx_code,
        )
        complete(
            session, started=claim, issuer_id=issuer.id, response=offer.to_json(), kek=kek, now=now
        )
        session.commit()
    except BaseException:
        release(session, started=claim)
        raise
    return offer


def _request_of(data: dict[str, Any]) -> CredentialRequest:
    valid_until = data.get("valid_until")
    disclosable = data.get("disclosable")
    return CredentialRequest(
        type=data["type"],
        claims=data["claims"],
        holder=None,
        format=data["format"],
        valid_until=None if valid_until is None else datetime.fromisoformat(valid_until),
        expires_in=data.get("expires_in"),
        disclosable=None
        if disclosable is None
        else tuple(p if isinstance(p, str) else tuple(p) for p in disclosable),
    )


def redeem_offer(
    session: Session,
    *,
    code: str,
    holder: HolderBinding,
    kek: bytes,
    base_url: str,
    now: datetime,
    deliver: Callable[[str], object] | None = None,
) -> IssuedCredential:
    """Sign the offered credential bound to ``holder``, once; commits.

    :func:`claim_offer`, then ``deliver`` (for example a wallet's receive), in one transaction:
    if ``deliver`` raises, nothing of it stays and the code is usable again. Raises as
    :func:`claim_offer` and whatever ``deliver`` raises.
    """
    try:
        issued = claim_offer(session, code=code, holder=holder, kek=kek, base_url=base_url, now=now)
        if deliver is not None:
            deliver(issued.credential)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return issued


def claim_offer(
    session: Session,
    *,
    code: str,
    holder: HolderBinding,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> IssuedCredential:
    """Sign the offered credential bound to ``holder`` and claim the offer: a step for a flow.

    The status entry is reserved (committed on its own, as in every issuance: an index reserved
    and never used stays unused) and the credential signed; then the offer is claimed and the
    register row added in the caller's transaction (no commit), so a caller that rolls back
    (the wallet refused the credential) leaves the code usable. Raises
    :class:`PickupCodeUnknown` (404), :class:`PickupCodeUsed` (410, also when another
    redemption won a race), :class:`PickupCodeExpired` (410) and what
    :func:`prepare_credential` raises (the request is checked again, now with the key).
    """
    now = require_aware(now)
    normalized = normalize_offer_code(code)
    if not is_offer_code(normalized):
        raise PickupCodeUnknown("this is not a pickup code")
    code_hash = _lookup_hash(normalized)
    row = session.exec(select(IssuerOffer).where(col(IssuerOffer.code_hash) == code_hash)).first()
    if row is None:
        raise PickupCodeUnknown("the pickup code is not known")
    if row.redeemed_at is not None or row.sealed_request is None:
        raise PickupCodeUsed("the pickup code has been used")
    if as_utc(row.expires_at) <= now:
        raise PickupCodeExpired("the pickup code has expired")
    offer_id, issuer_id = row.id, row.issuer_id
    data = json.loads(
        open_sealed(_sealing_key(normalized), row.sealed_request, context=_context(offer_id))
    )
    return sign_offered(
        session,
        offer_id=offer_id,
        issuer_id=issuer_id,
        request=data,
        holder=holder,
        kek=kek,
        base_url=base_url,
        now=now,
    )


def sign_offered(
    session: Session,
    *,
    offer_id: str,
    issuer_id: str,
    request: dict[str, Any],
    holder: HolderBinding,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> IssuedCredential:
    """Sign the offered ``request`` bound to ``holder`` and claim offer ``offer_id``: a step.

    The one redemption of an offer, whichever the route (pickup code or OpenID4VCI credential
    endpoint): the request is checked again with the key, signed, the register row added and
    the offer claimed by one conditional ``UPDATE`` in the caller's transaction (no commit).
    Raises :class:`PickupCodeUsed` (410) when the offer was redeemed already (also by a
    concurrent redemption) and what :func:`prepare_credential` raises.
    """
    issuer = issuer_by_id(session, issuer_id=issuer_id)
    prepared = prepare_credential(
        issuer, replace(_request_of(request), holder=holder), base_url=base_url, now=now
    )
    (signed,) = sign_credentials(
        session, issuer=issuer, prepared=[prepared], kek=kek, base_url=base_url, now=now
    )
    record_credentials(session, [signed], with_pickup=False)
    claimed = session.exec(
        update(IssuerOffer)
        .where(col(IssuerOffer.id) == offer_id, col(IssuerOffer.redeemed_at).is_(None))
        .values(
            redeemed_at=now,
            sealed_request=None,
            sealed_pre_authorized=None,
            credential_id=signed.issued.id,
        )
    )
    if claimed.rowcount != 1:
        raise PickupCodeUsed("the pickup code has been used")
    return signed.issued


def purge_expired_offers(session: Session, *, now: datetime) -> int:
    """Delete offers that expired unredeemed before ``now`` (their sealed claims with them);
    redeemed ones stay as the link from offer to register entry. Commits; returns how many."""
    now = require_aware(now)
    expired = select(IssuerOffer.id).where(
        col(IssuerOffer.expires_at) <= now, col(IssuerOffer.redeemed_at).is_(None)
    )
    session.exec(delete(IssuerAccessToken).where(col(IssuerAccessToken.offer_id).in_(expired)))
    result = session.exec(
        delete(IssuerOffer).where(
            col(IssuerOffer.expires_at) <= now, col(IssuerOffer.redeemed_at).is_(None)
        )
    )
    session.commit()
    return int(result.rowcount)
