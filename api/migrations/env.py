"""Alembic environment: runs against the engine handed in by :func:`api.database.upgrade`."""

from alembic import context
from sqlalchemy import Engine

from api.database import metadata

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through `taito db upgrade`, which provides the engine")

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite rebuilds a table to drop a column (batch mode): with foreign keys on, dropping a
        # referenced table fails. The pragma is a no-op inside a transaction, so it is set on the
        # driver's connection before the migration's transaction begins, and checked after.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if sqlite:
        driver = connection.connection.driver_connection
        if driver.execute("PRAGMA foreign_key_check").fetchall():  # type: ignore[union-attr]
            raise RuntimeError("the migration left rows whose foreign keys point nowhere")
        driver.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
