"""Verifier organisations: created by an admin, authenticated by their API key.

A verifier's client identifier, ``{base_url}/verifiers/{slug}``, is the audience (``aud``) of
every presentation made to it (OpenID4VP 1.0 §5.9, "Client Identifier"; RFC 9901 §4.3 for the
KB-JWT ``aud``). It has several named API keys (:mod:`verifiers.api_keys`); creating it makes the
first. A disabled verifier's keys stop working.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials.bounded_cache import BoundedCache
from credentials.clock import as_utc, require_aware
from sealing.secret_hashes import hash_secret
from verifiers.api_keys import (
    API_KEY_PREFIX,
    add_key_row,
    note_api_key_use,
    verifier_and_last_use,
    verifier_of_key,
)
from verifiers.errors import (
    GuidanceOrganisationNotFound,
    VerifierInvalid,
    VerifierNotFound,
    VerifierSlugTaken,
)
from verifiers.tables import Verifier

_SLUG = re.compile(r"\A[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")
FIRST_KEY_NAME = "first key"


@dataclass(frozen=True)
class VerifierInfo:
    """A verifier organisation as the rest of Taito sees it (never its key hash)."""

    id: str
    slug: str
    name: str
    client_id: str
    created_at: datetime
    guidance: bool = False
    disabled_at: datetime | None = None


@dataclass(frozen=True)
class CreatedVerifier:
    """A new verifier and its API key, which is shown this once and never stored."""

    verifier: VerifierInfo
    api_key: str


def client_id_for(slug: str, *, base_url: str) -> str:
    """The verifier's client identifier, the audience of presentations (OpenID4VP 1.0 §5.9)."""
    return f"{base_url.rstrip('/')}/verifiers/{slug}"


def _info(row: Verifier, base_url: str) -> VerifierInfo:
    return VerifierInfo(
        id=row.id,
        slug=row.slug,
        name=row.name,
        client_id=client_id_for(row.slug, base_url=base_url),
        created_at=as_utc(row.created_at),
        guidance=row.guidance,
        disabled_at=as_utc(row.disabled_at) if row.disabled_at else None,
    )


def create_verifier(
    session: Session,
    *,
    slug: str,
    name: str,
    base_url: str,
    now: datetime,
    guidance: bool = False,
) -> CreatedVerifier:
    """Create a verifier organisation with a new API key (admin action).

    ``guidance`` marks a guidance or employment service, to which people may grant access to
    their skills profile (issue 16).

    The slug is lower-case letters, digits and hyphens (1-64, no leading or trailing hyphen).
    Raises :class:`VerifierInvalid` for a bad slug or name and :class:`VerifierSlugTaken`.
    """
    if not _SLUG.match(slug):
        raise VerifierInvalid("the slug must be 1-64 lower-case letters, digits and hyphens")
    name = name.strip()
    if not 1 <= len(name) <= 200 or any(ord(c) < 0x20 for c in name):
        raise VerifierInvalid("the name must be 1-200 printable characters")
    now = require_aware(now)
    row = Verifier(
        id="vrf_" + secrets.token_hex(16), slug=slug, name=name, created_at=now, guidance=guidance
    )
    session.add(row)
    try:
        session.flush()
        first = add_key_row(session, verifier_id=row.id, name=FIRST_KEY_NAME, now=now)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise VerifierSlugTaken("the slug is already used by another verifier") from None
    return CreatedVerifier(verifier=_info(row, base_url), api_key=first.api_key)


def authenticate_verifier(
    session: Session, *, api_key: str, slug: str | None, base_url: str
) -> VerifierInfo:
    """The verifier whose API key this is; with ``slug``, it must be that verifier.

    Raises :class:`VerifierKeyInvalid` (401) for an unknown, malformed or revoked key or one of a
    disabled verifier, and
    :class:`VerifierNotFound` (404) when the key belongs to a verifier other than ``slug``: a
    verifier cannot learn whether another verifier exists.
    """
    row = verifier_of_key(session, api_key=api_key)
    if slug is not None and row.slug != slug:
        raise VerifierNotFound("there is no such verifier")
    return _info(row, base_url)


def authenticate_verifier_use(
    session: Session, *, api_key: str, slug: str | None, base_url: str, now: datetime
) -> VerifierInfo:
    """:func:`authenticate_verifier`, and the key's use noted (at most once a minute per key).

    One read (the verifier and the key's last use together); the use is written and committed
    only when the last one noted is a minute old, so most requests write nothing here and their
    work is the request's only transaction. Raises as :func:`authenticate_verifier`.
    """
    row, last_used_at = verifier_and_last_use(session, api_key=api_key)
    if slug is not None and row.slug != slug:
        raise VerifierNotFound("there is no such verifier")
    info = _info(row, base_url)
    note_api_key_use(session, api_key=api_key, last_used_at=last_used_at, now=now)
    return info


RememberedVerifiers = BoundedCache[str, VerifierInfo]
"""Verifiers by the hash of their API key, kept only for ``POST /v1/verifications``, whose nonce
statement confirms the key again (:func:`verifiers.nonces.consume_usable_nonce`)."""


def remembered_verifier_cost(key_hash: str, info: VerifierInfo) -> int:
    """The bytes a remembered verifier is charged (an upper estimate)."""
    return 512 + len(key_hash) + len(info.slug) + len(info.name) * 4 + len(info.client_id)


def recall_verifier(*, api_key: str, remembered: RememberedVerifiers) -> VerifierInfo | None:
    """The verifier remembered for this API key, if any (the caller must confirm the key
    in the statement that consumes its nonce; see :data:`RememberedVerifiers`)."""
    if not api_key.startswith(API_KEY_PREFIX) or len(api_key) > 200:
        return None
    return remembered.get(hash_secret(api_key))


def remember_verifier(
    *, api_key: str, verifier: VerifierInfo, remembered: RememberedVerifiers
) -> None:
    """Keep ``verifier`` for its API key (just authenticated by :func:`authenticate_verifier`)."""
    remembered.put(hash_secret(api_key), verifier)


def api_key_hash(api_key: str) -> str:
    """How a verifier's API key is stored and looked up (SHA-256 hex)."""
    return hash_secret(api_key)


def get_verifier(session: Session, *, slug: str, base_url: str) -> VerifierInfo:
    """The verifier with ``slug``; raises :class:`VerifierNotFound`."""
    row = session.exec(select(Verifier).where(col(Verifier.slug) == slug)).first()
    if row is None:
        raise VerifierNotFound("there is no such verifier")
    return _info(row, base_url)


def verifier_by_id(session: Session, *, verifier_id: str, base_url: str) -> VerifierInfo:
    """The verifier with this id; raises :class:`VerifierNotFound`."""
    row = session.get(Verifier, verifier_id)
    if row is None:
        raise VerifierNotFound("there is no such verifier")
    return _info(row, base_url)


def list_verifiers(session: Session, *, base_url: str) -> tuple[VerifierInfo, ...]:
    """Every verifier organisation, by slug (admin view)."""
    rows = session.exec(select(Verifier).order_by(col(Verifier.slug))).all()
    return tuple(_info(row, base_url) for row in rows)


def guidance_organisation(session: Session, *, slug: str, base_url: str) -> VerifierInfo:
    """The guidance or employment service with ``slug``.

    Raises :class:`GuidanceOrganisationNotFound` (404) for an unknown slug and for a verifier
    that is not a guidance service alike.
    """
    row = session.exec(select(Verifier).where(col(Verifier.slug) == slug[:64])).first()
    if row is None or not row.guidance:
        raise GuidanceOrganisationNotFound("there is no guidance organisation with this name")
    return _info(row, base_url)


def guidance_organisations(session: Session, *, base_url: str) -> tuple[VerifierInfo, ...]:
    """Every guidance or employment service, by name."""
    rows = session.exec(
        select(Verifier).where(col(Verifier.guidance)).order_by(col(Verifier.name))
    ).all()
    return tuple(_info(row, base_url) for row in rows)


def set_verifier_disabled(
    session: Session, *, slug: str, disabled: bool, base_url: str, now: datetime
) -> VerifierInfo:
    """Disable the verifier (its API keys stop working) or enable it again; commits.

    Raises :class:`VerifierNotFound`.
    """
    row = session.exec(select(Verifier).where(col(Verifier.slug) == slug)).first()
    if row is None:
        raise VerifierNotFound("there is no such verifier")
    if disabled and row.disabled_at is None:
        row.disabled_at = require_aware(now)
    elif not disabled:
        row.disabled_at = None
    session.add(row)
    session.commit()
    return _info(row, base_url)
