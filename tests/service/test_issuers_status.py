"""Status entries: random unique indices, lists opened as needed, revoke/suspend/reinstate."""

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from credentials.resolvers import pinned_key
from credentials.status_list import (
    StatusReference,
    StatusType,
    resolve_status,
    verify_status_list_token,
)
from issuers import status as status_module
from issuers.batch import issue_batch
from issuers.custody import published_keys
from issuers.errors import IssuedCredentialNotFound, StatusChangeRefused
from issuers.identifiers import issuer_identifier
from issuers.issuance import IssuedCredential, issue_credential
from issuers.publishing import status_list_token
from issuers.status import LIST_SIZE, change_credential_status, reserve_status_slots
from issuers.tables import IssuerCredential, IssuerStatusList
from tests.conftest import is_postgres
from tests.service.test_issuers_support import (
    ALGORITHMS,
    BASE_URL,
    NOW,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
)

KEK = new_kek()


def _issue(session: Session, issuer: Any, key: str = "k-1") -> IssuedCredential:
    return issue_credential(
        session,
        issuer=issuer,
        request=request_for("competence", holder_key().public),
        idempotency_key=key,
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )


def _published_status(session: Session, issuer: Any, issued: IssuedCredential) -> int:
    assert issued.status is not None
    list_id = issued.status["uri"].rsplit("/", 1)[1]
    token = status_list_token(session, list_id=list_id, base_url=BASE_URL, kek=KEK, now=NOW)
    key = published_keys(session, issuer_id=issuer.id, now=NOW)[0]
    verified = verify_status_list_token(
        token.token,
        key=pinned_key(key),
        issuer=issuer_identifier(BASE_URL, issuer.slug),
        algorithms=ALGORITHMS,
        expected_sub=issued.status["uri"],
        now=NOW,
        clock_tolerance=timedelta(seconds=60),
    )
    return resolve_status(verified, StatusReference(issued.status["idx"], issued.status["uri"]))


def test_reserved_indices_are_distinct_random_and_inside_the_list(session: Session) -> None:
    created = make_issuer(session, KEK)
    slots = [
        slot
        for _ in range(20)
        for slot in reserve_status_slots(
            session, issuer_id=created.account.id, kind="ietf", count=50, now=NOW
        )
    ]
    indices = [slot.idx for slot in slots]
    assert len(set(indices)) == 1000
    assert all(0 <= idx < LIST_SIZE for idx in indices)
    assert len({slot.list_id for slot in slots}) == 1
    assert max(indices) - min(indices) > 1000  # spread over the list, not sequential


def test_a_new_list_is_opened_when_the_current_one_is_full(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status_module, "LIST_CAPACITY", 10)
    created = make_issuer(session, KEK)
    first = reserve_status_slots(
        session, issuer_id=created.account.id, kind="ietf", count=8, now=NOW
    )
    second = reserve_status_slots(
        session, issuer_id=created.account.id, kind="ietf", count=5, now=NOW
    )
    third = reserve_status_slots(
        session, issuer_id=created.account.id, kind="ietf", count=2, now=NOW
    )
    assert {s.list_id for s in first} != {s.list_id for s in second}
    assert {s.list_id for s in third} == {s.list_id for s in first}
    lists = session.exec(
        select(IssuerStatusList).where(col(IssuerStatusList.issuer_id) == created.account.id)
    ).all()
    assert sorted(row.allocated for row in lists) == [5, 10]
    assert all(row.size == LIST_SIZE >= 131_072 for row in lists)


def test_lists_are_separate_for_ietf_and_w3c(session: Session) -> None:
    created = make_issuer(session, KEK)
    ietf = reserve_status_slots(
        session, issuer_id=created.account.id, kind="ietf", count=1, now=NOW
    )
    w3c = reserve_status_slots(session, issuer_id=created.account.id, kind="w3c", count=1, now=NOW)
    assert ietf[0].list_id != w3c[0].list_id


def test_revoked_shows_revoked_in_the_published_list(session: Session) -> None:
    created = make_issuer(session, KEK)
    issued = _issue(session, created.account)
    assert _published_status(session, created.account, issued) == StatusType.VALID
    entry = change_credential_status(
        session, issuer_id=created.account.id, credential_id=issued.id, status="revoked", now=NOW
    )
    assert entry.status == "revoked" and entry.status_changed_at == NOW
    assert _published_status(session, created.account, issued) == StatusType.INVALID


def test_suspended_then_reinstated_shows_valid(session: Session) -> None:
    created = make_issuer(session, KEK)
    issued = _issue(session, created.account)
    change_credential_status(
        session, issuer_id=created.account.id, credential_id=issued.id, status="suspended", now=NOW
    )
    assert _published_status(session, created.account, issued) == StatusType.SUSPENDED
    change_credential_status(
        session, issuer_id=created.account.id, credential_id=issued.id, status="valid", now=NOW
    )
    assert _published_status(session, created.account, issued) == StatusType.VALID


@pytest.mark.parametrize("then", ["valid", "suspended"])
def test_revocation_is_final(session: Session, then: Any) -> None:
    created = make_issuer(session, KEK)
    issued = _issue(session, created.account)
    change_credential_status(
        session, issuer_id=created.account.id, credential_id=issued.id, status="revoked", now=NOW
    )
    with pytest.raises(StatusChangeRefused) as caught:
        change_credential_status(
            session, issuer_id=created.account.id, credential_id=issued.id, status=then, now=NOW
        )
    assert caught.value.code == "credential_revoked" and caught.value.status == 409
    assert _published_status(session, created.account, issued) == StatusType.INVALID


def test_setting_the_same_status_again_changes_nothing(session: Session) -> None:
    created = make_issuer(session, KEK)
    issued = _issue(session, created.account)
    assert issued.status is not None
    list_id = issued.status["uri"].rsplit("/", 1)[1]
    before = session.get(IssuerStatusList, list_id)
    assert before is not None
    version = before.version
    entry = change_credential_status(
        session, issuer_id=created.account.id, credential_id=issued.id, status="valid", now=NOW
    )
    assert entry.status == "valid" and entry.status_changed_at is None
    session.expire_all()
    after = session.get(IssuerStatusList, list_id)
    assert after is not None and after.version == version


def test_another_issuers_credential_is_not_found(session: Session) -> None:
    owner = make_issuer(session, KEK)
    other = make_issuer(session, KEK)
    issued = _issue(session, owner.account)
    with pytest.raises(IssuedCredentialNotFound) as caught:
        change_credential_status(
            session, issuer_id=other.account.id, credential_id=issued.id, status="revoked", now=NOW
        )
    assert caught.value.code == "issued_credential_not_found" and caught.value.status == 404


def _run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        try:
            barrier.wait()
            work(n)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.skipif(not is_postgres(), reason="concurrency needs PostgreSQL")
def test_eight_concurrent_clients_issuing_2000_credentials_get_2000_distinct_indices(
    clean_engine: Engine,
) -> None:
    with Session(clean_engine, expire_on_commit=False) as session:
        issuer = make_issuer(session, KEK).account
    holder = holder_key().public

    def client(n: int) -> None:
        with Session(clean_engine, expire_on_commit=False) as session:
            for round_ in range(5):
                result = issue_batch(
                    session,
                    issuer=issuer,
                    requests=[request_for("competence", holder) for _ in range(49)],
                    idempotency_key=f"client-{n}-batch-{round_}",
                    kek=KEK,
                    base_url=BASE_URL,
                    now=NOW,
                )
                assert result.issued == 49
            for single in range(5):
                issue_credential(
                    session,
                    issuer=issuer,
                    request=request_for("competence", holder),
                    idempotency_key=f"client-{n}-single-{single}",
                    kek=KEK,
                    base_url=BASE_URL,
                    now=NOW,
                )

    assert _run_threads(8, client) == []
    with Session(clean_engine) as session:
        rows = session.exec(
            select(IssuerCredential.list_id, IssuerCredential.idx).where(
                col(IssuerCredential.issuer_id) == issuer.id
            )
        ).all()
    assert len(rows) == 2000
    assert len(set(rows)) == 2000
    assert len({list_id for list_id, _ in rows}) == 1  # concurrent clients share one open list


@pytest.mark.skipif(not is_postgres(), reason="concurrency needs PostgreSQL")
def test_concurrent_status_changes_in_one_list_are_all_published(clean_engine: Engine) -> None:
    with Session(clean_engine, expire_on_commit=False) as session:
        issuer = make_issuer(session, KEK).account
        result = issue_batch(
            session,
            issuer=issuer,
            requests=[request_for("competence", holder_key().public) for _ in range(80)],
            idempotency_key="setup",
            kek=KEK,
            base_url=BASE_URL,
            now=NOW,
        )
    issued = [item.credential for item in result.items if item.credential is not None]

    def client(n: int) -> None:
        with Session(clean_engine, expire_on_commit=False) as session:
            for credential in issued[n * 10 : (n + 1) * 10]:
                change_credential_status(
                    session,
                    issuer_id=issuer.id,
                    credential_id=credential.id,
                    status="revoked" if n % 2 else "suspended",
                    now=NOW,
                )

    assert _run_threads(8, client) == []
    with Session(clean_engine) as session:
        for n in range(8):
            for credential in issued[n * 10 : (n + 1) * 10]:
                want = StatusType.INVALID if n % 2 else StatusType.SUSPENDED
                assert _published_status(session, issuer, credential) == want
