"""What the gate is handed for one admission, and what it hands back.

:func:`verifiers.gate.admit` takes a token, the door's :class:`~verifiers.policy.DoorPolicy`, a
:class:`GateContext` (trust, documents, clock, language: everything from outside, handed in) and
what this call expects (:class:`Expected`: the audience and nonce a Key Binding must carry, the
receiving wallet's key). It returns an :class:`Admission`: the report of every check and, when the
signature verified, the credentials' facts. Nothing here touches a database, so the offline CLI
builds a context of its own (a pinned key, the SSRF-safe fetcher).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from credentials.resolvers import IssuerKeyResolver
from verifiers.dcql_answers import PresentedCredential
from verifiers.fetching import DocumentCache, Fetcher
from verifiers.language import Language
from verifiers.report import PresentationReport
from verifiers.status import LocalStatusLookup, no_local_status
from verifiers.trust_entries import KeySource


@dataclass(frozen=True)
class IssuerTrust:
    """A known issuer: its display name, the types it is trusted for, and its key resolver."""

    identifier: str
    display_name: str
    trusted_vcts: frozenset[str]
    key_source: KeySource
    resolve_key: IssuerKeyResolver


TrustLookup = Callable[[str], IssuerTrust | None]
"""``trust(iss)``: the trust placed in an issuer, ``None`` when it is unknown."""


@dataclass(frozen=True)
class GateContext:
    """The gate's dependencies for one admission (all handed in; nothing global).

    ``base_url`` is this instance's (its credential types are known by ``vct``); ``None`` for
    the offline CLI, which knows no types and checks no schema.
    """

    trust: TrustLookup
    fetch: Fetcher
    cache: DocumentCache
    now: datetime
    language: Language
    base_url: str | None
    local_status: LocalStatusLookup = no_local_status


@dataclass(frozen=True)
class Expected:
    """What this call expects beyond the door's policy.

    ``audience`` and ``nonce``: what a Key Binding must carry (the door's
    :class:`~verifiers.policy.Audience` and :class:`~verifiers.policy.NonceUse` say where they
    come from); ``max_kb_age``: a bound tighter than the policy's (a share's own lifetime);
    ``holder_thumbprint``: the RFC 7638 thumbprint of the receiving wallet's key.
    """

    audience: str | None = None
    nonce: str | None = None
    max_kb_age: timedelta | None = None
    holder_thumbprint: str | None = None


@dataclass(frozen=True)
class AdmittedCredential:
    """The facts of a credential whose issuer signature verified (one per credential).

    ``claims``: the holder's claims that were disclosed (every Disclosure applied; for a
    ``vc+jwt`` the subject's claims without ``id``); ``vct``: the SD-JWT VC type, or the
    ``vc+jwt`` type the issuer is trusted for; ``status``: ``"valid"`` when a status entry was
    checked, ``"none"`` when there is none.
    """

    format: Literal["dc+sd-jwt", "vc+jwt"]
    issuer: str
    issuer_name: str | None
    vct: str
    claims: dict[str, Any]
    valid_from: datetime | None
    valid_until: datetime | None
    status: Literal["valid", "none"]


@dataclass(frozen=True)
class Admission:
    """The gate's answer: the report, whether the holder signed our nonce, and the facts.

    ``credentials`` are filled only when every check passed; ``presented`` (what a DCQL query is
    matched against) whenever the core verification passed.
    """

    report: PresentationReport
    nonce_bound: bool
    credentials: tuple[AdmittedCredential, ...] = ()
    presented: PresentedCredential | None = None
    holder: str | None = None

    @property
    def verified(self) -> bool:
        return self.report.verified
