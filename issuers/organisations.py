"""Issuer organisations: creation by an admin, API keys, accreditation and the public profile.

An issuer is identified by ``B/issuers/{slug}`` (SD-JWT VC §3.2.2.2 ``iss``) and by
``did:web:{host}:issuers:{slug}`` (for ``vc+jwt``). It has several named API keys
(:mod:`issuers.api_keys`); creating it makes the first. A disabled issuer's keys stop working
while its published keys and status lists stay online, so credentials it already issued still
verify. An API key used on another issuer's path answers 404
:class:`IssuerNotFound`, exactly like a slug that does not exist, so nothing about other issuers
is revealed (DESIGN.md, "Auth").
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from credentials.did_web import did_web_key_id
from credentials.keys import PublicKey
from issuers.api_keys import add_key_row, holder_of_key, issuer_of_key, note_api_key_use
from issuers.custody import KeyInfo, add_issuer_key, published_keys, rotate_issuer_key
from issuers.errors import IssuerInvalid, IssuerNotFound, IssuerSlugTaken
from issuers.identifiers import SLUG_PATTERN, issuer_did, issuer_identifier, slug_of_identifier
from issuers.tables import Issuer, IssuerAccreditation
from schemas.registry import SLUGS, vct_for

FIRST_KEY_NAME = "first key"


@dataclass(frozen=True)
class IssuerAccount:
    """An issuer as the service works with it (no secret)."""

    id: str
    slug: str
    name: str
    types: tuple[str, ...]
    created_at: datetime
    disabled_at: datetime | None = None


@dataclass(frozen=True)
class CreatedIssuer:
    """A new issuer, its API key (shown this once) and its first signing key."""

    account: IssuerAccount
    api_key: str
    key: KeyInfo


@dataclass(frozen=True)
class IssuerProfile:
    """What a verifier on this instance needs to know of a local issuer.

    ``keys`` are the published keys (also retired ones still covering valid credentials) with
    the ``kid`` a token from ``identifier`` names them by: the JWK thumbprint for the https
    identifier, ``<did>#<thumbprint>`` for the did:web.
    """

    identifier: str
    slug: str
    name: str
    vct_values: tuple[str, ...]
    keys: tuple[PublicKey, ...]


def create_issuer(
    session: Session,
    *,
    name: str,
    slug: str,
    types: Iterable[str],
    alg: str,
    kek: bytes,
    now: datetime,
) -> CreatedIssuer:
    """Create an issuer accredited for ``types`` with a new signing key and API key; commits.

    Raises :class:`IssuerInvalid` (slug, name, types or algorithm) and :class:`IssuerSlugTaken`.
    """
    now = require_aware(now)
    name = name.strip()
    if not SLUG_PATTERN.match(slug):
        raise IssuerInvalid("the slug must be 1-64 lower-case letters, digits and inner hyphens")
    if not 0 < len(name) <= 200:
        raise IssuerInvalid("the name must be 1 to 200 characters")
    accredited = tuple(dict.fromkeys(types))
    if not accredited or any(t not in SLUGS for t in accredited):
        raise IssuerInvalid(f"types must be one or more of: {', '.join(SLUGS)}")
    if session.exec(select(Issuer.id).where(col(Issuer.slug) == slug)).first() is not None:
        raise IssuerSlugTaken("choose another slug")
    issuer = Issuer(id=secrets.token_hex(16), slug=slug, name=name, created_at=now)
    session.add(issuer)
    session.flush()
    first = add_key_row(session, issuer_id=issuer.id, name=FIRST_KEY_NAME, now=now)
    session.add_all(IssuerAccreditation(issuer_id=issuer.id, type_slug=t) for t in accredited)
    key = add_issuer_key(session, issuer_id=issuer.id, alg=alg, kek=kek, now=now)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise IssuerSlugTaken("choose another slug") from None
    account = IssuerAccount(issuer.id, slug, name, tuple(sorted(accredited)), now)
    return CreatedIssuer(account=account, api_key=first.api_key, key=key)


def authenticate_issuer(session: Session, *, slug: str, api_key: str) -> IssuerAccount:
    """The issuer whose API key this is, when ``slug`` is its own.

    Raises :class:`IssuerAPIKeyInvalid` (401) for an unknown or revoked key or one of a disabled
    issuer, and :class:`IssuerNotFound` (404) when the key belongs to another issuer than
    ``slug`` names.
    """
    issuer = issuer_of_key(session, api_key=api_key)
    if issuer.slug != slug:
        raise IssuerNotFound("there is no issuer at this path for this API key")
    return _account(session, issuer)


def authenticate_issuer_use(
    session: Session, *, slug: str, api_key: str, now: datetime
) -> IssuerAccount:
    """:func:`authenticate_issuer`, and the key's use noted (at most once a minute per key).

    One read (issuer, accreditations and the key's last use together); the use is written and
    committed only when the last one noted is a minute old, so most requests write nothing here
    and their work is the request's only transaction. Raises as :func:`authenticate_issuer`.
    """
    holder = holder_of_key(session, api_key=api_key)
    if holder.issuer.slug != slug:
        raise IssuerNotFound("there is no issuer at this path for this API key")
    account = IssuerAccount(
        id=holder.issuer.id,
        slug=holder.issuer.slug,
        name=holder.issuer.name,
        types=holder.types,
        created_at=as_utc(holder.issuer.created_at),
        disabled_at=None,
    )
    note_api_key_use(session, api_key=api_key, last_used_at=holder.last_used_at, now=now)
    return account


def get_issuer(session: Session, *, slug: str) -> IssuerAccount:
    """The issuer with ``slug``; raises :class:`IssuerNotFound`."""
    issuer = session.exec(select(Issuer).where(col(Issuer.slug) == slug)).first()
    if issuer is None:
        raise IssuerNotFound("there is no issuer with this slug")
    return _account(session, issuer)


def list_issuers(session: Session) -> tuple[IssuerAccount, ...]:
    """Every issuer, by slug."""
    issuers = session.exec(select(Issuer).order_by(col(Issuer.slug))).all()
    return tuple(_account(session, issuer) for issuer in issuers)


def rotate_key(session: Session, *, slug: str, alg: str, kek: bytes, now: datetime) -> KeyInfo:
    """Give the issuer a new signing key; the old one stays published while needed. Commits.

    Raises :class:`IssuerNotFound` and :class:`IssuerInvalid` (algorithm).
    """
    issuer = get_issuer(session, slug=slug)
    return rotate_issuer_key(session, issuer_id=issuer.id, alg=alg, kek=kek, now=now)


def set_issuer_disabled(
    session: Session, *, slug: str, disabled: bool, now: datetime
) -> IssuerAccount:
    """Disable the issuer (its API keys stop working) or enable it again; commits.

    Its published keys and status lists stay online either way. Raises :class:`IssuerNotFound`.
    """
    issuer = session.exec(select(Issuer).where(col(Issuer.slug) == slug)).first()
    if issuer is None:
        raise IssuerNotFound("there is no issuer with this slug")
    if disabled and issuer.disabled_at is None:
        issuer.disabled_at = require_aware(now)
    elif not disabled:
        issuer.disabled_at = None
    session.add(issuer)
    session.commit()
    return _account(session, issuer)


def find_local_issuer(
    session: Session, *, identifier: str, base_url: str, now: datetime
) -> IssuerProfile | None:
    """The profile of the issuer of this instance named by ``identifier``, else ``None``.

    ``identifier`` is the issuer's https identifier (SD-JWT VC ``iss``) or its did:web
    (VC-JOSE-COSE ``issuer``). Keys as in :func:`issuers.custody.published_keys`.
    """
    slug = slug_of_identifier(identifier, base_url=base_url)
    if slug is None:
        return None
    issuer = session.exec(select(Issuer).where(col(Issuer.slug) == slug)).first()
    if issuer is None:
        return None
    account = _account(session, issuer)
    keys = published_keys(session, issuer_id=issuer.id, now=now)
    did = issuer_did(base_url, slug)
    if identifier == did:
        keys = tuple(_renamed(key, did_web_key_id(did, key)) for key in keys)
    elif identifier != issuer_identifier(base_url, slug):
        return None
    return IssuerProfile(
        identifier=identifier,
        slug=slug,
        name=account.name,
        vct_values=tuple(vct_for(t, base_url=base_url) for t in account.types),
        keys=keys,
    )


def _renamed(key: PublicKey, kid: str) -> PublicKey:
    return replace(key, kid=kid)


def _account(session: Session, issuer: Issuer) -> IssuerAccount:
    types = session.exec(
        select(IssuerAccreditation.type_slug)
        .where(col(IssuerAccreditation.issuer_id) == issuer.id)
        .order_by(col(IssuerAccreditation.type_slug))
    ).all()
    return IssuerAccount(
        id=issuer.id,
        slug=issuer.slug,
        name=issuer.name,
        types=tuple(types),
        created_at=as_utc(issuer.created_at),
        disabled_at=as_utc(issuer.disabled_at) if issuer.disabled_at else None,
    )


def issuer_by_id(session: Session, *, issuer_id: str) -> IssuerAccount:
    """The issuer with ``issuer_id``; raises :class:`IssuerNotFound`."""
    issuer = session.get(Issuer, issuer_id)
    if issuer is None:
        raise IssuerNotFound("there is no such issuer")
    return _account(session, issuer)
