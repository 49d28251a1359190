"""Flows that cross services, composed at the edge (services never import each other).

- The verification gate (``verifiers``) needs documents: this instance's own (issuer metadata,
  DID documents, type metadata) are served in-process from the ``issuers`` service with a
  lifetime of zero, so the server never calls itself over HTTP; anything else goes through the
  SSRF-safe :mod:`api.fetch`.
- This instance's status lists are not fetched at all: :func:`local_status_lookup` adapts
  ``issuers.publishing.current_statuses``, the lists' state as stored now, unsigned. A
  revocation is visible at once, and verifying never decrypts or uses an issuer's private key
  (docs/security.md, "Keys at rest").
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
from issuers.identifiers import parse_w3c_list_name
from issuers.organisations import find_local_issuer
from issuers.publishing import (
    credential_type_metadata,
    current_statuses,
    issuer_did_document,
    issuer_metadata_document,
)
from verifiers.fetching import DocumentCache, Fetched, Fetcher
from verifiers.issuer_trust import LocalIssuerInfo, LocalIssuerLookup, Sources
from verifiers.status import LocalStatusList, LocalStatusLookup

_FRESH = timedelta(0)
_W3C_STATUS = re.compile(r"/status/w3c/(?P<name>[A-Za-z0-9_-]{1,80})")
_STATUS = re.compile(r"/status/(?P<list_id>[A-Za-z0-9_-]{1,80})")
_ROUTES = (
    ("metadata", re.compile(r"/\.well-known/jwt-vc-issuer/issuers/(?P<slug>[a-z0-9-]{1,64})")),
    ("did", re.compile(r"/issuers/(?P<slug>[a-z0-9-]{1,64})/did\.json")),
    ("type", re.compile(r"/types/(?P<slug>[a-z0-9_]{1,64})/v(?P<version>[0-9]{1,4})")),
)


def local_document(session: Session, url: str, *, base_url: str, now: datetime) -> bytes | None:
    """The body this instance publishes at ``url``, or ``None`` when ``url`` is not ours.

    Raises :class:`FetchFailed` for one of our URLs that names nothing (as a 404 would), status
    lists included: those are read through :func:`local_status_lookup`, never signed for us.
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
            return _render(session, name, match.groupdict(), base_url=prefix, now=now)
        except TaitoError:
            raise FetchFailed("this instance publishes no such document") from None
    raise FetchFailed("this instance publishes no such document")


def _render(
    session: Session,
    name: str,
    parts: dict[str, str],
    *,
    base_url: str,
    now: datetime,
) -> bytes:
    if name == "metadata":
        document = issuer_metadata_document(session, slug=parts["slug"], base_url=base_url, now=now)
    elif name == "did":
        document = issuer_did_document(session, slug=parts["slug"], base_url=base_url, now=now)
    else:
        document = credential_type_metadata(
            slug=parts["slug"], version=int(parts["version"]), base_url=base_url
        )
    return json_dumps(document).encode("utf-8")


def local_first_fetcher(session: Session, *, settings: Settings, remote: Fetcher) -> Fetcher:
    """A fetcher that serves this instance's own documents in-process, others remotely."""

    def fetch(url: str) -> Fetched:
        body = local_document(session, url, base_url=settings.base_url, now=datetime.now(UTC))
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


def local_status_lookup(session: Session, *, settings: Settings) -> LocalStatusLookup:
    """Adapt the issuers service's current statuses to the verifier's :class:`LocalStatusList`.

    ``None`` for a URL that is not one of this instance's status lists; :class:`FetchFailed`
    for one of ours that names no list.
    """
    prefix = settings.base_url.rstrip("/")

    def lookup(url: str) -> LocalStatusList | None:
        if not url.startswith(prefix + "/"):
            return None
        path = url[len(prefix) :]
        w3c, ietf = _W3C_STATUS.fullmatch(path), _STATUS.fullmatch(path)
        try:
            if w3c is not None:
                parsed = parse_w3c_list_name(w3c["name"])
                if parsed is None:
                    raise FetchFailed("this instance publishes no such status list")
                found = current_statuses(
                    session, list_id=parsed[0], kind="w3c", base_url=settings.base_url
                )
                return LocalStatusList(found.issuer_identifiers, found.statuses, parsed[1])
            if ietf is not None:
                found = current_statuses(
                    session, list_id=ietf["list_id"], kind="ietf", base_url=settings.base_url
                )
                return LocalStatusList(found.issuer_identifiers, found.statuses, None)
        except TaitoError:
            raise FetchFailed("this instance publishes no such status list") from None
        return None

    return lookup


def instance_sources(
    session: Session, *, settings: Settings, remote: Fetcher, cache: DocumentCache
) -> Sources:
    """The gate's :class:`Sources` on this instance for ``session``'s transaction."""
    return Sources(
        fetch=local_first_fetcher(session, settings=settings, remote=remote),
        local_issuer=local_issuer_lookup(session, settings=settings),
        cache=cache,
        local_status=local_status_lookup(session, settings=settings),
    )


def install_verifier_sources(app: FastAPI, settings: Settings) -> None:
    """Give the verifiers' routes a per-request :class:`Sources` wired to this instance."""
    cache = DocumentCache()
    remote = remote_fetcher(settings)

    def sources(session: Session) -> Sources:
        return instance_sources(session, settings=settings, remote=remote, cache=cache)

    app.state.document_cache = cache
    app.state.remote_fetcher = remote
    app.state.verifier_sources = sources


SourcesFactory = Callable[[Session], Sources]
