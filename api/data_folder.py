"""Taito's local files: the data folder is the owner's alone (0700), every file in it 0600.

The embedded SQLite database, its write-ahead log and shared-memory files, the development KEK,
admin token and demo credentials all live in the data folder (``TAITO_DATA_DIR``). A copy of
any of them is what docs/security.md calls "a copy of the database": other local users must not
be able to take one. SQLite creates the ``-wal`` and ``-shm`` files with the permissions of the
database file, so creating the database file 0600 before SQLite opens it covers all three.
"""

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private_folder(path: Path, *, tighten: bool = False) -> Path:
    """Create ``path`` (and its parents) if missing; a folder Taito creates is 0700.

    With ``tighten`` an existing folder is made 0700 too (the development data folder, which is
    Taito's own); without it an existing folder is left as it is (it may be shared, as ``/tmp``).
    """
    created = not path.exists()
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    if created or tighten:
        path.chmod(FOLDER_MODE)
    return path


def make_private_sqlite_file(database: Path) -> None:
    """Create the SQLite database file 0600 if missing and make it and its side files 0600."""
    make_private_folder(database.parent)
    fd = os.open(database, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(fd)
    for suffix in ("", *SQLITE_SIDE_FILES):
        side = database.with_name(database.name + suffix)
        if side.exists():
            side.chmod(FILE_MODE)
