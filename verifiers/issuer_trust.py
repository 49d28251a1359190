"""Whether an issuer is known and trusted for a credential type, and its keys (SD-JWT VC §3.5).

The verification gate asks :func:`find_issuer_trust` about the ``iss`` of a credential. The
answer comes from the trust registry (:mod:`verifiers.trust`) and, for issuers of this instance,
from the ``local_issuer`` lookup the API injects (:data:`LocalIssuerLookup`, adapted from the
issuers service). An issuer of this instance is trusted for exactly the types it is accredited
for; a registry entry naming it, whatever its key source, can narrow that further, never widen
it (docs/security.md: a rogue issuer on the same instance must not sign for a type it is not
accredited for, and a registry entry must not lend it one).

The keys of an issuer are only ever taken from its trusted source: never from a token header.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from credentials.dids import did_resolver
from credentials.errors import IssuerKeyUnresolved, IssuerMismatch
from credentials.fetch import MAX_DOCUMENT_BYTES, fetch_document
from credentials.issuer_metadata import metadata_resolver, parse_jwk_set
from credentials.keys import PublicKey, public_key_from_jwk
from credentials.resolvers import IssuerKeyResolver, pick_key
from credentials.snapshot import Snapshot
from verifiers.admission import IssuerTrust
from verifiers.fetching import DocumentCache, Fetcher, caching_body_fetcher
from verifiers.status import LocalStatusLookup, no_local_status
from verifiers.trust import find_trust_entry
from verifiers.trust_entries import KeySource, TrustEntry, trusted_vcts


@dataclass(frozen=True)
class LocalIssuerInfo:
    """An issuer of this instance, as the issuers service describes it to the verifier.

    ``keys`` are every public key the issuer still publishes (the active one and older ones whose
    credentials may still be presented); ``accredited_vcts`` the ``vct`` values of the types it
    is accredited for.
    """

    identifier: str
    display_name: str
    accredited_vcts: frozenset[str]
    keys: tuple[PublicKey, ...]


LocalIssuerLookup = Callable[[str], LocalIssuerInfo | None]
"""``local_issuer(identifier)``: the issuer of this instance with that ``iss``, or ``None``."""

TrustSnapshot = Snapshot[str, TrustEntry | None]
"""The trust registry's entries by identifier (``None``: not in the registry), kept while the
registry's version (:mod:`verifiers.state_version`) is unchanged."""

TRUST_ENTRY_BYTES = 16 * 1024
"""What one kept registry entry is charged: an entry is at most a few pinned JWKs and a URL."""


def trust_entry_cost(identifier: str, entry: TrustEntry | None) -> int:
    """The bytes a :data:`TrustSnapshot` entry is charged (an upper estimate)."""
    return len(identifier) + (TRUST_ENTRY_BYTES if entry is not None else 64)


@dataclass(frozen=True)
class LocalVersion:
    """The local issuers' state version, for a door to read in a statement it makes anyway.

    ``sql`` is a scalar subquery (the issuers service's); ``give`` hands the value read to the
    lookups that key their snapshots by it, so they need not read it in a statement of their
    own. A door that does not read it leaves the lookups to read it on first use.
    """

    sql: str
    give: Callable[[str | None], None]


@dataclass(frozen=True)
class Sources:
    """What the gate needs from outside: a fetcher, the local issuer lookup and the cache.

    The API builds one per request: ``fetch`` is the local-first fetcher (this instance's own
    documents in-process, with ``max_age`` zero; others through ``api.fetch``), ``local_issuer``
    adapts the issuers service on the request's session, ``cache`` is the one
    :class:`DocumentCache` of the process (``app.state``), and ``local_status`` reads this
    instance's status lists from the issuers' state, unsigned, so no private key is loaded.
    ``trust_entries`` is the application's snapshot of the trust registry (``None``: read the
    registry at every lookup, as the command line and service tests do). ``local_version``:
    how the issuers' state version behind ``local_issuer`` and ``local_status`` may be read
    along the way (``None``: they read it themselves).
    """

    fetch: Fetcher
    local_issuer: LocalIssuerLookup
    cache: DocumentCache
    local_status: LocalStatusLookup = no_local_status
    trust_entries: TrustSnapshot | None = None
    local_version: LocalVersion | None = None


def _keys_resolver(identifier: str, keys: tuple[PublicKey, ...]) -> IssuerKeyResolver:
    def resolve(*, issuer: str, kid: str | None) -> PublicKey:
        if issuer != identifier:
            raise IssuerMismatch("the key was asked for another issuer")
        if not keys:
            raise IssuerKeyUnresolved("the issuer publishes no keys")
        return pick_key(keys, kid)

    return resolve


def _unavailable(*, issuer: str, kid: str | None) -> PublicKey:
    raise IssuerKeyUnresolved("the issuer of this instance is not available")


def _bound(identifier: str, resolver: IssuerKeyResolver) -> IssuerKeyResolver:
    def resolve(*, issuer: str, kid: str | None) -> PublicKey:
        if issuer != identifier:
            raise IssuerMismatch("the key was asked for another issuer")
        return resolver(issuer=issuer, kid=kid)

    return resolve


def _jwks_url_resolver(url: str, body_fetch: Callable[[str], bytes]) -> IssuerKeyResolver:
    def resolve(*, issuer: str, kid: str | None) -> PublicKey:
        body = fetch_document(body_fetch, url, what="JWK Set", max_bytes=MAX_DOCUMENT_BYTES)
        return pick_key(parse_jwk_set(body), kid)

    return resolve


def _entry_trust(
    entry: TrustEntry, *, sources: Sources, now: datetime, local: LocalIssuerInfo | None
) -> IssuerTrust:
    body_fetch = caching_body_fetcher(sources.fetch, cache=sources.cache, now=now)
    # An issuer of this instance: the entry narrows its accreditation, never widens it.
    vcts = trusted_vcts(entry, accredited=local.accredited_vcts if local else None)
    resolver: IssuerKeyResolver
    if entry.key_source is KeySource.LOCAL:
        keys = local.keys if local else ()
        resolver = _keys_resolver(entry.identifier, keys) if local else _unavailable
    elif entry.key_source is KeySource.PINNED_JWK:
        jwks = (entry.jwks or {}).get("keys", [])
        keys = tuple(public_key_from_jwk(jwk) for jwk in jwks)
        resolver = _keys_resolver(entry.identifier, keys)
    elif entry.key_source is KeySource.JWKS_URL:
        resolver = _jwks_url_resolver(str(entry.key_url), body_fetch)
    elif entry.key_source is KeySource.ISSUER_METADATA:
        resolver = metadata_resolver(body_fetch)
    else:
        resolver = did_resolver(body_fetch)
    return IssuerTrust(
        identifier=entry.identifier,
        display_name=entry.display_name,
        trusted_vcts=vcts,
        key_source=entry.key_source,
        resolve_key=_bound(entry.identifier, resolver),
    )


@dataclass(frozen=True)
class TrustVersion:
    """The trust registry's version as read in this transaction (``None``: no change yet)."""

    value: str | None


def find_issuer_trust(
    session: Session,
    *,
    identifier: str,
    sources: Sources,
    now: datetime,
    trust_version: TrustVersion | None = None,
) -> IssuerTrust | None:
    """The trust this instance places in ``identifier``, or ``None`` for an unknown issuer.

    SD-JWT VC §3.5. A registry entry wins, except that for an issuer of this instance it only
    narrows the accredited types; an issuer of this instance without one is trusted for its
    accredited types. The entry comes from ``sources.trust_entries`` when ``trust_version`` (read
    in this transaction) is given, else from the registry. Raises nothing for an unknown issuer
    (the caller reports it).
    """
    snapshot = sources.trust_entries
    if snapshot is not None and trust_version is not None:
        entry = snapshot.read(
            identifier,
            version=trust_version.value,
            load=lambda: find_trust_entry(session, identifier=identifier),
        )
    else:
        entry = find_trust_entry(session, identifier=identifier)
    local = sources.local_issuer(identifier)
    if local is not None and local.identifier != identifier:
        local = None
    if entry is not None:
        return _entry_trust(entry, sources=sources, now=now, local=local)
    if local is None:
        return None
    return IssuerTrust(
        identifier=identifier,
        display_name=local.display_name,
        trusted_vcts=local.accredited_vcts,
        key_source=KeySource.LOCAL,
        resolve_key=_keys_resolver(identifier, local.keys),
    )
