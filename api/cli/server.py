"""``taito serve``, ``taito dev`` and ``taito db upgrade``."""

import argparse
import os
import secrets
import socket
import sys
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from api.app import create_app
from api.data_folder import make_private_folder
from api.database import build_engine, upgrade
from api.flows.demo_seeding import DemoCredentials, DemoOrganisation, DemoSeedError, seed_demo
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
    config = uvicorn.Config(
        "api.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=False,
        log_level="warning",
    )
    if settings.workers == 1:
        uvicorn.Server(config).run()
    else:
        Multiprocess(config, sockets=[_listening_socket(settings)]).run()
    return 0


def _listening_socket(settings: Settings) -> socket.socket:
    """The shared listener of several workers, created with ``IPPROTO_TCP`` explicitly.

    asyncio turns TCP_NODELAY on for accepted connections only when the listener's protocol is
    IPPROTO_TCP; uvicorn's own listener leaves it 0, so with several workers every keep-alive
    response waited ~40 ms for Nagle's algorithm and delayed ACKs (measured in bench/).
    """
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((settings.host, settings.port))
    listener.set_inheritable(True)
    return listener


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
        make_private_folder(path.parent)
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
    make_private_folder(settings.data_dir, tighten=True)
    if "TAITO_DATABASE_URL" not in os.environ:
        # Everything of a development instance lives in its data folder.
        os.environ["TAITO_DATABASE_URL"] = f"sqlite:///{settings.data_dir / 'taito.db'}"
    token_file = None
    if settings.admin_token is None:
        os.environ["TAITO_ADMIN_TOKEN"] = ensure_dev_admin_token(settings)
        token_file = settings.data_dir / "dev-admin-token"
    settings = load_settings()
    ensure_dev_kek(settings)
    engine = build_engine(settings.database_url)
    upgrade(engine)
    demo = None
    try:
        demo = seed_demo(create_app(settings, engine=engine))
    except (DemoSeedError, KEKError) as error:
        print(f"taito: no demo data: {error}", file=sys.stderr)
    finally:
        engine.dispose()
    print(dev_banner(settings, token_file=token_file, demo=demo), flush=True)
    return _start(settings)


def dev_banner(settings: Settings, *, token_file: Path | None, demo: DemoCredentials | None) -> str:
    """What ``taito dev`` prints: where to go and how to sign in (development only)."""
    url = f"http://{settings.host}:{settings.port}"
    admin = settings.admin_token.get_secret_value() if settings.admin_token else "(none)"
    rule = "=" * 78
    lines = [
        rule,
        " Taito, DEVELOPMENT ONLY. The secrets below are for this machine; never use them,",
        " or TAITO_DEMO, in production (production refuses to start with demo settings).",
        rule,
        f" Wallet     {url}/  (the web app for people: sign in as a demo person below)",
        f" API docs   {url}/docs",
        f" Health     {url}/healthz",
        f" Base URL   {settings.base_url}  (identifiers, status lists and types are named on",
        f"            it; this server answers for it at {url})",
        f" Admin      Authorization: Bearer {admin}",
        f"            ({token_file})" if token_file else "            (from TAITO_ADMIN_TOKEN)",
    ]
    if demo is not None:
        lines += ["", " Demo issuers: Authorization: Bearer <key> on /v1/issuers/<slug>/..."]
        lines += [_organisation(o) for o in demo.issuers]
        lines += [" Demo verifiers: Bearer <key> on /v1/verifiers/<slug>/... and /v1/verifications"]
        lines += [_organisation(o) for o in demo.verifiers]
        lines += [f" Demo people: sign in at {url}/login (or POST /v1/auth/login)"]
        lines += [f"   {p.username:<28} {p.password}   ({p.name})" for p in demo.people]
        lines += [f" Demo staff: sign in at {url}/org/login (the organisations' pages)"]
        for s in demo.staff:
            about = ", ".join(part for part in (s.name, s.role, s.organisation) if part)
            lines += [f"   {s.username:<28} {s.password}   ({about})"]
        lines += [f" Kept in {demo.path} (0600)."]
        command = ".venv/bin/taito demo"
        if url != "http://127.0.0.1:8000":
            command += f" --url {url}"
        if settings.data_dir != Path("data"):
            command += f" --data-dir {settings.data_dir}"
        lines += ["", f" Next: in another terminal, `{command}` tells the whole story."]
    elif settings.demo:
        lines += ["", " No demo data (see the message above)."]
    return "\n".join([*lines, rule])


def _organisation(organisation: DemoOrganisation) -> str:
    return (
        f"   {organisation.slug:<24} {organisation.name} ({organisation.role})\n"
        f"   {'':<24} {organisation.api_key}"
    )
