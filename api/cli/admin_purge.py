"""``taito admin purge``: delete expired rows once, for cron (the app also does it on a schedule).

Prints one line per kind with the number of rows deleted. Exit status 0 when every purge ran (or
another process was purging at that moment, which is said), 1 when one failed or the database
cannot be reached (the error's type is printed, never its message).
"""

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.database import build_engine
from api.logs import error_type
from api.purge import purge_expired
from api.settings import load_settings

Subparsers = Any  # argparse's _SubParsersAction is private.


def register(admin_commands: Subparsers) -> None:
    purge = admin_commands.add_parser(
        "purge", help="delete expired pickup codes, nonces, idempotency records and sessions"
    )
    purge.set_defaults(handler=run_purge)


def run_purge(_args: argparse.Namespace) -> int:
    engine = build_engine(load_settings().database_url)
    try:
        return purge_now(engine)
    finally:
        engine.dispose()


def purge_now(engine: Engine) -> int:
    """Purge ``engine``'s database once; print the counts; the exit status."""
    try:
        report = purge_expired(engine, now=datetime.now(UTC))
    except SQLAlchemyError as error:
        print(f"taito: purge failed: {error_type(error)}", file=sys.stderr)
        return 1
    if report is None:
        print("taito: another process is purging right now; nothing done")
        return 0
    for kind, count in report.counts.items():
        print(f"{kind}\t{count}")
    for kind in report.failed:
        print(f"taito: purge of {kind} failed (see the log)", file=sys.stderr)
    return 1 if report.failed else 0
