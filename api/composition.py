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
- What every verification reads is kept in the application's :class:`VerifierSnapshots`: the
  local issuers' profiles and status lists while the issuers' state version
  (``issuers.state_version``, read once per request before anything else) is unchanged, the trust
  registry's entries while its version (``verifiers.state_version``) is, and the verifiers
  authenticated by ``POST /v1/verifications`` by their API key's hash (its nonce's statement
  confirms the key, so a key no longer valid is refused at once). Every change a verifier
  must see writes a new version in its own transaction, so a revocation, a key rotation or a
  registry change committed before a request begins is seen by that request on every worker.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from fastapi import FastAPI
from sqlmodel import Session

from api.fetch import remote_fetcher
from api.settings import Settings
from credentials.bounded_cache import BoundedCache
from credentials.encoding import json_dumps
from credentials.errors import FetchFailed, TaitoError
from credentials.snapshot import Snapshot
from issuers.identifiers import parse_w3c_list_name
from issuers.organisations import find_local_issuer
from issuers.publishing import (
    CurrentStatuses,
    credential_type_metadata,
    current_statuses,
    issuer_did_document,
    issuer_metadata_document,
)
from issuers.state_version import READ_STATE_VERSION, read_state_version
from issuers.status import ListKind
from verifiers.fetching import DocumentCache, Fetched, Fetcher
from verifiers.issuer_trust import (
    LocalIssuerInfo,
    LocalIssuerLookup,
    LocalVersion,
    Sources,
    TrustSnapshot,
    trust_entry_cost,
)
from verifiers.organisations import RememberedVerifiers, remembered_verifier_cost
from verifiers.status import LocalStatusList, LocalStatusLookup

_FRESH = timedelta(0)
MIB: Final = 1024 * 1024
KEY_BYTES: Final = 2048
"""What one public key of a kept issuer profile is charged (a JWK and its imported object)."""
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


def local_issuer_cost(identifier: str, info: LocalIssuerInfo | None) -> int:
    """The bytes a kept issuer profile is charged (an upper estimate)."""
    if info is None:
        return len(identifier) + 64
    named = sum(len(text) for text in (info.identifier, info.display_name, *info.accredited_vcts))
    return 1024 + 2 * len(identifier) + named + KEY_BYTES * len(info.keys)


def status_list_cost(key: tuple[str, str], found: CurrentStatuses) -> int:
    """The bytes a kept status list is charged: its packed statuses and some overhead."""
    return 1024 + len(found.statuses.packed) + sum(len(i) for i in found.issuer_identifiers)


@dataclass(frozen=True)
class VerifierSnapshots:
    """What verification reads on every request, kept per application (module docstring)."""

    issuers: Snapshot[str, LocalIssuerInfo | None]
    status_lists: Snapshot[tuple[str, str], CurrentStatuses]
    trust_entries: TrustSnapshot
    verifiers: RememberedVerifiers


def build_verifier_snapshots(
    *, issuer_bytes: int = 8 * MIB, status_list_bytes: int = 64 * MIB, trust_bytes: int = 8 * MIB
) -> VerifierSnapshots:
    """Empty snapshots, each bounded in entries and in bytes."""
    return VerifierSnapshots(
        issuers=Snapshot(max_entries=4096, max_bytes=issuer_bytes, size_of=local_issuer_cost),
        status_lists=Snapshot(
            max_entries=2048, max_bytes=status_list_bytes, size_of=status_list_cost
        ),
        trust_entries=Snapshot(max_entries=4096, max_bytes=trust_bytes, size_of=trust_entry_cost),
        verifiers=BoundedCache(
            max_entries=1024, max_bytes=1 * MIB, size_of=remembered_verifier_cost
        ),
    )


IssuersVersion = Callable[[], str | None]
"""The issuers' state version, read on first use in a request and then the same for it."""


class RequestIssuersVersion:
    """The issuers' state version of one request: given by a statement that read it along
    the way (:meth:`give`, the verification's nonce statement) or read on first use."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._read: list[str | None] = []

    def __call__(self) -> str | None:
        if not self._read:
            self._read.append(read_state_version(self._session))
        return self._read[0]

    def give(self, version: str | None) -> None:
        if not self._read:
            self._read.append(version)

    def local_version(self) -> LocalVersion:
        return LocalVersion(sql=READ_STATE_VERSION, give=self.give)


def issuers_version(session: Session) -> RequestIssuersVersion:
    """Read the issuers' state version once, on first use, in ``session``'s transaction."""
    return RequestIssuersVersion(session)


def local_issuer_lookup(
    session: Session,
    *,
    settings: Settings,
    snapshot: Snapshot[str, LocalIssuerInfo | None] | None = None,
    version: IssuersVersion | None = None,
) -> LocalIssuerLookup:
    """Adapt the issuers service's profile of a local issuer to the verifier's view.

    With ``snapshot`` and ``version`` a profile read under the same issuers' version is reused.
    """

    def load(identifier: str) -> LocalIssuerInfo | None:
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

    def lookup(identifier: str) -> LocalIssuerInfo | None:
        if snapshot is None or version is None:
            return load(identifier)
        return snapshot.read(identifier, version=version(), load=lambda: load(identifier))

    return lookup


def local_status_lookup(
    session: Session,
    *,
    settings: Settings,
    snapshot: Snapshot[tuple[str, str], CurrentStatuses] | None = None,
    version: IssuersVersion | None = None,
) -> LocalStatusLookup:
    """Adapt the issuers service's current statuses to the verifier's :class:`LocalStatusList`.

    ``None`` for a URL that is not one of this instance's status lists; :class:`FetchFailed`
    for one of ours that names no list. With ``snapshot`` and ``version`` a list read under the
    same issuers' version is reused (every status change writes a new one).
    """
    prefix = settings.base_url.rstrip("/")

    def statuses(list_id: str, kind: ListKind) -> CurrentStatuses:
        def load() -> CurrentStatuses:
            return current_statuses(session, list_id=list_id, kind=kind, base_url=settings.base_url)

        if snapshot is None or version is None:
            return load()
        return snapshot.read((kind, list_id), version=version(), load=load)

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
                found = statuses(parsed[0], "w3c")
                return LocalStatusList(found.issuer_identifiers, found.statuses, parsed[1])
            if ietf is not None:
                found = statuses(ietf["list_id"], "ietf")
                return LocalStatusList(found.issuer_identifiers, found.statuses, None)
        except TaitoError:
            raise FetchFailed("this instance publishes no such status list") from None
        return None

    return lookup


def instance_sources(
    session: Session,
    *,
    settings: Settings,
    remote: Fetcher,
    cache: DocumentCache,
    snapshots: VerifierSnapshots | None = None,
) -> Sources:
    """The gate's :class:`Sources` on this instance for ``session``'s transaction.

    With ``snapshots`` (the application's) what every verification reads is kept between
    requests under the state versions (module docstring); without, everything is read afresh.
    """
    version = issuers_version(session)
    return Sources(
        fetch=local_first_fetcher(session, settings=settings, remote=remote),
        local_issuer=local_issuer_lookup(
            session,
            settings=settings,
            snapshot=snapshots.issuers if snapshots else None,
            version=version,
        ),
        cache=cache,
        local_status=local_status_lookup(
            session,
            settings=settings,
            snapshot=snapshots.status_lists if snapshots else None,
            version=version,
        ),
        trust_entries=snapshots.trust_entries if snapshots else None,
        local_version=version.local_version(),
    )


def install_verifier_sources(app: FastAPI, settings: Settings) -> None:
    """Give the verifiers' routes a per-request :class:`Sources` wired to this instance."""
    cache = DocumentCache()
    remote = remote_fetcher(settings)
    snapshots = build_verifier_snapshots()

    def sources(session: Session) -> Sources:
        return instance_sources(
            session, settings=settings, remote=remote, cache=cache, snapshots=snapshots
        )

    app.state.document_cache = cache
    app.state.verifier_snapshots = snapshots
    app.state.remote_fetcher = remote
    app.state.verifier_sources = sources


SourcesFactory = Callable[[Session], Sources]
