"""Flows that cross services, composed at the edge (services never import each other).

- The verification gate (``verifiers``) needs documents: this instance's own (status lists,
  issuer metadata, DID documents, type metadata) are served in-process from the ``issuers``
  service with a lifetime of zero, so a revocation is visible at once and the server never calls
  itself over HTTP; anything else goes through the SSRF-safe :mod:`api.fetch`.
- The gate learns which issuers live on this instance, their keys and accredited types, through
  :func:`local_issuer_lookup`, an adapter of ``issuers.organisations.find_local_issuer``.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlmodel import Session

from api.fetch import remote_fetcher
from api.settings import Settings
from credentials.encoding import json_dumps
from credentials.errors import FetchFailed, TaitoError
from issuers.organisations import find_local_issuer
from issuers.publishing import (
    credential_type_metadata,
    issuer_did_document,
    issuer_metadata_document,
    status_list_token,
    w3c_status_list_credential,
)
from verifiers.fetching import DocumentCache, Fetched, Fetcher
from verifiers.issuer_trust import LocalIssuerInfo, LocalIssuerLookup, Sources

_FRESH = timedelta(0)
_ROUTES = (
    ("w3c_status", re.compile(r"/status/w3c/(?P<name>[A-Za-z0-9_-]{1,80})")),
    ("status", re.compile(r"/status/(?P<list_id>[A-Za-z0-9_-]{1,80})")),
    ("metadata", re.compile(r"/\.well-known/jwt-vc-issuer/issuers/(?P<slug>[a-z0-9-]{1,64})")),
    ("did", re.compile(r"/issuers/(?P<slug>[a-z0-9-]{1,64})/did\.json")),
    ("type", re.compile(r"/types/(?P<slug>[a-z0-9_]{1,64})/v(?P<version>[0-9]{1,4})")),
)


def local_document(
    session: Session, url: str, *, base_url: str, kek: bytes, now: datetime
) -> bytes | None:
    """The body this instance publishes at ``url``, or ``None`` when ``url`` is not ours.

    Raises :class:`FetchFailed` for one of our URLs that names nothing (as a 404 would).
    """
    prefix = base_url.rstrip("/")
    if not url.startswith(prefix + "/"):
        return None
    path = url[len(prefix) :]
    for name, pattern in _ROUTES:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        try:
            return _render(session, name, match.groupdict(), base_url=prefix, kek=kek, now=now)
        except TaitoError:
            raise FetchFailed("this instance publishes no such document") from None
    raise FetchFailed("this instance publishes no such document")


def _render(
    session: Session,
    name: str,
    parts: dict[str, str],
    *,
    base_url: str,
    kek: bytes,
    now: datetime,
) -> bytes:
    if name == "w3c_status":
        published = w3c_status_list_credential(
            session, name=parts["name"], base_url=base_url, kek=kek, now=now
        )
        return published.token.encode("ascii")
    if name == "status":
        published = status_list_token(
            session, list_id=parts["list_id"], base_url=base_url, kek=kek, now=now
        )
        return published.token.encode("ascii")
    if name == "metadata":
        document = issuer_metadata_document(session, slug=parts["slug"], base_url=base_url, now=now)
    elif name == "did":
        document = issuer_did_document(session, slug=parts["slug"], base_url=base_url, now=now)
    else:
        document = credential_type_metadata(
            slug=parts["slug"], version=int(parts["version"]), base_url=base_url
        )
    return json_dumps(document).encode("utf-8")


def local_first_fetcher(
    session: Session, *, settings: Settings, kek: bytes, remote: Fetcher
) -> Fetcher:
    """A fetcher that serves this instance's own documents in-process, others remotely."""

    def fetch(url: str) -> Fetched:
        body = local_document(
            session, url, base_url=settings.base_url, kek=kek, now=datetime.now(UTC)
        )
        if body is not None:
            return Fetched(body=body, max_age=_FRESH)
        return remote(url)

    return fetch


def local_issuer_lookup(session: Session, *, settings: Settings) -> LocalIssuerLookup:
    """Adapt the issuers service's profile of a local issuer to the verifier's view."""

    def lookup(identifier: str) -> LocalIssuerInfo | None:
        profile = find_local_issuer(
            session, identifier=identifier, base_url=settings.base_url, now=datetime.now(UTC)
        )
        if profile is None:
            return None
        return LocalIssuerInfo(
            identifier=profile.identifier,
            display_name=profile.name,
            accredited_vcts=frozenset(profile.vct_values),
            keys=profile.keys,
        )

    return lookup


def install_verifier_sources(app: FastAPI, settings: Settings) -> None:
    """Give the verifiers' routes a per-request :class:`Sources` wired to this instance."""
    cache = DocumentCache()
    remote = remote_fetcher(settings)

    def sources(session: Session) -> Sources:
        return Sources(
            fetch=local_first_fetcher(session, settings=settings, kek=app.state.kek, remote=remote),
            local_issuer=local_issuer_lookup(session, settings=settings),
            cache=cache,
        )

    app.state.document_cache = cache
    app.state.remote_fetcher = remote
    app.state.verifier_sources = sources


SourcesFactory = Callable[[Session], Sources]
