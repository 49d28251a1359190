"""The activity log is append-only and hash-chained: tampering of any kind is detected."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, select

from tests.service.test_wallet_support import (
    BASE_URL,
    KEK,
    NOW,
    IssuerFixture,
    PinnedChecker,
    committed_session,
    holder_jwk,
    qualification_claims,
    register_holder,
)
from wallet.activity import ActivityKind, list_activity, verify_activity_log
from wallet.credentials import receive_credential
from wallet.errors import ActivityLogTampered
from wallet.tables import WalletActivity, WalletHolder

UNI = IssuerFixture("uni", "Haaga-Helia ammattikorkeakoulu")


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


@pytest.fixture
def holder(session: Session) -> str:
    holder_id = register_holder(session).holder_id
    for days in range(3):
        claims = {**qualification_claims(), "date_awarded": f"2016-05-{10 + days}"}
        receive_credential(
            session,
            holder_id=holder_id,
            credential=UNI.issue("qualification", claims, holder_jwk(session, holder_id)),
            verify=PinnedChecker([UNI]),
            kek=KEK,
            base_url=BASE_URL,
            now=NOW + timedelta(days=days),
        )
    register_holder(session, "other@example.fi")
    return holder_id


def _tampered(session: Session) -> ActivityLogTampered:
    session.expire_all()
    with pytest.raises(ActivityLogTampered) as caught:
        verify_activity_log(session, kek=KEK)
    assert caught.value.code == "activity_log_tampered"
    return caught.value


def test_log_of_normal_use_verifies(session: Session, holder: str) -> None:
    report = verify_activity_log(session, kek=KEK)
    assert report.holders == 2 and report.entries == 5
    entries = list_activity(session, holder_id=holder, kek=KEK)
    assert [e.seq for e in entries] == [4, 3, 2, 1]
    assert entries[-1].kind is ActivityKind.ACCOUNT_CREATED


def test_editing_a_rows_kind_is_detected(session: Session, holder: str) -> None:
    session.execute(
        update(WalletActivity)
        .where(col(WalletActivity.holder_id) == holder, col(WalletActivity.seq) == 2)
        .values(kind=ActivityKind.CREDENTIAL_DELETED.value)
    )
    session.commit()
    problems = _tampered(session).problems
    assert [(p.holder_ref, p.seq) for p in problems] == [(holder, 2)]


def test_editing_a_rows_time_is_detected(session: Session, holder: str) -> None:
    session.execute(
        update(WalletActivity)
        .where(col(WalletActivity.holder_id) == holder, col(WalletActivity.seq) == 3)
        .values(occurred_at=NOW - timedelta(days=365))
    )
    session.commit()
    _tampered(session)


def test_replacing_a_rows_sealed_details_is_detected(session: Session, holder: str) -> None:
    rows = session.exec(
        select(WalletActivity)
        .where(col(WalletActivity.holder_id) == holder)
        .order_by(col(WalletActivity.seq))
    ).all()
    session.execute(
        update(WalletActivity)
        .where(col(WalletActivity.id) == rows[2].id)
        .values(sealed_details=rows[1].sealed_details)
    )
    session.commit()
    _tampered(session)


def test_deleting_a_middle_row_is_detected(session: Session, holder: str) -> None:
    session.execute(
        delete(WalletActivity).where(
            col(WalletActivity.holder_id) == holder, col(WalletActivity.seq) == 2
        )
    )
    session.commit()
    _tampered(session)


def test_deleting_the_last_row_is_detected(session: Session, holder: str) -> None:
    session.execute(
        delete(WalletActivity).where(
            col(WalletActivity.holder_id) == holder, col(WalletActivity.seq) == 4
        )
    )
    session.commit()
    problems = _tampered(session).problems
    assert [p.seq for p in problems] == [None]


def test_reordering_rows_is_detected(session: Session, holder: str) -> None:
    for seq, temporary in ((2, 102), (3, 2), (102, 3)):
        session.execute(
            update(WalletActivity)
            .where(col(WalletActivity.holder_id) == holder, col(WalletActivity.seq) == seq)
            .values(seq=temporary)
        )
    session.commit()
    _tampered(session)


def test_a_chain_recomputed_without_the_kek_is_detected(session: Session, holder: str) -> None:
    # Someone with the database but not the KEK cannot forge the head either.
    session.execute(
        update(WalletHolder).where(col(WalletHolder.id) == holder).values(activity_head="0" * 64)
    )
    session.commit()
    _tampered(session)
