"""Learning opportunities that educators publish, and finding the ones that teach given skills.

Issue 16, "Learning opportunities". An educator is an issuer accredited for qualifications or
study attainments: it awards learning, so it may also publish it. Each opportunity names the
ESCO skills it teaches (URIs of the shipped vocabulary); a person's gap to an occupation lists
the opportunities teaching its open skills (:func:`opportunities_teaching`). The catalogue is
public information: nothing personal is stored here.
"""

import re
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, get_args

from sqlmodel import Session, col, delete, func, select

from credentials.clock import as_utc, require_aware
from issuers.errors import (
    NotAnEducator,
    OpportunityInvalid,
    OpportunityLimitReached,
    OpportunityNotFound,
)
from issuers.organisations import IssuerAccount
from issuers.tables import Issuer, IssuerOpportunity, IssuerOpportunitySkill
from schemas import skill_vocabulary

Mode = Literal["in_person", "online", "blended"]
EDUCATOR_TYPES: Final = frozenset({"qualification", "study_attainment"})
MAX_OPPORTUNITIES: Final = 200
MAX_SKILLS: Final = 30
MAX_MATCHES: Final = 500
_DURATION = re.compile(r"P(?=\d)(\d{1,3}Y)?(\d{1,3}M)?(\d{1,3}W)?(\d{1,4}D)?")
_LANGUAGE = re.compile(r"[a-z]{2}")
_LINK = re.compile(r"https://[\x21-\x7e]{1,492}")


@dataclass(frozen=True)
class OpportunitySpec:
    """What an educator publishes. ``duration`` is an ISO 8601 duration (``P10W``, ``P1Y``)."""

    title: str
    provider: str
    description: str
    skills: tuple[str, ...]
    eqf_level: int | None
    duration: str
    mode: Mode
    language: str
    link: str


@dataclass(frozen=True)
class Opportunity:
    """A published learning opportunity and the educator that published it."""

    id: str
    issuer_slug: str
    issuer_name: str
    title: str
    provider: str
    description: str
    skills: tuple[str, ...]
    eqf_level: int | None
    duration: str
    mode: str
    language: str
    link: str
    created_at: datetime


def _check(spec: OpportunitySpec) -> None:
    problems = []
    if not 1 <= len(spec.title.strip()) <= 200 or not 1 <= len(spec.provider.strip()) <= 200:
        problems.append("title and provider are 1 to 200 characters")
    if len(spec.description) > 2000:
        problems.append("description is at most 2000 characters")
    if not 1 <= len(spec.skills) <= MAX_SKILLS or len(set(spec.skills)) != len(spec.skills):
        problems.append(f"skills are 1 to {MAX_SKILLS} different ESCO skill URIs")
    elif not all(skill_vocabulary().contains(uri) for uri in spec.skills):
        problems.append("every skill must be an ESCO skill URI")
    if spec.eqf_level is not None and not 1 <= spec.eqf_level <= 8:
        problems.append("eqf_level is 1 to 8")
    if not _DURATION.fullmatch(spec.duration):
        problems.append("duration is an ISO 8601 duration such as P10W")
    if spec.mode not in get_args(Mode):
        problems.append("mode is in_person, online or blended")
    if not _LANGUAGE.fullmatch(spec.language):
        problems.append("language is a two-letter ISO 639-1 code")
    if not _LINK.fullmatch(spec.link):
        problems.append("link is an https URL of at most 500 characters")
    if problems:
        raise OpportunityInvalid("; ".join(problems) + ".")


def _found(row: IssuerOpportunity, issuer: Issuer, skills: Sequence[str]) -> Opportunity:
    return Opportunity(
        id=row.id,
        issuer_slug=issuer.slug,
        issuer_name=issuer.name,
        title=row.title,
        provider=row.provider,
        description=row.description,
        skills=tuple(skills),
        eqf_level=row.eqf_level,
        duration=row.duration,
        mode=row.mode,
        language=row.language,
        link=row.link,
        created_at=as_utc(row.created_at),
    )


def _load(session: Session, ids: Collection[str]) -> list[Opportunity]:
    if not ids:
        return []
    rows = session.exec(
        select(IssuerOpportunity, Issuer)
        .join(Issuer, col(Issuer.id) == col(IssuerOpportunity.issuer_id))
        .where(col(IssuerOpportunity.id).in_(list(ids)))
        .order_by(col(IssuerOpportunity.created_at), col(IssuerOpportunity.id))
    ).all()
    skills: dict[str, list[str]] = {}
    for opportunity_id, uri in session.exec(
        select(IssuerOpportunitySkill.opportunity_id, IssuerOpportunitySkill.skill_uri)
        .where(col(IssuerOpportunitySkill.opportunity_id).in_(list(ids)))
        .order_by(col(IssuerOpportunitySkill.skill_uri))
    ):
        skills.setdefault(opportunity_id, []).append(uri)
    return [_found(row, issuer, skills.get(row.id, [])) for row, issuer in rows]


def publish_opportunity(
    session: Session, *, issuer: IssuerAccount, spec: OpportunitySpec, now: datetime
) -> Opportunity:
    """Publish a learning opportunity; commits.

    Raises :class:`NotAnEducator` (403), :class:`OpportunityInvalid` (422) and
    :class:`OpportunityLimitReached` (409) past :data:`MAX_OPPORTUNITIES`.
    """
    now = require_aware(now)
    if not EDUCATOR_TYPES & set(issuer.types):
        raise NotAnEducator("This issuer is not accredited to award learning.")
    _check(spec)
    count = session.exec(
        select(func.count())
        .select_from(IssuerOpportunity)
        .where(col(IssuerOpportunity.issuer_id) == issuer.id)
    ).one()
    if count >= MAX_OPPORTUNITIES:
        raise OpportunityLimitReached(f"An issuer publishes at most {MAX_OPPORTUNITIES}.")
    row = IssuerOpportunity(
        id=f"opp_{secrets.token_hex(16)}",
        issuer_id=issuer.id,
        title=spec.title.strip(),
        provider=spec.provider.strip(),
        description=spec.description.strip(),
        eqf_level=spec.eqf_level,
        duration=spec.duration,
        mode=spec.mode,
        language=spec.language,
        link=spec.link,
        created_at=now,
    )
    session.add(row)
    session.flush()
    session.add_all(IssuerOpportunitySkill(opportunity_id=row.id, skill_uri=u) for u in spec.skills)
    session.commit()
    return _load(session, [row.id])[0]


def revise_opportunity(
    session: Session, *, issuer: IssuerAccount, opportunity_id: str, spec: OpportunitySpec
) -> Opportunity:
    """Replace what one of the issuer's opportunities says (its id and date stay); commits.

    Raises :class:`OpportunityNotFound` (404, also for another issuer's),
    :class:`NotAnEducator` (403) and :class:`OpportunityInvalid` (422).
    """
    row = session.get(IssuerOpportunity, opportunity_id[:40])
    if row is None or row.issuer_id != issuer.id:
        raise OpportunityNotFound("The issuer has no such learning opportunity.")
    if not EDUCATOR_TYPES & set(issuer.types):
        raise NotAnEducator("This issuer is not accredited to award learning.")
    _check(spec)
    row.title = spec.title.strip()
    row.provider = spec.provider.strip()
    row.description = spec.description.strip()
    row.eqf_level = spec.eqf_level
    row.duration = spec.duration
    row.mode = spec.mode
    row.language = spec.language
    row.link = spec.link
    session.add(row)
    session.execute(
        delete(IssuerOpportunitySkill).where(
            col(IssuerOpportunitySkill.opportunity_id) == opportunity_id
        )
    )
    session.flush()
    session.add_all(IssuerOpportunitySkill(opportunity_id=row.id, skill_uri=u) for u in spec.skills)
    session.commit()
    return _load(session, [row.id])[0]


def list_opportunities(session: Session, *, issuer_id: str) -> tuple[Opportunity, ...]:
    """The issuer's own opportunities, oldest first."""
    ids = session.exec(
        select(IssuerOpportunity.id).where(col(IssuerOpportunity.issuer_id) == issuer_id)
    ).all()
    return tuple(_load(session, ids))


def withdraw_opportunity(session: Session, *, issuer_id: str, opportunity_id: str) -> None:
    """Remove one of the issuer's opportunities; commits.

    Raises :class:`OpportunityNotFound` (404, also for another issuer's).
    """
    row = session.get(IssuerOpportunity, opportunity_id[:40])
    if row is None or row.issuer_id != issuer_id:
        raise OpportunityNotFound("The issuer has no such learning opportunity.")
    session.execute(
        delete(IssuerOpportunitySkill).where(
            col(IssuerOpportunitySkill.opportunity_id) == opportunity_id
        )
    )
    session.delete(row)
    session.commit()


def opportunities_teaching(session: Session, *, skills: Collection[str]) -> tuple[Opportunity, ...]:
    """Every published opportunity that teaches at least one of ``skills`` (reads only).

    At most :data:`MAX_MATCHES`, the oldest first; the caller ranks them.
    """
    if not skills:
        return ()
    ids = session.exec(
        select(IssuerOpportunitySkill.opportunity_id)
        .where(col(IssuerOpportunitySkill.skill_uri).in_(list(skills)))
        .distinct()
        .order_by(col(IssuerOpportunitySkill.opportunity_id))
        .limit(MAX_MATCHES)
    ).all()
    return tuple(_load(session, ids))
