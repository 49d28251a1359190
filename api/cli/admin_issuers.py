"""``taito admin issuer ...``: create issuers, list them, rotate their signing keys, manage their
API keys and disable them (:mod:`api.cli.organisation_keys`).

They run against the configured database (``TAITO_*``) with the configured KEK, calling the
issuers service directly. ``create`` prints the API key once: it is stored only as a hash.
"""

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from api.cli import organisation_keys
from api.database import build_engine
from api.kek import KEKError, load_kek
from api.settings import load_settings
from credentials.errors import TaitoError
from issuers import api_keys
from issuers.identifiers import issuer_did, issuer_identifier
from issuers.organisations import (
    create_issuer,
    get_issuer,
    list_issuers,
    rotate_key,
    set_issuer_disabled,
)
from schemas import SLUGS
from sealing.api_keys import ApiKeyInfo

Subparsers = Any  # argparse's _SubParsersAction is private.


def register(admin_commands: Subparsers) -> None:
    """Add ``issuer create``, ``issuer list`` and ``issuer rotate-key`` to ``taito admin``."""
    issuer = admin_commands.add_parser("issuer", help="issuer organisations")
    actions = issuer.add_subparsers(dest="issuer_command", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create an issuer and print its API key once")
    create.add_argument("--name", required=True, help="display name, e.g. 'Metropolia UAS'")
    create.add_argument("--slug", required=True, help="URL name: lower-case letters, digits, -")
    create.add_argument(
        "--types",
        required=True,
        help=f"comma-separated credential types it may issue: {','.join(SLUGS)}",
    )
    create.add_argument("--alg", choices=("EdDSA", "ES256"), default="EdDSA")
    create.set_defaults(handler=run_create)

    listing = actions.add_parser("list", help="list issuers")
    listing.set_defaults(handler=run_list)

    rotate = actions.add_parser("rotate-key", help="give an issuer a new signing key")
    rotate.add_argument("--slug", required=True)
    rotate.add_argument("--alg", choices=("EdDSA", "ES256"), default="EdDSA")
    rotate.set_defaults(handler=run_rotate)
    organisation_keys.register(actions, _KEY_OPERATIONS)


def _plain_session() -> Session:
    return Session(build_engine(load_settings().database_url), expire_on_commit=False)


def _add_key(session: Session, slug: str, name: str, now: datetime) -> tuple[ApiKeyInfo, str]:
    issuer = get_issuer(session, slug=slug)
    created = api_keys.add_api_key(session, issuer_id=issuer.id, name=name, now=now)
    return created.info, created.api_key


_KEY_OPERATIONS = organisation_keys.KeyOperations(
    sessions=_plain_session,
    list_keys=lambda session, slug: api_keys.list_api_keys(
        session, issuer_id=get_issuer(session, slug=slug).id
    ),
    add_key=_add_key,
    revoke_key=lambda session, slug, key_id, now: api_keys.revoke_api_key(
        session, issuer_id=get_issuer(session, slug=slug).id, key_id=key_id, now=now
    ),
    set_disabled=lambda session, slug, disabled, now: set_issuer_disabled(
        session, slug=slug, disabled=disabled, now=now
    ),
)


def _session() -> tuple[Session, bytes, str]:
    settings = load_settings()
    kek = load_kek(settings)
    session = Session(build_engine(settings.database_url), expire_on_commit=False)
    return session, kek, settings.base_url


def _fail(error: Exception) -> int:
    print(f"taito: {error}", file=sys.stderr)
    return 1


def run_create(args: argparse.Namespace) -> int:
    try:
        session, kek, base_url = _session()
        types = [t.strip() for t in str(args.types).split(",") if t.strip()]
        with session:
            created = create_issuer(
                session,
                name=args.name,
                slug=args.slug,
                types=types,
                alg=args.alg,
                kek=kek,
                now=datetime.now(UTC),
            )
    except (TaitoError, KEKError) as error:
        return _fail(error)
    print(f"issuer:     {created.account.slug} ({created.account.name})")
    print(f"identifier: {issuer_identifier(base_url, created.account.slug)}")
    print(f"did:        {issuer_did(base_url, created.account.slug)}")
    print(f"types:      {', '.join(created.account.types)}")
    print(f"key:        {created.key.alg} {created.key.kid}")
    print(f"API key (shown once, store it safely): {created.api_key}")
    return 0


def run_list(_args: argparse.Namespace) -> int:
    try:
        session, _kek, _base_url = _session()
        with session:
            accounts = list_issuers(session)
    except (TaitoError, KEKError) as error:
        return _fail(error)
    for account in accounts:
        print(f"{account.slug}\t{account.name}\t{','.join(account.types)}")
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    try:
        session, kek, _base_url = _session()
        with session:
            key = rotate_key(session, slug=args.slug, alg=args.alg, kek=kek, now=datetime.now(UTC))
    except (TaitoError, KEKError) as error:
        return _fail(error)
    print(f"new signing key: {key.alg} {key.kid} (the old key stays published while needed)")
    return 0
