"""Local files: the data folder is 0700 and every file Taito keeps in it 0600 (issue 12)."""

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from api.database import build_engine, upgrade
from api.kek import ensure_dev_kek
from api.settings import Environment, Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask of a login shell (0022), under which files are created 0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_new_sqlite_database_its_wal_and_shm_files_and_its_folder_are_private(
    tmp_path: Path, open_umask: None
) -> None:
    folder = tmp_path / "data"
    engine = build_engine(f"sqlite:///{folder / 'taito.db'}")
    try:
        upgrade(engine)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            names = {path.name: mode(path) for path in folder.iterdir()}
            assert {"taito.db", "taito.db-wal", "taito.db-shm"} <= set(names)
            assert set(names.values()) == {0o600}
    finally:
        engine.dispose()
    assert mode(folder) == 0o700


def test_an_existing_world_readable_database_file_is_made_private(
    tmp_path: Path, open_umask: None
) -> None:
    database = tmp_path / "taito.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    build_engine(f"sqlite:///{database}").dispose()
    assert mode(database) == 0o600


def test_the_development_key_is_created_in_a_private_folder(
    tmp_path: Path, open_umask: None
) -> None:
    settings = Settings(environment=Environment.DEVELOPMENT, data_dir=tmp_path / "data")
    key = ensure_dev_kek(settings)
    assert mode(key) == 0o600 and mode(tmp_path / "data") == 0o700
