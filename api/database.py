"""Database wiring: the engine from settings, sessions for requests, and Alembic migrations.

SQLite (the embedded default) gets WAL journaling, foreign keys and a busy timeout on every
connection; PostgreSQL is used as is. Tables are defined by the services
(``issuers.tables``, ``wallet.tables``, ``verifiers.tables``); :func:`metadata` imports them all
so that Alembic and tests see one schema.
"""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolProxiedConnection
from sqlmodel import Session, SQLModel, create_engine

from api.data_folder import make_private_sqlite_file

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a request waits for SQLite's single writer before giving up."""


def metadata() -> MetaData:
    """The metadata of every table in Taito (importing the services' table modules)."""
    import issuers.tables  # noqa: F401
    import verifiers.tables  # noqa: F401
    import wallet.tables  # noqa: F401

    return SQLModel.metadata


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; let SQLAlchemy
    # emit BEGIN itself (the recipe in SQLAlchemy's SQLite dialect documentation).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # The busy timeout first: switching the journal mode needs the lock too.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes SQLite's write lock when the transaction starts, so concurrent requests
    # queue on busy_timeout instead of failing with "database is locked" when a transaction that
    # began by reading wants to write (SQLite cannot wait in that case). SQLite thereby runs one
    # transaction at a time: it is the embedded development default; PostgreSQL is for scale.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def build_engine(
    url: str, *, connect_args: dict[str, Any] | None = None, pool_size: int = 20
) -> Engine:
    """Create the engine for ``url``; SQLite files are created 0600 in a 0700 folder.

    PostgreSQL keeps ``pool_size`` connections open and allows only a few more: a pool smaller
    than the request concurrency made SQLAlchemy close every surplus connection on return, so
    each request paid for a new PostgreSQL backend (found by the HTTP benchmark). Requests beyond
    the pool wait for a connection instead.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            make_private_sqlite_file(Path(parsed.database))
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
                **(connect_args or {}),
            },
            poolclass=NullPool if parsed.database in (None, "", ":memory:") else None,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=5,
        pool_timeout=30,
        connect_args=connect_args or {},
    )
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


IDLE_PING_SECONDS = 5.0
"""A pooled PostgreSQL connection idle longer than this is pinged before it is handed out."""


def _note_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(
    dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """Ping a connection that sat in the pool, as ``pool_pre_ping`` would, but not a busy one.

    ``pool_pre_ping`` costs a round trip on every checkout, one of the few a verification makes
    (measured in bench/). A connection returned moments ago is alive unless the server went away
    in between; a request that meets such a connection fails once and the pool discards it
    (SQLAlchemy invalidates a connection whose error is a disconnect). One idle for longer, the
    kind a restarted or failed-over database leaves behind, is pinged here: a dead one is
    replaced before use (``DisconnectionError`` makes the pool retry with a new connection).
    """
    checked_in = record.info.get("checked_in")
    if checked_in is None or time.monotonic() - checked_in < IDLE_PING_SECONDS:
        return  # just connected, or back in the pool moments ago
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        dbapi_connection.rollback()
    except Exception as error:
        raise DisconnectionError("the pooled connection did not answer a ping") from error


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (``taito db upgrade``)."""
    command.upgrade(alembic_config(engine), revision)


def session_scope(engine: Engine) -> Iterator[Session]:
    """A session per request; services decide when to commit."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


def database_answers(engine: Engine) -> bool:
    """Whether the database answers a trivial query now (the readiness probe)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
