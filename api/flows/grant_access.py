"""Counsellor access by consent: granting a guidance organisation, and its reads of the grant."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from api.flows.goal_gap import GoalGap, gap_of
from verifiers.organisations import VerifierInfo, guidance_organisation, guidance_organisations
from wallet.checker import CredentialChecker
from wallet.credentials import CredentialDetail, credential_detail
from wallet.errors import CredentialNotFound
from wallet.goals import find_occupation, list_goals
from wallet.grants import Grant, Grantee, GrantSpec, create_grant, open_grant_for, record_grant_read
from wallet.live_skills import LiveSkills, live_skills


@dataclass(frozen=True)
class GrantRequest:
    """What the person asks to grant, naming the organisation by its slug."""

    organisation: str
    purpose: str
    profile: bool
    credential_ids: tuple[str, ...]
    consent_version: str
    expires_at: datetime | None
    label: str = ""


@dataclass(frozen=True)
class GrantedView:
    """Exactly what a grant shows: the profile and gaps if granted, the chosen credentials."""

    grant: Grant
    skills: LiveSkills | None
    gaps: tuple[GoalGap, ...]
    credentials: tuple[CredentialDetail, ...]


def organisations_to_grant(session: Session, *, base_url: str) -> tuple[VerifierInfo, ...]:
    """The guidance and employment services a person may grant access to (verifiers; reads)."""
    return guidance_organisations(session, base_url=base_url)


def _granted_credentials(
    session: Session,
    grant: Grant,
    *,
    kek: bytes,
    verify: CredentialChecker,
    lang: str,
    now: datetime,
) -> tuple[CredentialDetail, ...]:
    found = []
    for credential_id in grant.credential_ids:
        # A credential the person has deleted since is simply no longer shown.
        try:
            found.append(
                credential_detail(
                    session,
                    holder_id=grant.holder_id,
                    credential_id=credential_id,
                    kek=kek,
                    lang=lang,
                    now=now,
                    verify=verify,
                )
            )
        except CredentialNotFound:
            continue
    return tuple(found)


def grant_access(
    session: Session,
    *,
    holder_id: str,
    request: GrantRequest,
    kek: bytes,
    base_url: str,
    now: datetime,
) -> Grant:
    """Verifiers: find the guidance organisation -> wallet: grant, receipt and log entry.

    Only the wallet writes, so its :func:`~wallet.grants.create_grant` is the one transaction.
    Raises ``GuidanceOrganisationNotFound`` (404) for an organisation that is not a guidance or
    employment service, and what :func:`~wallet.grants.create_grant` raises.
    """
    organisation = guidance_organisation(session, slug=request.organisation, base_url=base_url)
    spec = GrantSpec(
        grantee=Grantee(id=organisation.id, slug=organisation.slug, name=organisation.name),
        purpose=request.purpose,
        profile=request.profile,
        credential_ids=request.credential_ids,
        consent_version=request.consent_version,
        expires_at=request.expires_at,
        label=request.label,
    )
    return create_grant(session, holder_id=holder_id, spec=spec, kek=kek, now=now)


def read_grant(
    session: Session,
    *,
    organisation_id: str,
    grant_id: str,
    kek: bytes,
    verify: CredentialChecker,
    lang: str,
    now: datetime,
    occupation_id: str | None = None,
) -> GrantedView:
    """Wallet: the grant, if live -> wallet and verifiers' gate: the granted credentials and
    skills checked now -> core and issuers: the gaps -> wallet: the read in the person's log.

    Verified skills come only from the credentials the grant names (each checked through the
    gate at this read); self-declared skills and the gaps to the person's goals only when the
    profile is granted; ``occupation_id`` adds the gap to an occupation the counsellor chose
    (after the goals, unless it is one of them). The log entry is the one write (the wallet's
    :func:`~wallet.grants.record_grant_read` commits it) and is made before anything is
    returned. Raises ``OccupationNotFound`` (404) before the grant is opened,
    ``GrantNotFound`` (404), ``GrantWithdrawn`` and ``GrantExpired`` (410).
    """
    if occupation_id is not None:
        find_occupation(occupation_id)
    grant = open_grant_for(session, grantee_id=organisation_id, grant_id=grant_id, kek=kek, now=now)
    holder = grant.holder_id
    credentials = _granted_credentials(session, grant, kek=kek, verify=verify, lang=lang, now=now)
    skills = None
    gaps: tuple[GoalGap, ...] = ()
    if grant.profile:
        skills = live_skills(
            session,
            holder_id=holder,
            kek=kek,
            lang=lang,
            verify=verify,
            now=now,
            credential_ids=grant.credential_ids,
        )
        goals = list_goals(session, holder_id=holder, kek=kek)
        chosen = [goal.occupation_id for goal in goals]
        if occupation_id is not None and occupation_id not in chosen:
            chosen.append(occupation_id)
        gaps = tuple(gap_of(session, chosen_id, skills) for chosen_id in chosen)
    read = [*(["profile", "gaps"] if grant.profile else []), *(c.summary.id for c in credentials)]
    record_grant_read(session, grant=grant, read=read, kek=kek, now=now)
    return GrantedView(grant=grant, skills=skills, gaps=gaps, credentials=credentials)
