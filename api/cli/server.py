"""``taito serve``, ``taito dev`` and ``taito db upgrade``."""

import argparse
import os
import secrets
import sys
from typing import Any

import uvicorn

from api.database import build_engine, upgrade
from api.kek import KEKError, ensure_dev_kek, load_kek
from api.settings import Environment, Settings, load_settings

Subparsers = Any  # argparse's _SubParsersAction is private; keep the alias local.


def register(commands: Subparsers) -> None:
    serve = commands.add_parser("serve", help="serve the API (settings from TAITO_* variables)")
    serve.set_defaults(handler=run_serve)
    dev = commands.add_parser(
        "dev", help="development server: migrate, create demo data, serve on SQLite"
    )
    dev.set_defaults(handler=run_dev)
    db = commands.add_parser("db", help="database commands")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_upgrade = db_commands.add_parser("upgrade", help="apply database migrations")
    db_upgrade.set_defaults(handler=run_db_upgrade)


def _start(settings: Settings) -> int:
    try:
        settings.check_production()
        load_kek(settings)
    except (ValueError, KEKError) as error:
        print(f"taito: {error}", file=sys.stderr)
        return 1
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=False,
        log_level="warning",
    )
    return 0


def run_serve(_args: argparse.Namespace) -> int:
    return _start(load_settings())


def run_db_upgrade(_args: argparse.Namespace) -> int:
    settings = load_settings()
    upgrade(build_engine(settings.database_url))
    print("taito: database is at the latest schema")
    return 0


def ensure_dev_admin_token(settings: Settings) -> str:
    """Create (once) and return the development admin token, kept in ``data_dir`` (0600)."""
    path = settings.data_dir / "dev-admin-token"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("tadm_" + secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


def run_dev(_args: argparse.Namespace) -> int:
    os.environ.setdefault("TAITO_ENVIRONMENT", Environment.DEVELOPMENT.value)
    os.environ.setdefault("TAITO_DEMO", "true")
    settings = load_settings()
    if settings.environment is Environment.PRODUCTION:
        print("taito: `taito dev` is for development; use `taito serve`", file=sys.stderr)
        return 2
    if settings.admin_token is None:
        os.environ["TAITO_ADMIN_TOKEN"] = ensure_dev_admin_token(settings)
        settings = load_settings()
    ensure_dev_kek(settings)
    upgrade(build_engine(settings.database_url))
    print(
        f"Taito (development mode) is starting on {settings.base_url}\n"
        f"  health:  {settings.base_url}/healthz\n"
        f"  API docs: {settings.base_url}/docs\n",
        flush=True,
    )
    return _start(settings)
