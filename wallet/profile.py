"""The skills profile: every ESCO skill across a person's credentials, and the ones they declare.

Issue 5, "Skills profile". For each ESCO skill URI: its ESCO label, the best level any credential
attests (EQF levels compared numerically and preferred, then CEFR, then other numbers), and
which credentials attest it. Skills the person declares themselves are kept apart in their own
table and are always marked self-declared: a declaration never makes a skill verified and its
level is never the "best level". The profile's words (type names, EQF level descriptions, the
self-declared and verified markers) are in fi, sv or en; ESCO labels are ESCO's English ones as
shipped in :mod:`schemas`, with the labels the credentials themselves use listed beside them.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from schemas import eqf_level, skill_vocabulary
from schemas.type_metadata import primary_language
from wallet.activity import ActivityKind, append_activity
from wallet.claims import type_name
from wallet.errors import SkillInvalid, SkillNotFound
from wallet.held import HeldIndex, iter_indexes
from wallet.limits import check_declared_skill_room
from wallet.tables import WalletDeclaredSkill
from wallet.vault import Vault, open_vault

_SKILL = "declared-skill"
_CEFR = ("A1", "A2", "B1", "B2", "C1", "C2")
_MARKERS = {
    "verified": {"fi": "Todennettu", "sv": "Verifierad", "en": "Verified"},
    "self_declared": {
        "fi": "Itse ilmoitettu – ei todennettu",
        "sv": "Självdeklarerad – inte verifierad",
        "en": "Self-declared – not verified",
    },
}
MAX_DECLARED_LEVEL_CHARS = 100


@dataclass(frozen=True)
class SkillLevel:
    level: str
    scale: str | None
    description: str | None


@dataclass(frozen=True)
class Attestation:
    """A credential that attests a skill, and at what level."""

    credential_id: str
    type_name: str
    issuer_name: str | None
    title: str | None
    level: SkillLevel | None


@dataclass(frozen=True)
class ProfileSkill:
    """One skill in the profile; ``verified`` only when a credential attests it."""

    uri: str
    label: str
    labels_in_credentials: tuple[str, ...]
    verified: bool
    self_declared: bool
    marker: str
    best_level: SkillLevel | None
    declared_level: str | None
    attested_by: tuple[Attestation, ...]


@dataclass(frozen=True)
class SkillsProfile:
    lang: str
    skills: tuple[ProfileSkill, ...]


@dataclass(frozen=True)
class DeclaredSkill:
    id: str
    uri: str
    label: str
    level: str | None
    declared_at: datetime


def _level(level: str | None, scale: str | None, lang: str) -> SkillLevel | None:
    if level is None:
        return None
    description = None
    if scale == "eqf" and level.isdigit() and 1 <= int(level) <= 8:
        description = eqf_level(int(level)).description(lang)
    return SkillLevel(level=level, scale=scale, description=description)


def _rank(level: SkillLevel) -> tuple[int, float]:
    if level.scale == "eqf" and level.level.isdigit():
        return (3, float(level.level))
    if level.scale == "cefr" and level.level in _CEFR:
        return (2, float(_CEFR.index(level.level)))
    try:
        return (1, float(level.level))
    except ValueError:
        return (0, 0.0)


def _esco_label(uri: str) -> str | None:
    found = skill_vocabulary().get(uri)
    return found.label if found is not None else None


def _declared(vault: Vault, row: WalletDeclaredSkill) -> DeclaredSkill:
    data: Any = vault.open(row.sealed_skill, purpose=_SKILL, row_id=row.id)
    return DeclaredSkill(
        id=row.id,
        uri=data["uri"],
        label=_esco_label(data["uri"]) or data["uri"],
        level=data["level"],
        declared_at=as_utc(row.declared_at),
    )


def _declared_rows(session: Session, holder_id: str) -> Iterable[WalletDeclaredSkill]:
    return session.exec(
        select(WalletDeclaredSkill)
        .where(col(WalletDeclaredSkill.holder_id) == holder_id)
        .order_by(col(WalletDeclaredSkill.declared_at), col(WalletDeclaredSkill.id))
    )


def _attestations(
    indexes: Iterable[HeldIndex], lang: str
) -> dict[str, list[tuple[Attestation, str]]]:
    found: dict[str, list[tuple[Attestation, str]]] = {}
    for index in indexes:
        for skill in index.skills:
            attestation = Attestation(
                credential_id=index.id,
                type_name=type_name(index.type_slug, index.vct, lang),
                issuer_name=index.issuer_name,
                title=index.title,
                level=_level(skill.level, skill.scale, lang),
            )
            found.setdefault(skill.uri, []).append((attestation, skill.label))
    return found


def skills_profile(session: Session, *, holder_id: str, kek: bytes, lang: str) -> SkillsProfile:
    """The merged skills profile in ``lang`` (fi, sv or en; others fall back to en).

    Raises :class:`~wallet.errors.WalletNotFound`.
    """
    lang = primary_language(lang)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    attested = _attestations(iter_indexes(session, vault), lang)
    declared = {
        d.uri: d for d in map(lambda r: _declared(vault, r), _declared_rows(session, holder_id))
    }
    skills = []
    for uri in [*attested, *(u for u in declared if u not in attested)]:
        pairs = attested.get(uri, [])
        levels = [a.level for a, _ in pairs if a.level is not None]
        labels = tuple(dict.fromkeys(label for _, label in pairs))
        mine = declared.get(uri)
        verified = bool(pairs)
        skills.append(
            ProfileSkill(
                uri=uri,
                label=_esco_label(uri) or (labels[0] if labels else uri),
                labels_in_credentials=labels,
                verified=verified,
                self_declared=mine is not None,
                marker=_MARKERS["verified" if verified else "self_declared"][lang],
                best_level=max(levels, key=_rank) if levels else None,
                declared_level=mine.level if mine is not None else None,
                attested_by=tuple(a for a, _ in pairs),
            )
        )
    skills.sort(key=lambda s: (not s.verified, s.label.casefold()))
    return SkillsProfile(lang=lang, skills=tuple(skills))


def declare_skill(
    session: Session, *, holder_id: str, uri: str, level: str | None, kek: bytes, now: datetime
) -> DeclaredSkill:
    """Declare (or re-declare with a new level) an ESCO skill as self-declared.

    Raises :class:`SkillInvalid` (422) for a URI that is not an ESCO skill or an overlong level
    and :class:`~wallet.errors.WalletFull` (409) when the wallet has no room for another.
    """
    now = require_aware(now)
    if not skill_vocabulary().contains(uri):
        raise SkillInvalid("The skill must be an ESCO skill URI.")
    if level is not None and not 1 <= len(level.strip()) <= MAX_DECLARED_LEVEL_CHARS:
        raise SkillInvalid(f"A level is 1 to {MAX_DECLARED_LEVEL_CHARS} characters.")
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    fingerprint = vault.fingerprint(uri.encode("utf-8"), purpose="declared-skill")
    row = session.exec(
        select(WalletDeclaredSkill).where(
            col(WalletDeclaredSkill.holder_id) == holder_id,
            col(WalletDeclaredSkill.fingerprint) == fingerprint,
        )
    ).first()
    if row is None:
        check_declared_skill_room(session, holder_id=holder_id)
        row_id = f"dsk_{secrets.token_hex(16)}"
        row = WalletDeclaredSkill(
            id=row_id,
            holder_id=holder_id,
            fingerprint=fingerprint,
            declared_at=now,
            sealed_skill=b"",
        )
    row.sealed_skill = vault.seal(
        {"uri": uri, "level": level.strip() if level else None}, purpose=_SKILL, row_id=row.id
    )
    row.declared_at = now
    session.add(row)
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.SKILL_DECLARED,
        details={"skill_id": row.id, "uri": uri},
        kek=kek,
        now=now,
    )
    session.commit()
    return _declared(vault, row)


def list_declared_skills(
    session: Session, *, holder_id: str, kek: bytes
) -> tuple[DeclaredSkill, ...]:
    """The person's self-declared skills, oldest first."""
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    return tuple(_declared(vault, row) for row in _declared_rows(session, holder_id))


def remove_declared_skill(
    session: Session, *, holder_id: str, skill_id: str, kek: bytes, now: datetime
) -> None:
    """Remove a self-declared skill. Raises :class:`SkillNotFound` (404, also for another's)."""
    now = require_aware(now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    row = session.get(WalletDeclaredSkill, skill_id)
    if row is None or row.holder_id != holder_id:
        raise SkillNotFound(f"No self-declared skill {skill_id!r} in your wallet.")
    session.delete(row)
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.SKILL_REMOVED,
        details={"skill_id": skill_id},
        kek=kek,
        now=now,
    )
    session.commit()
