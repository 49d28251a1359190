"""What an issuer publishes without authentication: its keys, its status lists, its types.

- JWT VC Issuer Metadata (SD-JWT VC §4) at ``B/.well-known/jwt-vc-issuer/issuers/{slug}``;
- its did:web document (did:web method, DID Core §5) at ``B/issuers/{slug}/did.json``;
- IETF Status List Tokens (draft-ietf-oauth-status-list §5.1, ``application/statuslist+jwt``,
  2 bits per entry, ``iss``, ``sub``, ``iat``, ``exp`` and ``ttl``) at ``B/status/{list_id}``;
- W3C BitstringStatusListCredentials (Bitstring Status List §2.2; one for revocation, one for
  suspension, 1 bit each) secured as ``vc+jwt`` (VC-JOSE-COSE §3.1.1) at
  ``B/status/w3c/{list_id}-{purpose}``;
- SD-JWT VC Type Metadata at each type's ``vct`` URL.

This instance's own verifier does not fetch these lists: :func:`current_statuses` hands it a
list's statuses as they are now, unsigned, so verification never loads a private key.

Status lists are built from the packed statuses kept on the list row (no scan of the register)
and the signed result is kept in the application's :data:`STATUS_LIST_CACHE` until the list's
version or the signing key changes or the token is half-way to its ``exp``; ``max_age`` for
``Cache-Control`` follows ``ttl``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlmodel import Session, col, select

from credentials.bitstring_status_list import (
    BitstringStatusList,
    build_bitstring_status_list_credential,
)
from credentials.bounded_cache import CacheSlot
from credentials.clock import require_aware
from credentials.did_web import build_did_web_document, did_web_key_id
from credentials.issuer_metadata import build_issuer_metadata
from credentials.status_list import StatusList, StatusType, sign_status_list_token
from credentials.vc_jose import issue_vc_jwt
from issuers.custody import SigningKey, published_keys, signing_key
from issuers.errors import CredentialTypeNotFound, IssuerNotFound, StatusListNotFound
from issuers.identifiers import (
    W3CPurpose,
    issuer_did,
    issuer_identifier,
    parse_w3c_list_name,
    status_list_uri,
    w3c_status_list_uri,
)
from issuers.status import ListKind, StatusListState, read_status_list
from issuers.tables import Issuer
from schemas import UnknownCredentialType, credential_type, type_metadata

STATUS_LIST_TTL: Final = 300
"""Seconds a relying party may cache a status list (IETF ``ttl``; W3C ``ttl`` in ms)."""
STATUS_LIST_LIFETIME: Final = timedelta(hours=24)
"""Validity of a signed status list (``exp`` / ``validUntil``)."""
STATUS_LIST_MEDIA_TYPE: Final = "application/statuslist+jwt"
VC_JWT_MEDIA_TYPE: Final = "application/vc+jwt"

_PURPOSE_VALUE: Final[dict[W3CPurpose, int]] = {
    "revocation": StatusType.INVALID,
    "suspension": StatusType.SUSPENDED,
}


@dataclass(frozen=True)
class PublishedStatusList:
    """A signed status list and how long it may be cached."""

    token: str
    media_type: str
    max_age: int


@dataclass(frozen=True)
class SignedStatusList:
    """A status list as signed: for which version, with which key, when."""

    version: int
    kid: str
    token: str
    signed_at: datetime


def signed_status_list_cost(cache_key: str, signed: SignedStatusList) -> int:
    """What a signed list is charged in the cache: its token, key and kid."""
    return 256 + len(cache_key) + len(signed.kid) + len(signed.token)


STATUS_LIST_CACHE: CacheSlot[str, SignedStatusList] = CacheSlot("taito.status_lists")
"""Where the publishing functions find their application's cache of signed status lists."""


def _issuer_id(session: Session, slug: str) -> str:
    found = session.exec(select(Issuer.id).where(col(Issuer.slug) == slug)).first()
    if found is None:
        raise IssuerNotFound("there is no issuer with this slug")
    return found


def issuer_metadata_document(
    session: Session, *, slug: str, base_url: str, now: datetime
) -> dict[str, Any]:
    """The JWT VC Issuer Metadata of ``slug`` with its published keys (SD-JWT VC §4.2).

    Raises :class:`IssuerNotFound`.
    """
    keys = published_keys(session, issuer_id=_issuer_id(session, slug), now=now)
    return build_issuer_metadata(issuer_identifier(base_url, slug), keys)


def issuer_did_document(
    session: Session, *, slug: str, base_url: str, now: datetime
) -> dict[str, Any]:
    """The did:web document of ``slug``: its keys as assertion methods (DID Core §5.3.2).

    Raises :class:`IssuerNotFound`.
    """
    keys = published_keys(session, issuer_id=_issuer_id(session, slug), now=now)
    return build_did_web_document(issuer_did(base_url, slug), keys)


def credential_type_metadata(*, slug: str, version: int, base_url: str) -> dict[str, Any]:
    """The SD-JWT VC Type Metadata served at the ``vct`` URL (SD-JWT VC §6).

    Raises :class:`CredentialTypeNotFound` for an unknown slug or version.
    """
    try:
        if credential_type(slug).version != version:
            raise CredentialTypeNotFound("there is no such version of the credential type")
        return type_metadata(slug, base_url=base_url)
    except UnknownCredentialType:
        raise CredentialTypeNotFound("there is no such credential type") from None


def status_list_token(
    session: Session, *, list_id: str, base_url: str, kek: bytes, now: datetime
) -> PublishedStatusList:
    """The signed Status List Token of an IETF list (draft-ietf-oauth-status-list §5.1).

    Raises :class:`StatusListNotFound` (also for the id of a W3C list).
    """
    state = _state(session, list_id, kind="ietf")
    token = _cached_or_signed(
        session,
        state,
        cache_key=f"{base_url}|{list_id}",
        base_url=base_url,
        kek=kek,
        now=now,
        purpose=None,
    )
    return PublishedStatusList(token, STATUS_LIST_MEDIA_TYPE, STATUS_LIST_TTL)


def w3c_status_list_credential(
    session: Session, *, name: str, base_url: str, kek: bytes, now: datetime
) -> PublishedStatusList:
    """The ``vc+jwt`` BitstringStatusListCredential ``{list_id}-{purpose}`` (§2.2, §3.1).

    Raises :class:`StatusListNotFound`.
    """
    parsed = parse_w3c_list_name(name)
    if parsed is None:
        raise StatusListNotFound("there is no such status list")
    list_id, purpose = parsed
    state = _state(session, list_id, kind="w3c")
    token = _cached_or_signed(
        session,
        state,
        cache_key=f"{base_url}|w3c|{name}",
        base_url=base_url,
        kek=kek,
        now=now,
        purpose=purpose,
    )
    return PublishedStatusList(token, VC_JWT_MEDIA_TYPE, STATUS_LIST_TTL)


@dataclass(frozen=True)
class CurrentStatuses:
    """A list's statuses now (2 bits each, §4) and the identifiers of the issuer it belongs to."""

    issuer_identifiers: frozenset[str]
    statuses: StatusList


def current_statuses(
    session: Session, *, list_id: str, kind: ListKind, base_url: str
) -> CurrentStatuses:
    """The statuses of a list of ``kind`` as stored now, unsigned (no key is loaded).

    For this instance's own verifier (draft-ietf-oauth-status-list §8.3 without the transport:
    the state the published token would be signed from). Raises :class:`StatusListNotFound`.
    """
    try:
        state = read_status_list(session, list_id=list_id, with_statuses=True)
    except LookupError:
        raise StatusListNotFound("there is no such status list") from None
    if state.kind != kind:
        raise StatusListNotFound("there is no such status list")
    slug = session.exec(select(Issuer.slug).where(col(Issuer.id) == state.issuer_id)).one()
    identifiers = frozenset({issuer_identifier(base_url, slug), issuer_did(base_url, slug)})
    return CurrentStatuses(identifiers, state.as_status_list())


def _state(session: Session, list_id: str, *, kind: str) -> StatusListState:
    try:
        state = read_status_list(session, list_id=list_id, with_statuses=False)
    except LookupError:
        raise StatusListNotFound("there is no such status list") from None
    if state.kind != kind:
        raise StatusListNotFound("there is no such status list")
    return state


def _cached_or_signed(
    session: Session,
    state: StatusListState,
    *,
    cache_key: str,
    base_url: str,
    kek: bytes,
    now: datetime,
    purpose: W3CPurpose | None,
) -> str:
    now = require_aware(now)
    key = signing_key(session, issuer_id=state.issuer_id, kek=kek)
    cache = STATUS_LIST_CACHE.current()
    cached = cache.get(cache_key) if cache is not None else None
    fresh = (
        cached is not None
        and cached.version == state.version
        and cached.kid == key.kid
        and now - cached.signed_at < STATUS_LIST_LIFETIME / 2
        and cached.signed_at <= now
    )
    if cached is not None and fresh:
        return cached.token
    full = read_status_list(session, list_id=state.id, with_statuses=True)
    slug = session.exec(select(Issuer.slug).where(col(Issuer.id) == state.issuer_id)).one()
    if purpose is None:
        token = sign_status_list_token(
            full.as_status_list(),
            key=key.key,
            sub=status_list_uri(base_url, state.id),
            iat=now,
            exp=now + STATUS_LIST_LIFETIME,
            ttl=STATUS_LIST_TTL,
            iss=issuer_identifier(base_url, slug),
        )
    else:
        token = _sign_w3c(full, purpose, slug=slug, key=key, base_url=base_url, now=now)
    if cache is not None:
        cache.put(cache_key, SignedStatusList(full.version, key.kid, token, now))
    return token


def _sign_w3c(
    state: StatusListState,
    purpose: W3CPurpose,
    *,
    slug: str,
    key: SigningKey,
    base_url: str,
    now: datetime,
) -> str:
    wanted = _PURPOSE_VALUE[purpose]
    table = bytes(1 if value == wanted else 0 for value in range(256))
    entries = state.as_status_list().entries().translate(table)
    bitstring = BitstringStatusList.from_entries(entries, bits=1)
    did = issuer_did(base_url, slug)
    credential = build_bitstring_status_list_credential(
        bitstring,
        credential_id=w3c_status_list_uri(base_url, state.id, purpose),
        issuer=did,
        status_purpose=purpose,
        valid_from=now,
        valid_until=now + STATUS_LIST_LIFETIME,
        ttl=STATUS_LIST_TTL * 1000,
    )
    signer = key.with_kid(did_web_key_id(did, key.key.public))
    return issue_vc_jwt(credential, key=signer, issued_at=now)
