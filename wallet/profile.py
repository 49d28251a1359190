"""The skills profile: every ESCO skill across a person's credentials, and the ones they declare.

Issue 5, "Skills profile". For each ESCO skill URI: its ESCO label, the best level any credential
attests (EQF levels compared numerically and preferred, then CEFR, then other numbers), and
which credentials attest it. Skills the person declares themselves are kept apart in their own
table and are always marked self-declared: a declaration never makes a skill verified and its
level is never the "best level". The profile's words (type names, EQF level descriptions, the
self-declared and verified markers) are in fi, sv or en; ESCO labels are ESCO's English ones as
shipped in :mod:`schemas`, with the labels the credentials themselves use listed beside them.

A worker keeps the profiles it computed (:data:`PROFILE_CACHE`, installed per request by the
application, bounded in entries and bytes) under a digest of what a profile is made of: the
ids of the holder's credentials (an id names one index, which never changes) and the ids and
times of the self-declared skills (a re-declaration sets a new time). Any receipt, deletion,
import, erasure or declaration changes the digest, so a read after it computes afresh, on every
worker, with no invalidation to forget; the read costs one query of ids and one of the
declared skills.
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from credentials.bounded_cache import CacheSlot
from credentials.clock import as_utc, require_aware
from schemas import eqf_level, skill_vocabulary
from schemas.type_metadata import primary_language
from wallet.activity import ActivityKind, append_activity
from wallet.claims import type_name
from wallet.errors import SkillInvalid, SkillNotFound
from wallet.held import HeldIndex, iter_indexes
from wallet.limits import check_declared_skill_room
from wallet.tables import WalletCredential, WalletDeclaredSkill
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


ProfileCacheKey = tuple[str, str, str]
"""A profile's holder id, language and the digest of what it is made of."""

PROFILE_CACHE: CacheSlot[ProfileCacheKey, SkillsProfile] = CacheSlot("taito.wallet_profiles")


def profile_cost(key: ProfileCacheKey, profile: SkillsProfile) -> int:
    """The bytes a kept profile is charged: its texts (4 bytes a character at most) and
    overhead per skill and per attestation."""
    total = 256 + sum(len(part) for part in key)
    for skill in profile.skills:
        texts = (skill.uri, skill.label, skill.marker, *skill.labels_in_credentials)
        total += 256 + 4 * sum(len(text) for text in texts)
        for attestation in skill.attested_by:
            texts = (attestation.credential_id, attestation.type_name, attestation.title or "")
            total += 256 + 4 * (
                sum(len(text) for text in texts) + len(attestation.issuer_name or "")
            )
    return total


def _made_of(session: Session, holder_id: str, declared: list[WalletDeclaredSkill]) -> str:
    # A credential's id names its index for good (an index never changes), so ids suffice.
    digest = hashlib.sha256()
    ids = session.exec(
        select(WalletCredential.id)
        .where(col(WalletCredential.holder_id) == holder_id)
        .order_by(col(WalletCredential.id))
    ).all()
    digest.update("\n".join(ids).encode())
    for row in declared:
        digest.update(f"|{row.id}|{as_utc(row.declared_at).isoformat()}".encode())
    return digest.hexdigest()


def _attestations(
    indexes: Iterable[HeldIndex], lang: str
) -> dict[str, list[tuple[Attestation, str]]]:
    found: dict[str, list[tuple[Attestation, str]]] = {}
    names: dict[tuple[str | None, str], str] = {}
    for index in indexes:
        name = names.get((index.type_slug, index.vct))
        if name is None:
            name = names[(index.type_slug, index.vct)] = type_name(index.type_slug, index.vct, lang)
        for skill in index.skills:
            attestation = Attestation(
                credential_id=index.id,
                type_name=name,
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
    declared_rows = list(_declared_rows(session, holder_id))
    cache = PROFILE_CACHE.current()
    key = None
    if cache is not None:
        key = (holder_id, lang, _made_of(session, holder_id, declared_rows))
        kept = cache.get(key)
        if kept is not None:
            return kept
    profile = _profile(session, vault, declared_rows, lang)
    if cache is not None and key is not None:
        cache.put(key, profile)
    return profile


def _profile(
    session: Session, vault: Vault, declared_rows: list[WalletDeclaredSkill], lang: str
) -> SkillsProfile:
    attested = _attestations(iter_indexes(session, vault), lang)
    declared = {d.uri: d for d in (_declared(vault, row) for row in declared_rows)}
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
