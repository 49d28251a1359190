"""The migrated schema is exactly the models' schema, on SQLite and on PostgreSQL."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from api.database import build_engine, metadata, upgrade
from tests.conftest import empty_database


def test_migrations_produce_exactly_the_models_schema(tmp_path: Path) -> None:
    with empty_database(tmp_path) as (url, connect_args):
        engine = build_engine(url, connect_args=connect_args)
        try:
            upgrade(engine)
            with engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                assert compare_metadata(context, metadata()) == []
        finally:
            engine.dispose()
