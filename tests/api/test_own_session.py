"""``in_own_session`` (api/flows/transaction.py): the hot endpoints' work runs in a session of
the work thread's own, which keeps what the work committed and nothing else."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from api.flows.transaction import in_own_session
from verifiers.tables import Verifier


def _verifier(slug: str) -> Verifier:
    return Verifier(id=f"id-{slug}", slug=slug, name="Own session", created_at=datetime.now(UTC))


def _stored(engine: Engine, slug: str) -> bool:
    with Session(engine) as session:
        return session.get(Verifier, f"id-{slug}") is not None


def test_work_that_raises_leaves_nothing_it_wrote(clean_engine: Engine) -> None:
    def work(session: Session) -> None:
        session.add(_verifier("failed-work"))
        session.flush()
        raise RuntimeError("the work failed after writing")

    with pytest.raises(RuntimeError):
        in_own_session(clean_engine, work)
    assert not _stored(clean_engine, "failed-work")


def test_what_the_work_committed_stays_and_its_answer_comes_back(clean_engine: Engine) -> None:
    def work(session: Session) -> str:
        session.add(_verifier("committed-work"))
        session.commit()
        return "answer"

    assert in_own_session(clean_engine, work) == "answer"
    assert _stored(clean_engine, "committed-work")


def test_the_session_is_closed_when_the_work_returns(clean_engine: Engine) -> None:
    used: list[Session] = []

    def work(session: Session) -> None:
        used.append(session)
        session.execute(text("SELECT 1"))
        assert session.in_transaction()

    in_own_session(clean_engine, work)
    assert not used[0].in_transaction()
