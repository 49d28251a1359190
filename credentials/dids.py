"""Issuer and holder keys from DIDs: did:jwk, did:key (offline) and did:web (fetched).

VC-JOSE-COSE §4.1.1 ("kid"): ``kid`` MUST be present when the key is expressed as a DID URL, so
a token from a DID must name its key in the ``kid`` header, either as an absolute DID URL of
that very DID or as a relative ``#fragment``. The DID comes from the signed payload (the VC's
``issuer``, the VP's ``holder``), never from the header, and a ``kid`` under another DID is an
``issuer_mismatch``: the key must belong to the DID the token speaks for.

- did:jwk and did:key are self-certifying: the one key is the DID's own (``#0`` for did:jwk,
  ``#<multibase value>`` for did:key) and any other fragment is refused.
- did:web is looked up through the injected :data:`~credentials.fetch.Fetcher` and only keys
  in ``assertionMethod`` count (see :mod:`credentials.did_web`).

Nothing is cached here; the service wraps the fetcher or the resolver with its cache.
"""

from credentials import did_jwk, did_key, did_web
from credentials.did_url import absolute_did_url, parse_did
from credentials.errors import DIDUnsupported, IssuerKeyUnresolved
from credentials.fetch import Fetcher
from credentials.keys import PublicKey
from credentials.resolvers import IssuerKeyResolver

SUPPORTED_METHODS = ("jwk", "key", "web")


def resolve_did_verification_key(did: str, kid: str | None, *, fetch: Fetcher | None) -> PublicKey:
    """Return the key of ``did`` named by the header ``kid`` (VC-JOSE-COSE §4.1.1, §4.3).

    ``fetch`` is needed for did:web only; with ``None`` a did:web is :class:`DIDUnsupported`.
    Raises :class:`~credentials.errors.DIDInvalid`, :class:`DIDUnsupported`,
    :class:`~credentials.errors.IssuerMismatch` (kid under another DID),
    :class:`IssuerKeyUnresolved` (no kid, or a kid naming no key of the DID), and for did:web
    :class:`~credentials.errors.FetchFailed` and :class:`~credentials.errors.DIDDocumentInvalid`.
    """
    method = parse_did(did).method
    if method not in SUPPORTED_METHODS:
        raise DIDUnsupported("the DID method is not supported")
    if kid is None:
        raise IssuerKeyUnresolved("a token from a DID must name its key with kid")
    key_id = absolute_did_url(did, kid)
    if method == did_web.METHOD:
        if fetch is None:
            raise DIDUnsupported("did:web needs a fetcher and none was given")
        return did_web.resolve_did_web(did, key_id, fetch=fetch)
    key = did_jwk.resolve_did_jwk(did) if method == did_jwk.METHOD else did_key.resolve_did_key(did)
    if key.kid != key_id:
        raise IssuerKeyUnresolved("the kid names no verification method of the DID")
    return key


def did_resolver(fetch: Fetcher) -> IssuerKeyResolver:
    """An :class:`IssuerKeyResolver` for issuers (or holders) identified by a DID.

    did:jwk and did:key resolve offline, did:web through ``fetch``; see
    :func:`resolve_did_verification_key` for the rules and errors.
    """

    def resolve(*, issuer: str, kid: str | None) -> PublicKey:
        return resolve_did_verification_key(issuer, kid, fetch=fetch)

    return resolve


def offline_did_resolver(*, issuer: str, kid: str | None) -> PublicKey:
    """An :class:`IssuerKeyResolver` for did:jwk and did:key only, without any network access.

    Suited to holder keys of a presentation. A did:web raises :class:`DIDUnsupported`; other
    errors as in :func:`resolve_did_verification_key`.
    """
    return resolve_did_verification_key(issuer, kid, fetch=None)
