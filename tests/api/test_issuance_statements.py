"""How many database statements and transactions an issuance costs, counted on the engine.

Issuance at national scale is bound by database round trips: a single issuance is one
transaction (the key, the register row, the pickup code and the stored answer together), and a
batch costs the same number of statements whatever its size. The bounds are for the steady
state: the worker already holds a status block and the API key's use was noted this minute.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from issuers.organisations import CreatedIssuer
from tests.api.test_issuers_credentials import _auth, _body
from tests.service.test_issuers_support import make_issuer

SINGLE_STATEMENTS = 6
"""BEGIN, the key's issuer, accreditations and last use (one read), the signing key, and the
idempotency record, register row and pickup code (three inserts)."""
BATCH_STATEMENTS = 9


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    commits: int = 0


@contextmanager
def counting(engine: Engine) -> Iterator[Counted]:
    counted = Counted()

    def before(_c: Any, _cur: Any, statement: str, _p: Any, _ctx: Any, _many: bool) -> None:
        counted.statements.append(statement.split("\n", 1)[0][:100])

    def committed(_connection: Any) -> None:
        counted.commits += 1

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "commit", committed)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "commit", committed)


@pytest.fixture
def issuer(client: TestClient, clean_engine: Engine) -> CreatedIssuer:
    kek = client.app.state.kek  # type: ignore[attr-defined]
    with Session(clean_engine, expire_on_commit=False) as session:
        return make_issuer(session, kek, types=["competence"])


def _issue(
    client: TestClient, issuer: CreatedIssuer, key: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    answer = client.post(
        f"/v1/issuers/{issuer.account.slug}/credentials",
        headers=_auth(issuer, key),
        json=body or _body("competence"),
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _batch(client: TestClient, issuer: CreatedIssuer, key: str, size: int) -> None:
    answer = client.post(
        f"/v1/issuers/{issuer.account.slug}/credentials/batch",
        headers=_auth(issuer, key),
        json={"items": [_body("competence") for _ in range(size)]},
    )
    assert answer.status_code == 200 and answer.json()["failed"] == 0, answer.text


def test_a_single_issuance_is_one_transaction_of_few_statements(
    client: TestClient, clean_engine: Engine, issuer: CreatedIssuer
) -> None:
    _issue(client, issuer, "warm-up")
    for n in range(3):
        with counting(clean_engine) as counted:
            _issue(client, issuer, f"single-{n}")
        assert counted.commits == 1, counted.statements
        assert len(counted.statements) <= SINGLE_STATEMENTS, counted.statements


def test_a_replayed_single_issuance_answers_the_first_credential_and_records_nothing(
    client: TestClient, clean_engine: Engine, issuer: CreatedIssuer
) -> None:
    body = _body("competence")
    first = _issue(client, issuer, "same", body)
    with counting(clean_engine) as counted:
        again = _issue(client, issuer, "same", body)
    assert again == first
    assert counted.commits == 0, counted.statements
    register = client.get(
        f"/v1/issuers/{issuer.account.slug}/credentials",
        headers={"Authorization": f"Bearer {issuer.api_key}"},
    )
    assert [item["id"] for item in register.json()["items"]] == [first["id"]]


def test_a_batch_costs_the_same_statements_whatever_its_size(
    client: TestClient, clean_engine: Engine, issuer: CreatedIssuer
) -> None:
    _batch(client, issuer, "warm-up", 2)
    counts = []
    for size in (5, 40):
        with counting(clean_engine) as counted:
            _batch(client, issuer, f"batch-{size}", size)
        assert counted.commits <= 2, counted.statements
        counts.append(len(counted.statements))
    assert counts[0] == counts[1] <= BATCH_STATEMENTS, counts


def test_concurrent_duplicates_of_a_single_issuance_record_one_credential_and_answer_it_to_both(
    client: TestClient, issuer: CreatedIssuer
) -> None:
    body = _body("competence")
    start = threading.Barrier(4)
    answers: list[dict[str, Any]] = []

    def send() -> None:
        start.wait()
        answers.append(_issue(client, issuer, "same-at-once", body))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 4
    assert len({answer["id"] for answer in answers}) == 1
    assert len({answer["credential"] for answer in answers}) == 1
    register = client.get(
        f"/v1/issuers/{issuer.account.slug}/credentials",
        headers={"Authorization": f"Bearer {issuer.api_key}"},
    )
    assert [item["id"] for item in register.json()["items"]] == [answers[0]["id"]]
