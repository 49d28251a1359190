"""The trust registry as a platform admin reads it: each entry beside what it trusts in effect.

Composes, in order: verifiers: the registry's entries -> issuers: this instance's issuers and
the types each is accredited for. No transaction (reads only). An entry naming an issuer of this
instance trusts it only for the types both the entry and the accreditation name
(:func:`verifiers.trust_entries.trusted_vcts`, the rule the verification gate applies), so the
page shows the accreditation and what is left of the entry after it.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from issuers.identifiers import issuer_identifier
from issuers.organisations import find_local_issuer, list_issuers
from schemas.registry import vct_for
from verifiers.trust import list_trusted_issuers
from verifiers.trust_entries import StoredTrustEntry, trusted_vcts


@dataclass(frozen=True)
class RegistryEntryView:
    """One registry entry; ``accredited`` is set when it names an issuer of this instance."""

    stored: StoredTrustEntry
    accredited: frozenset[str] | None
    trusted: frozenset[str]


@dataclass(frozen=True)
class LocalIssuerView:
    """An issuer of this instance with no registry entry: trusted for its accredited types."""

    identifier: str
    name: str
    accredited: tuple[str, ...]
    disabled: bool


@dataclass(frozen=True)
class TrustRegistryView:
    entries: tuple[RegistryEntryView, ...]
    local_issuers: tuple[LocalIssuerView, ...]


def read_trust_registry(session: Session, *, base_url: str, now: datetime) -> TrustRegistryView:
    """The registry's entries with their effective types, and this instance's other issuers."""
    entries = []
    for stored in list_trusted_issuers(session):
        identifier = stored.entry.identifier
        local = find_local_issuer(session, identifier=identifier, base_url=base_url, now=now)
        accredited = frozenset(local.vct_values) if local is not None else None
        trusted = trusted_vcts(stored.entry, accredited=accredited)
        entries.append(RegistryEntryView(stored, accredited, trusted))
    named = {view.stored.entry.identifier for view in entries}
    local_issuers = tuple(
        LocalIssuerView(
            identifier=issuer_identifier(base_url, account.slug),
            name=account.name,
            accredited=tuple(vct_for(slug, base_url=base_url) for slug in account.types),
            disabled=account.disabled_at is not None,
        )
        for account in list_issuers(session)
        if issuer_identifier(base_url, account.slug) not in named
    )
    return TrustRegistryView(tuple(entries), local_issuers)
