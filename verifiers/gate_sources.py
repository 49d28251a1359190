"""The gate's context on this instance: trust from the registry and the local issuers.

The doors of the API (:mod:`verifiers.submissions`, :mod:`verifiers.receiving`) build a
:class:`~verifiers.admission.GateContext` here from the request's session and the
:class:`~verifiers.issuer_trust.Sources` the API injects; the offline CLI builds its own.
"""

from datetime import datetime

from sqlmodel import Session

from verifiers.admission import GateContext, IssuerTrust, TrustLookup
from verifiers.issuer_trust import Sources, TrustVersion, find_issuer_trust
from verifiers.language import Language
from verifiers.state_version import read_trust_version


def trust_lookup(
    session: Session, *, sources: Sources, now: datetime, trust_version: TrustVersion | None
) -> TrustLookup:
    """The gate's view of the trust registry and local issuers, memoised per admission."""
    found: dict[str, IssuerTrust | None] = {}

    def lookup(identifier: str) -> IssuerTrust | None:
        if identifier not in found:
            found[identifier] = find_issuer_trust(
                session,
                identifier=identifier,
                sources=sources,
                now=now,
                trust_version=trust_version,
            )
        return found[identifier]

    return lookup


def gate_context(
    session: Session,
    *,
    sources: Sources,
    language: Language,
    base_url: str,
    now: datetime,
    trust_version: TrustVersion | None = None,
) -> GateContext:
    """The context of one admission at a door of this instance (``now`` timezone-aware).

    With a trust snapshot in ``sources``, the registry's version is the one given (read in this
    transaction, as the nonce's statement does) or read here, before any entry.
    """
    if sources.trust_entries is not None and trust_version is None:
        trust_version = TrustVersion(read_trust_version(session))
    return GateContext(
        trust=trust_lookup(session, sources=sources, now=now, trust_version=trust_version),
        fetch=sources.fetch,
        cache=sources.cache,
        now=now,
        language=language,
        base_url=base_url,
        local_status=sources.local_status,
    )
