"""Alembic environment: runs against the engine handed in by :func:`api.database.upgrade`."""

from alembic import context
from sqlalchemy import Engine

from api.database import metadata

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through `taito db upgrade`, which provides the engine")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
