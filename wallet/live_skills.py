"""Skills as they stand now: verified only when a held credential passes the gate at this read.

Issue 16, "computed on verified skills first". The skills profile (:mod:`wallet.profile`) lists
what credentials attest; here every credential is checked again through the gate handed in
(:class:`~wallet.checker.CredentialChecker`, the one verification gate), so a credential the
issuer revoked, one that expired, or one whose issuer is no longer trusted stops making its
skills verified at the next read. Skills the person declares themselves are never verified.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from credentials.clock import require_aware
from schemas import skill_vocabulary
from schemas.type_metadata import primary_language
from wallet.checker import CredentialChecker
from wallet.claims import skills_of, title_of, type_name
from wallet.credentials import LiveStatus, check_live
from wallet.held import iter_documents
from wallet.profile import list_declared_skills
from wallet.vault import open_vault


@dataclass(frozen=True)
class CheckedHolding:
    """A held credential and the gate's verdict on it at this read."""

    id: str
    type_name: str
    issuer_name: str | None
    title: str | None
    live_status: LiveStatus
    skills: tuple[str, ...]


@dataclass(frozen=True)
class LiveSkill:
    """One skill: verified (with the credentials that pass the gate now) or self-declared."""

    uri: str
    label: str
    verified: bool
    self_declared: bool
    attested_by: tuple[str, ...]


@dataclass(frozen=True)
class LiveSkills:
    """Every skill of the person with its standing now, and the credentials checked for it."""

    skills: tuple[LiveSkill, ...]
    holdings: tuple[CheckedHolding, ...]

    @property
    def verified(self) -> frozenset[str]:
        return frozenset(s.uri for s in self.skills if s.verified)

    @property
    def declared(self) -> frozenset[str]:
        return frozenset(s.uri for s in self.skills if s.self_declared)


def label_of(uri: str) -> str:
    """The ESCO label of a skill URI (the URI itself when the vocabulary has none)."""
    found = skill_vocabulary().get(uri)
    return found.label if found is not None else uri


def live_skills(
    session: Session,
    *,
    holder_id: str,
    kek: bytes,
    lang: str,
    verify: CredentialChecker,
    now: datetime,
    credential_ids: Collection[str] | None = None,
    include_declared: bool = True,
) -> LiveSkills:
    """The person's skills with each credential checked through the gate now (issue 16).

    ``credential_ids`` limits the credentials considered (``None``: all of them);
    ``include_declared`` whether self-declared skills are listed. Raises
    :class:`~wallet.errors.WalletNotFound`.
    """
    now = require_aware(now)
    lang = primary_language(lang)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    holdings = []
    for document in iter_documents(session, vault):
        if credential_ids is not None and document.id not in credential_ids:
            continue
        holdings.append(
            CheckedHolding(
                id=document.id,
                type_name=type_name(document.type_slug, document.vct, lang),
                issuer_name=document.issuer_name,
                title=title_of(document.claims),
                live_status=check_live(
                    session, holder_id=holder_id, document=document, verify=verify, now=now
                ),
                skills=tuple(dict.fromkeys(s.uri for s in skills_of(document.claims))),
            )
        )
    attested: dict[str, list[str]] = {}
    for holding in holdings:
        if holding.live_status.state == "valid":
            for uri in holding.skills:
                attested.setdefault(uri, []).append(holding.id)
    declared = (
        {d.uri for d in list_declared_skills(session, holder_id=holder_id, kek=kek)}
        if include_declared
        else set()
    )
    uris = [*attested, *sorted(declared - attested.keys())]
    skills = [
        LiveSkill(
            uri=uri,
            label=label_of(uri),
            verified=uri in attested,
            self_declared=uri in declared,
            attested_by=tuple(attested.get(uri, ())),
        )
        for uri in uris
    ]
    skills.sort(key=lambda s: (not s.verified, s.label.casefold(), s.uri))
    return LiveSkills(skills=tuple(skills), holdings=tuple(holdings))
