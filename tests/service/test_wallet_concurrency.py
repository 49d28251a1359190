"""Concurrent writes into one wallet take turns on PostgreSQL instead of deadlocking."""

import secrets
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.cli.admin_wallet import verify_log
from tests.conftest import is_postgres
from tests.service.test_wallet_support import KEK, NOW, committed_session, register_holder
from wallet.activity import ActivityKind, append_activity
from wallet.tables import WalletActivity, WalletDeclaredSkill
from wallet.vault import open_vault

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not is_postgres(), reason="row lock modes need PostgreSQL"),
]


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _insert_child_row(session: Session, holder_id: str) -> None:
    # Any row referencing the holder takes FOR KEY SHARE on it, as a received credential does.
    session.add(
        WalletDeclaredSkill(
            id=f"dsk_{secrets.token_hex(16)}",
            holder_id=holder_id,
            fingerprint=secrets.token_hex(32),
            declared_at=NOW,
            sealed_skill=b"sealed",
        )
    )
    session.flush()


def test_two_transactions_that_insert_then_append_to_one_wallet_both_commit(
    session: Session, clean_engine: Engine
) -> None:
    holder_id = register_holder(session).holder_id
    first, second = Session(clean_engine), Session(clean_engine)
    _insert_child_row(first, holder_id)
    _insert_child_row(second, holder_id)
    errors: list[BaseException] = []

    def append_and_commit(db: Session) -> None:
        try:
            vault = open_vault(db, holder_id=holder_id, kek=KEK)
            append_activity(
                db, vault=vault, kind=ActivityKind.SKILL_DECLARED, details={}, kek=KEK, now=NOW
            )
            db.commit()
        except BaseException as error:
            errors.append(error)
            db.rollback()

    # The first append must not wait for the second transaction's key-share lock; with
    # FOR UPDATE it did, the second then waited for the first, and PostgreSQL aborted one.
    appending = threading.Thread(target=append_and_commit, args=(first,))
    appending.start()
    appending.join(timeout=5)
    append_and_commit(second)
    appending.join(timeout=10)
    first.close()
    second.close()
    assert errors == []
    entries = session.exec(
        select(WalletActivity.seq).where(col(WalletActivity.holder_id) == holder_id)
    ).all()
    assert sorted(entries) == [1, 2, 3], "account creation and both appends, in one chain"
    assert verify_log(clean_engine, kek=KEK) == 0
