"""The PostgreSQL pool: a connection that sat idle is pinged before use, a busy one is not.

``pool_pre_ping`` cost a round trip on every request; the pool now pings only a connection
idle for :data:`api.database.IDLE_PING_SECONDS`, which is what a restarted or failed-over
database leaves behind. Each test ends a pooled connection's backend from outside, as a database
restart would.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

from api import database
from api.database import build_engine
from tests.conftest import POSTGRES_URL, is_postgres

pytestmark = pytest.mark.skipif(not is_postgres(), reason="the pool is PostgreSQL's")


@pytest.fixture
def pool() -> Iterator[Engine]:
    assert POSTGRES_URL is not None
    engine = build_engine(POSTGRES_URL, pool_size=1)
    yield engine
    engine.dispose()


def _backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _end_backend(pid: int) -> None:
    assert POSTGRES_URL is not None
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            ended = connection.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            assert ended.scalar_one() is True
    finally:
        admin.dispose()


def _pings(engine: Engine) -> list[str]:
    seen: list[str] = []

    def before(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return seen


def test_a_connection_idle_long_enough_is_pinged_and_replaced_when_dead(
    pool: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend(pool)
    _end_backend(first)
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)
    # The dead connection is found by the ping and replaced before the request uses it.
    assert _backend(pool) != first


def test_a_connection_returned_moments_ago_is_not_pinged(
    pool: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 3600.0)
    first = _backend(pool)
    statements = _pings(pool)
    assert _backend(pool) == first
    assert statements == ["SELECT pg_backend_pid()"]  # no ping on the way
    # What that costs when the database went away in between: one failed use, then the pool
    # has discarded the connection and the next request gets a new one.
    _end_backend(first)
    with pytest.raises(OperationalError):
        _backend(pool)
    assert _backend(pool) != first
