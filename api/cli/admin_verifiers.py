"""``taito admin verifier ...`` and ``taito admin trust ...``: verifiers and the trust registry.

They run against the configured database (``TAITO_*``), calling the verifiers service directly.
``verifier create`` prints the API key once: it is stored only as a hash; ``verifier keys``,
``add-key``, ``revoke-key``, ``disable`` and ``enable`` as in :mod:`api.cli.organisation_keys`.
``trust export`` writes the registry document to standard output (or ``--file``); ``trust
import`` reads one from a file (``-`` for standard input) and changes nothing unless all of it is
valid.
"""

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session

from api.cli import organisation_keys
from api.database import build_engine
from api.settings import load_settings
from credentials.errors import TaitoError
from sealing.api_keys import ApiKeyInfo
from verifiers import api_keys
from verifiers.organisations import (
    create_verifier,
    get_verifier,
    list_verifiers,
    set_verifier_disabled,
)
from verifiers.trust import export_trust_registry, import_trust_registry

Subparsers = Any  # argparse's _SubParsersAction is private.
_T = TypeVar("_T")


def register(admin_commands: Subparsers) -> None:
    """Add ``verifier create|list`` and ``trust import|export`` to ``taito admin``."""
    verifier = admin_commands.add_parser("verifier", help="verifier organisations")
    actions = verifier.add_subparsers(dest="verifier_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a verifier and print its API key once")
    create.add_argument("--name", required=True, help="display name, e.g. 'Acme Recruiting Oy'")
    create.add_argument("--slug", required=True, help="URL name: lower-case letters, digits, -")
    create.set_defaults(handler=run_create)
    listing = actions.add_parser("list", help="list verifiers")
    listing.set_defaults(handler=run_list)
    organisation_keys.register(actions, _KEY_OPERATIONS)

    trust = admin_commands.add_parser("trust", help="the trust registry of issuers")
    trust_actions = trust.add_subparsers(dest="trust_command", required=True, metavar="ACTION")
    export = trust_actions.add_parser("export", help="print the registry as JSON")
    export.add_argument("--file", type=Path, help="write to this file instead")
    export.set_defaults(handler=run_export)
    load = trust_actions.add_parser("import", help="import a registry JSON document")
    load.add_argument("file", help="the JSON file, or - for standard input")
    load.add_argument("--replace", action="store_true", help="remove entries not in the file")
    load.set_defaults(handler=run_import)


def _with_session(work: Callable[[Session, str], _T]) -> _T:
    settings = load_settings()
    engine = build_engine(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return work(session, settings.base_url)
    finally:
        engine.dispose()


def _plain_session() -> Session:
    return Session(build_engine(load_settings().database_url), expire_on_commit=False)


def _verifier_id(session: Session, slug: str) -> str:
    return get_verifier(session, slug=slug, base_url=load_settings().base_url).id


def _add_key(session: Session, slug: str, name: str, now: datetime) -> tuple[ApiKeyInfo, str]:
    created = api_keys.add_api_key(
        session, verifier_id=_verifier_id(session, slug), name=name, now=now
    )
    return created.info, created.api_key


_KEY_OPERATIONS = organisation_keys.KeyOperations(
    sessions=_plain_session,
    list_keys=lambda session, slug: api_keys.list_api_keys(
        session, verifier_id=_verifier_id(session, slug)
    ),
    add_key=_add_key,
    revoke_key=lambda session, slug, key_id, now: api_keys.revoke_api_key(
        session, verifier_id=_verifier_id(session, slug), key_id=key_id, now=now
    ),
    set_disabled=lambda session, slug, disabled, now: set_verifier_disabled(
        session, slug=slug, disabled=disabled, base_url=load_settings().base_url, now=now
    ),
)


def _fail(message: str) -> int:
    print(f"taito: {message}", file=sys.stderr)
    return 1


def _problems(error: TaitoError) -> str:
    listed = getattr(error, "errors", ())
    lines = [error.detail, *(f"  {e['pointer']}: {e['message']}" for e in listed)]
    return "\n".join(lines)


def run_create(args: argparse.Namespace) -> int:
    try:
        created = _with_session(
            lambda session, base_url: create_verifier(
                session, slug=args.slug, name=args.name, base_url=base_url, now=datetime.now(UTC)
            )
        )
    except TaitoError as error:
        return _fail(_problems(error))
    print(f"verifier:  {created.verifier.slug} ({created.verifier.name})")
    print(f"client_id: {created.verifier.client_id}")
    print(f"api key:   {created.api_key}")
    print("Store the API key now: it is not shown again.")
    return 0


def run_list(_args: argparse.Namespace) -> int:
    found = _with_session(lambda session, base_url: list_verifiers(session, base_url=base_url))
    for info in found:
        print(f"{info.slug}\t{info.name}\t{info.client_id}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    document = _with_session(lambda session, _base: export_trust_registry(session))
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if args.file is None:
        sys.stdout.write(text)
    else:
        args.file.write_text(text, encoding="utf-8")
    return 0


def run_import(args: argparse.Namespace) -> int:
    try:
        raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
        document = json.loads(raw)
    except (OSError, UnicodeDecodeError, ValueError):
        return _fail("the registry file cannot be read as JSON")
    try:
        stored = _with_session(
            lambda session, _base: import_trust_registry(
                session, document=document, replace=args.replace, now=datetime.now(UTC)
            )
        )
    except TaitoError as error:
        return _fail(_problems(error))
    print(f"{len(stored)} trusted issuer(s) in the registry")
    return 0
