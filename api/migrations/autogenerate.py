"""Write a new migration from the models: ``make migration m="what changed"``.

Runs the existing migrations on a scratch SQLite database, then lets Alembic compare it with the
models and write the difference as a new revision under ``versions/``.
"""

import sys
import tempfile
from pathlib import Path

from alembic import command

from api.database import alembic_config, build_engine, upgrade


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = build_engine(f"sqlite:///{Path(folder) / 'scratch.db'}")
        upgrade(engine)
        command.revision(alembic_config(engine), message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "schema change")
