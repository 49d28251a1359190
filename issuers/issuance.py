"""Issuing credentials: SD-JWT VC (``dc+sd-jwt``) and W3C VC 2.0 as ``vc+jwt``.

- ``dc+sd-jwt`` (draft-ietf-oauth-sd-jwt-vc §3.2): ``iss`` is the issuer's https identifier,
  ``vct`` the type's URL, ``cnf`` the holder key, ``status`` an IETF Token Status List reference
  (draft-ietf-oauth-status-list §6.2); salts and decoys come from ``secrets`` (RFC 9901 §9.3,
  §4.2.5); the header ``kid`` is the key's JWK thumbprint, published in the JWT VC Issuer Metadata.
- ``vc+jwt`` (VC-JOSE-COSE §3.1.1): ``issuer`` is the issuer's did:web, ``type`` carries the
  ``vct`` URL, ``credentialSubject.id`` the holder's DID, ``credentialStatus`` one
  BitstringStatusListEntry for revocation and one for suspension (Bitstring Status List §2.1);
  the header ``kid`` is the DID URL of the key in the did:web document.

One issuance is **one** transaction: check the request, take a status entry from the worker's
reserved block (a new block is reserved and committed when it runs out, once per 256
credentials: :mod:`issuers.status_blocks`), sign with the active key (opened once per
application), then record the ``Idempotency-Key`` with the sealed response, the register row
and the pickup code, and commit (:func:`issuers.idempotency.record_finished`; a key already
recorded rolls all of it back and replays the earlier answer). A batch claims its key first, in a
commit of its own, so that a duplicate of a long batch is refused at once instead of signing it
all again (:mod:`issuers.batch`), and records everything else in one more transaction. Whatever
fails before the commit leaves no credential in the register and no key; reserved indices stay
unused, never reused.
"""

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session, SQLModel

from credentials.bitstring_status_list import VC_V2_CONTEXT, build_bitstring_status_entry
from credentials.clock import require_aware
from credentials.did_web import did_web_key_id
from credentials.sd_jwt_issuer import random_decoys, random_salt
from credentials.sd_jwt_vc import issue_sd_jwt_vc
from credentials.vc_jose import issue_vc_jwt
from issuers.custody import SigningKey, signing_key
from issuers.idempotency import check_key, fingerprint, record_finished
from issuers.identifiers import (
    W3C_PURPOSES,
    issuer_did,
    issuer_identifier,
    status_list_uri,
    w3c_status_list_uri,
)
from issuers.issuance_input import CredentialRequest, Format, PreparedCredential, prepare_credential
from issuers.organisations import IssuerAccount
from issuers.pickup import new_pickup
from issuers.register_subject import seal_subject
from issuers.status import ListKind, StatusSlot
from issuers.status_blocks import take_status_slots
from issuers.tables import IssuerCredential, IssuerPickup

_DECOYS = random_decoys(minimum=1, maximum=3)


@dataclass(frozen=True)
class IssuedCredential:
    """An issued credential as answered to the issuer (and replayed for its Idempotency-Key).

    ``status`` is the IETF reference ``{"idx", "uri"}`` of a ``dc+sd-jwt``;
    ``credential_status`` the ``credentialStatus`` entries of a ``vc+jwt``.
    """

    id: str
    type: str
    vct: str
    format: Format
    credential: str
    status: dict[str, Any] | None
    credential_status: tuple[dict[str, Any], ...] | None
    pickup_code: str
    issued_at: datetime
    expires_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored for idempotent replays."""
        return {
            "id": self.id,
            "type": self.type,
            "vct": self.vct,
            "format": self.format,
            "credential": self.credential,
            "status": self.status,
            "credential_status": None
            if self.credential_status is None
            else list(self.credential_status),
            "pickup_code": self.pickup_code,
            "issued_at": self.issued_at.isoformat(),
            "expires_at": None if self.expires_at is None else self.expires_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "IssuedCredential":
        """Rebuild from :meth:`to_json`."""
        status = data["credential_status"]
        expires = data["expires_at"]
        return cls(
            id=data["id"],
            type=data["type"],
            vct=data["vct"],
            format="vc+jwt" if data["format"] == "vc+jwt" else "dc+sd-jwt",
            credential=data["credential"],
            status=data["status"],
            credential_status=None if status is None else tuple(status),
            pickup_code=data["pickup_code"],
            issued_at=datetime.fromisoformat(data["issued_at"]),
            expires_at=None if expires is None else datetime.fromisoformat(expires),
        )


@dataclass(frozen=True)
class SignedCredential:
    """A signed credential and the rows that record it (not yet in the database)."""

    issued: IssuedCredential
    register_row: dict[str, Any]
    pickup_row: dict[str, Any]


def issue_credential(
    session: Session,
    *,
    issuer: IssuerAccount,
    request: CredentialRequest,
    idempotency_key: str | None,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> IssuedCredential:
    """Issue one credential (see the module docstring); idempotent per ``idempotency_key``.

    Raises :class:`~issuers.errors.IdempotencyKeyMissing`, ``IdempotencyKeyReused``,
    ``IdempotencyInProgress`` and everything
    :func:`issuers.issuance_input.prepare_credential` raises
    (``CredentialTypeUnknown``, ``TypeNotAccredited``, ``ClaimsInvalid``,
    ``PersonalIdentityCode``, ``HolderBindingInvalid``, ``ValidityInvalid``,
    ``DisclosableInvalid``).
    """
    now = require_aware(now)
    key = check_key(idempotency_key)
    request_fingerprint = fingerprint({"credential": request.as_json()})
    try:
        prepared = prepare_credential(issuer, request, base_url=base_url, now=now)
        signed = sign_credentials(
            session, issuer=issuer, prepared=[prepared], kek=kek, base_url=base_url, now=now
        )
        issued = signed[0].issued
        replay = record_finished(
            session,
            issuer_id=issuer.id,
            key=key,
            request_fingerprint=request_fingerprint,
            response=issued.to_json(),
            kek=kek,
            now=now,
        )
        if replay is not None:
            session.rollback()  # the credential just signed is never recorded nor answered
            return IssuedCredential.from_json(replay.response)
        record_credentials(session, signed)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return issued


def sign_credentials(
    session: Session,
    *,
    issuer: IssuerAccount,
    prepared: Sequence[PreparedCredential],
    kek: bytes,
    base_url: str,
    now: datetime,
) -> list[SignedCredential]:
    """Take reserved status entries (:mod:`issuers.status_blocks`) and sign each credential.

    draft-ietf-oauth-status-list §6.2, Bitstring Status List §2.1. Raises
    :class:`~sealing.aead.SealError` when the issuer's key does not open.
    """
    wanted: dict[ListKind, int] = defaultdict(int)
    for item in prepared:
        wanted[_kind(item.format)] += 1
    slots: dict[ListKind, list[StatusSlot]] = {
        kind: list(take_status_slots(session, issuer_id=issuer.id, kind=kind, count=count, now=now))
        for kind, count in wanted.items()
    }
    signer = _Signer(
        signing_key(session, issuer_id=issuer.id, kek=kek), issuer, base_url, now, kek=kek
    )
    return [signer.sign(item, slots[_kind(item.format)].pop()) for item in prepared]


def record_credentials(
    session: Session, signed: Sequence[SignedCredential], *, with_pickup: bool = True
) -> None:
    """Add the register rows and (unless ``with_pickup`` is false: a redeemed offer is picked up
    already) the pickup rows, with one bulk insert each (the caller commits)."""
    if not signed:
        return
    # Core inserts (executemany, batched into multi-row VALUES by SQLAlchemy): no ORM objects.
    connection = session.connection()
    connection.execute(insert(_table(IssuerCredential)), [s.register_row for s in signed])
    if with_pickup:
        connection.execute(insert(_table(IssuerPickup)), [s.pickup_row for s in signed])


def _kind(fmt: Format) -> ListKind:
    return "w3c" if fmt == "vc+jwt" else "ietf"


class _Signer:
    """Signs prepared credentials of one issuer with one key at one time."""

    def __init__(
        self, key: SigningKey, issuer: IssuerAccount, base_url: str, now: datetime, *, kek: bytes
    ):
        self.key = key
        self.kek = kek
        self.issuer = issuer
        self.base_url = base_url
        self.now = now
        self.identifier = issuer_identifier(base_url, issuer.slug)
        self.did = issuer_did(base_url, issuer.slug)
        self.did_key = key.with_kid(did_web_key_id(self.did, key.key.public))

    def sign(self, item: PreparedCredential, slot: StatusSlot) -> SignedCredential:
        credential_id = secrets.token_hex(16)
        status: dict[str, Any] | None = None
        entries: tuple[dict[str, Any], ...] | None = None
        if item.format == "dc+sd-jwt":
            status = {"idx": slot.idx, "uri": status_list_uri(self.base_url, slot.list_id)}
            credential = self._sd_jwt_vc(item, status)
        else:
            entries = tuple(
                build_bitstring_status_entry(
                    status_list_credential=w3c_status_list_uri(
                        self.base_url, slot.list_id, purpose
                    ),
                    index=slot.idx,
                    status_purpose=purpose,
                )
                for purpose in W3C_PURPOSES
            )
            credential = self._vc_jwt(item, entries)
        pickup = new_pickup(credential_id=credential_id, credential=credential, now=self.now)
        issued = IssuedCredential(
            id=credential_id,
            type=item.type,
            vct=item.vct,
            format=item.format,
            credential=credential,
            status=status,
            credential_status=entries,
            pickup_code=pickup.code,
            issued_at=self.now,
            expires_at=item.expires_at,
        )
        row = {
            "id": credential_id,
            "issuer_id": self.issuer.id,
            "type_slug": item.type,
            "vct": item.vct,
            "format": item.format,
            "list_id": slot.list_id,
            "idx": slot.idx,
            "status": "valid",
            "digest": hashlib.sha256(credential.encode("ascii")).hexdigest(),
            "kid": self.key.kid,
            "issued_at": self.now,
            "expires_at": item.expires_at,
            "status_changed_at": None,
            "sealed_subject": seal_subject(item.claims, credential_id=credential_id, kek=self.kek),
        }
        return SignedCredential(issued=issued, register_row=row, pickup_row=pickup.row)

    def _sd_jwt_vc(self, item: PreparedCredential, status: dict[str, Any]) -> str:
        issued = issue_sd_jwt_vc(
            item.claims,
            issuer=self.identifier,
            vct=item.vct,
            issued_at=self.now,
            issuer_key=self.key.key,
            salt=random_salt,
            holder_key=item.holder_key,
            expires_at=item.expires_at,
            status={"status_list": status},
            decoys=_DECOYS,
            header={"kid": self.key.kid},
        )
        return issued.serialized

    def _vc_jwt(self, item: PreparedCredential, entries: tuple[dict[str, Any], ...]) -> str:
        credential: dict[str, Any] = {
            "@context": [VC_V2_CONTEXT],
            "type": ["VerifiableCredential", item.vct],
            "issuer": self.did,
            "validFrom": _date_time(self.now),
        }
        if item.expires_at is not None:
            credential["validUntil"] = _date_time(item.expires_at)
        credential["credentialSubject"] = {"id": item.holder_did, **item.claims}
        credential["credentialStatus"] = list(entries)
        return issue_vc_jwt(credential, key=self.did_key, issued_at=self.now)


def _date_time(moment: datetime) -> str:
    return require_aware(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table
