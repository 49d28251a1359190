"""``taito admin verify-log``: check every wallet's hash-chained activity log.

Exit status 0 when every chain verifies, 1 when anything was edited, removed or reordered (each
finding printed: wallet, entry, what is wrong; never any content), 2 when the KEK is missing.
"""

import argparse
import sys
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from api.database import build_engine
from api.kek import KEKError, load_kek
from api.settings import load_settings
from wallet.activity import verify_activity_log
from wallet.errors import ActivityLogTampered

Subparsers = Any  # argparse's _SubParsersAction is private.


def register(admin_commands: Subparsers) -> None:
    verify = admin_commands.add_parser(
        "verify-log", help="verify the wallets' hash-chained activity logs (exit 1 on tampering)"
    )
    verify.set_defaults(handler=run_verify_log)


def run_verify_log(_args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        kek = load_kek(settings)
    except KEKError as error:
        print(f"taito: {error}", file=sys.stderr)
        return 2
    engine = build_engine(settings.database_url)
    try:
        return verify_log(engine, kek=kek)
    finally:
        engine.dispose()


def verify_log(engine: Engine, *, kek: bytes) -> int:
    """Check the logs in ``engine``'s database; print the findings; the exit status."""
    try:
        with Session(engine) as session:
            report = verify_activity_log(session, kek=kek)
    except ActivityLogTampered as tampered:
        for problem in tampered.problems:
            where = "head" if problem.seq is None else f"entry {problem.seq}"
            print(f"TAMPERED wallet {problem.holder_ref} {where}: {problem.reason}")
        print(f"taito: the activity log has been altered ({len(tampered.problems)} finding(s))")
        return 1
    print(f"taito: activity log intact ({report.holders} wallet(s), {report.entries} entries)")
    return 0
