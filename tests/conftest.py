"""Shared fixtures: a migrated database per test run, the app and a test client.

SQLite by default (a file in a temporary folder). When ``TAITO_TEST_DATABASE_URL`` is set
(CI sets it to the local PostgreSQL), the run gets a fresh schema of its own, dropped at the end,
so runs never collide with one another or with a previous run.
"""

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from api.app import create_app
from api.database import build_engine, metadata, upgrade
from api.settings import Environment, Settings

POSTGRES_URL = os.environ.get("TAITO_TEST_DATABASE_URL")


def is_postgres() -> bool:
    return POSTGRES_URL is not None


@contextmanager
def empty_database(folder: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(url, connect_args)`` of a new empty database, dropped afterwards on PostgreSQL."""
    if POSTGRES_URL is None:
        yield f"sqlite:///{folder / f'taito-{secrets.token_hex(4)}.db'}", {}
        return
    schema = f"taito_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield POSTGRES_URL, {"options": f"-csearch_path={schema}"}
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(url, connect_args)`` of this run's database."""
    with empty_database(tmp_path_factory.mktemp("db")) as found:
        yield found


@pytest.fixture(scope="session")
def engine(database: tuple[str, dict[str, Any]]) -> Iterator[Engine]:
    """The run's engine, its schema created by the migrations."""
    url, connect_args = database
    built = build_engine(url, connect_args=connect_args)
    upgrade(built)
    # Tables added since the last migration are created too, so work in progress can be tested;
    # test_migrations fails until `make migration` has captured them.
    metadata().create_all(built)
    yield built
    built.dispose()


def _delete_all_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(metadata().sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def clean_engine(engine: Engine) -> Iterator[Engine]:
    """The run's engine, emptied after the test (for tests that commit for real)."""
    yield engine
    _delete_all_rows(engine)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside one transaction that is rolled back after the test.

    Services commit as usual; with ``create_savepoint`` their commits end a savepoint, and the
    outer rollback leaves the database as it was.
    """
    connection = engine.connect()
    outer = connection.begin()
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as db:
        yield db
    outer.rollback()
    connection.close()


@pytest.fixture
def settings(tmp_path: Path, database: tuple[str, dict[str, Any]]) -> Settings:
    kek_file = tmp_path / "kek.key"
    kek_file.write_text(secrets.token_urlsafe(32))
    kek_file.chmod(0o600)
    return Settings(
        environment=Environment.TEST,
        database_url=database[0],
        base_url="https://taito.test",
        data_dir=tmp_path,
        kek_file=kek_file,
    )


@pytest.fixture
def app(settings: Settings, clean_engine: Engine) -> FastAPI:
    return create_app(settings, engine=clean_engine)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://taito.test") as test_client:
        yield test_client


def database_backend(engine: Engine) -> str:
    return make_url(str(engine.url)).get_backend_name()


@pytest.fixture
def taito_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture Taito's own loggers, which do not propagate to the root logger."""
    logger = logging.getLogger("taito")
    logger.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)
