"""The gate's context on this instance: trust from the registry and the local issuers.

The doors of the API (:mod:`verifiers.submissions`, :mod:`verifiers.receiving`) build a
:class:`~verifiers.admission.GateContext` here from the request's session and the
:class:`~verifiers.issuer_trust.Sources` the API injects; the offline CLI builds its own.
"""

from datetime import datetime

from sqlmodel import Session

from verifiers.admission import GateContext, IssuerTrust, TrustLookup
from verifiers.issuer_trust import Sources, find_issuer_trust
from verifiers.language import Language


def trust_lookup(session: Session, *, sources: Sources, now: datetime) -> TrustLookup:
    """The gate's view of the trust registry and local issuers, memoised per admission."""
    found: dict[str, IssuerTrust | None] = {}

    def lookup(identifier: str) -> IssuerTrust | None:
        if identifier not in found:
            found[identifier] = find_issuer_trust(
                session, identifier=identifier, sources=sources, now=now
            )
        return found[identifier]

    return lookup


def gate_context(
    session: Session, *, sources: Sources, language: Language, base_url: str, now: datetime
) -> GateContext:
    """The context of one admission at a door of this instance (``now`` timezone-aware)."""
    return GateContext(
        trust=trust_lookup(session, sources=sources, now=now),
        fetch=sources.fetch,
        cache=sources.cache,
        now=now,
        language=language,
        base_url=base_url,
        local_status=sources.local_status,
    )
