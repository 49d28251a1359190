"""Status entries reserved in blocks per worker: distinct everywhere, reserved once per block."""

import threading

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from issuers.issuance import IssuedCredential, issue_credential
from issuers.organisations import IssuerAccount
from issuers.status import StatusSlot
from issuers.status_blocks import StatusBlocks, installed
from issuers.tables import IssuerCredential, IssuerStatusEntry, IssuerStatusList
from tests.conftest import is_postgres
from tests.service.test_issuers_support import (
    BASE_URL,
    NOW,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
)

KEK = new_kek()


def issue_one(session: Session, issuer: IssuerAccount, key: str) -> IssuedCredential:
    return issue_credential(
        session,
        issuer=issuer,
        request=request_for("competence", holder_key().public),
        idempotency_key=key,
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )


def reserved_on_lists(session: Session, issuer_id: str) -> int:
    rows = session.exec(
        select(IssuerStatusList.allocated).where(col(IssuerStatusList.issuer_id) == issuer_id)
    ).all()
    return sum(rows)


def test_a_worker_reserves_a_block_once_and_hands_out_its_entries_one_issuance_at_a_time(
    session: Session,
) -> None:
    issuer = make_issuer(session, KEK).account
    blocks = StatusBlocks(block=4)
    with installed(blocks):
        issued = [issue_one(session, issuer, f"block-{n}") for n in range(5)]
    assert reserved_on_lists(session, issuer.id) == 8  # two blocks of four for five credentials
    assert blocks.held() == 3
    indices = {(c.status or {})["idx"] for c in issued}
    assert len(indices) == 5


def test_two_workers_blocks_never_share_an_entry(session: Session) -> None:
    issuer = make_issuer(session, KEK).account
    taken: list[StatusSlot] = []
    for worker in (StatusBlocks(block=8), StatusBlocks(block=8)):
        taken += worker.take(session, issuer_id=issuer.id, kind="ietf", count=3, now=NOW)
        taken += worker.take(session, issuer_id=issuer.id, kind="ietf", count=3, now=NOW)
    assert len(set(taken)) == 12
    entries = session.exec(
        select(IssuerStatusEntry.list_id, IssuerStatusEntry.idx).where(
            col(IssuerStatusEntry.list_id).in_({slot.list_id for slot in taken})
        )
    ).all()
    assert {(slot.list_id, slot.idx) for slot in taken} <= set(entries)  # each is a database row


def test_a_request_larger_than_a_block_reserves_exactly_what_it_needs(session: Session) -> None:
    issuer = make_issuer(session, KEK).account
    blocks = StatusBlocks(block=4)
    taken = blocks.take(session, issuer_id=issuer.id, kind="w3c", count=10, now=NOW)
    assert len(set(taken)) == 10
    assert reserved_on_lists(session, issuer.id) == 10
    assert blocks.held() == 0


def test_the_worker_holds_blocks_for_a_bounded_number_of_issuers(session: Session) -> None:
    issuers = [make_issuer(session, KEK).account for _ in range(3)]
    blocks = StatusBlocks(block=4, max_pools=2)
    for issuer in issuers:
        blocks.take(session, issuer_id=issuer.id, kind="ietf", count=1, now=NOW)
    assert blocks.held() == 6  # the first issuer's three left over were let go


@pytest.mark.skipif(not is_postgres(), reason="concurrency needs PostgreSQL")
def test_concurrent_issuance_on_two_workers_gets_distinct_entries(clean_engine: Engine) -> None:
    with Session(clean_engine, expire_on_commit=False) as session:
        issuer = make_issuer(session, KEK).account
    workers = [StatusBlocks(block=16), StatusBlocks(block=16)]
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            with installed(workers[n % 2]), Session(clean_engine, expire_on_commit=False) as db:
                for single in range(25):
                    issue_one(db, issuer, f"client-{n}-{single}")
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(clean_engine) as session:
        rows = session.exec(
            select(IssuerCredential.list_id, IssuerCredential.idx).where(
                col(IssuerCredential.issuer_id) == issuer.id
            )
        ).all()
    assert len(rows) == 100
    assert len(set(rows)) == 100
