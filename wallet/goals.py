"""Goal occupations: the ESCO occupations a person aims at, kept sealed in their wallet.

Issue 16, "Occupations and skill gaps". An occupation is named by its ESCO UUID (the end of its
URI); only the shipped ESCO ICT occupations (:func:`schemas.occupation_vocabulary`) can be goals.
A career plan is personal data, so each goal is sealed under the holder's data key and found
again through a keyed fingerprint, like a self-declared skill.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlmodel import Session, col, func, select

from credentials.clock import as_utc, require_aware
from schemas import Occupation, occupation_vocabulary
from wallet.activity import ActivityKind, append_activity
from wallet.errors import GoalLimitReached, GoalNotFound, OccupationNotFound
from wallet.tables import WalletGoal
from wallet.vault import Vault, open_vault

MAX_GOALS: Final = 10
MAX_OCCUPATION_ID_CHARS: Final = 36
_GOAL = "goal"


@dataclass(frozen=True)
class Goal:
    """A goal occupation the person chose."""

    occupation_id: str
    occupation_uri: str
    label: str
    chosen_at: datetime


def find_occupation(occupation_id: str) -> Occupation:
    """The shipped ESCO occupation with this UUID.

    Raises :class:`OccupationNotFound` (404) for any other value.
    """
    found = (
        occupation_vocabulary().by_id(occupation_id)
        if len(occupation_id) <= MAX_OCCUPATION_ID_CHARS
        else None
    )
    if found is None:
        raise OccupationNotFound("There is no such occupation.")
    return found


def _goal(vault: Vault, row: WalletGoal) -> Goal:
    data: Any = vault.open(row.sealed_goal, purpose=_GOAL, row_id=row.id)
    occupation = find_occupation(data["occupation_id"])
    return Goal(
        occupation_id=occupation.id,
        occupation_uri=occupation.uri,
        label=occupation.label,
        chosen_at=as_utc(row.chosen_at),
    )


def _fingerprint(vault: Vault, occupation_id: str) -> str:
    return vault.fingerprint(occupation_id.encode("utf-8"), purpose=_GOAL)


def list_goals(session: Session, *, holder_id: str, kek: bytes) -> tuple[Goal, ...]:
    """The person's goal occupations, in the order they chose them."""
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    rows = session.exec(
        select(WalletGoal)
        .where(col(WalletGoal.holder_id) == holder_id)
        .order_by(col(WalletGoal.chosen_at), col(WalletGoal.id))
    )
    return tuple(_goal(vault, row) for row in rows)


def choose_goal(
    session: Session, *, holder_id: str, occupation_id: str, kek: bytes, now: datetime
) -> Goal:
    """Save an occupation as a goal (choosing it again changes nothing); commits.

    Raises :class:`OccupationNotFound` (404) and :class:`GoalLimitReached` (409) past
    :data:`MAX_GOALS`.
    """
    now = require_aware(now)
    occupation = find_occupation(occupation_id)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    fingerprint = _fingerprint(vault, occupation.id)
    row = session.exec(
        select(WalletGoal).where(
            col(WalletGoal.holder_id) == holder_id, col(WalletGoal.fingerprint) == fingerprint
        )
    ).first()
    if row is not None:
        return _goal(vault, row)
    count = session.exec(
        select(func.count()).select_from(WalletGoal).where(col(WalletGoal.holder_id) == holder_id)
    ).one()
    if count >= MAX_GOALS:
        raise GoalLimitReached(f"A wallet holds at most {MAX_GOALS} goal occupations.")
    row_id = f"gol_{secrets.token_hex(16)}"
    row = WalletGoal(
        id=row_id,
        holder_id=holder_id,
        fingerprint=fingerprint,
        chosen_at=now,
        sealed_goal=vault.seal({"occupation_id": occupation.id}, purpose=_GOAL, row_id=row_id),
    )
    session.add(row)
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.GOAL_CHOSEN,
        details={"occupation": occupation.uri},
        kek=kek,
        now=now,
    )
    session.commit()
    return _goal(vault, row)


def remove_goal(
    session: Session, *, holder_id: str, occupation_id: str, kek: bytes, now: datetime
) -> None:
    """Remove a goal occupation; commits. Raises :class:`GoalNotFound` (404)."""
    now = require_aware(now)
    vault = open_vault(session, holder_id=holder_id, kek=kek)
    fingerprint = _fingerprint(vault, occupation_id[:MAX_OCCUPATION_ID_CHARS])
    row = session.exec(
        select(WalletGoal).where(
            col(WalletGoal.holder_id) == holder_id, col(WalletGoal.fingerprint) == fingerprint
        )
    ).first()
    if row is None:
        raise GoalNotFound("That occupation is not one of your goals.")
    uri = _goal(vault, row).occupation_uri
    session.delete(row)
    append_activity(
        session,
        vault=vault,
        kind=ActivityKind.GOAL_REMOVED,
        details={"occupation": uri},
        kek=kek,
        now=now,
    )
    session.commit()
