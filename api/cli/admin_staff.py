"""``taito admin staff ...``: organisations' staff accounts, invitations and removal.

``create`` reads the password from ``--password-file`` (or standard input with ``-``), never
from the command line, where other users of the machine could read it. ``invite`` prints the
one-time link's path once.
"""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from api.database import build_engine
from api.flows.organisations import existing_organisation
from api.settings import load_settings
from credentials.errors import TaitoError
from wallet.passwords import Argon2Parameters, PasswordHashing
from wallet.staff import ROLES, create_staff_account, invite_staff, list_staff, remove_staff

Subparsers = Any  # argparse's _SubParsersAction is private.


def register(admin_commands: Subparsers) -> None:
    """Add ``staff create|list|invite|remove`` to ``taito admin``."""
    staff = admin_commands.add_parser("staff", help="organisations' staff accounts")
    actions = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a staff account")
    create.add_argument("--username", required=True)
    create.add_argument("--name", required=True, help="the person's name, as colleagues know it")
    create.add_argument("--password-file", required=True, help="a file holding it, or -")
    create.add_argument("--organisation", help="the organisation's slug")
    create.add_argument("--role", choices=ROLES)
    create.add_argument("--platform-admin", action="store_true")
    create.set_defaults(handler=run_create)
    listing = actions.add_parser("list", help="an organisation's staff")
    listing.add_argument("--organisation", required=True)
    listing.set_defaults(handler=run_list)
    invite = actions.add_parser("invite", help="print a one-time invitation link's path")
    invite.add_argument("--organisation", required=True)
    invite.add_argument("--role", required=True, choices=ROLES)
    invite.set_defaults(handler=run_invite)
    remove = actions.add_parser("remove", help="take every role in an organisation from someone")
    remove.add_argument("--organisation", required=True)
    remove.add_argument("--id", required=True, help="the account's id, from 'list'")
    remove.set_defaults(handler=run_remove)


def _session() -> Session:
    return Session(build_engine(load_settings().database_url), expire_on_commit=False)


def _fail(error: TaitoError) -> int:
    print(f"taito: {error.detail}", file=sys.stderr)
    return 1


def run_create(args: argparse.Namespace) -> int:
    from_stdin = str(args.password_file) == "-"
    raw = sys.stdin.read() if from_stdin else Path(args.password_file).read_text(encoding="utf-8")
    password = raw.rstrip("\n")
    try:
        with _session() as session:
            if args.organisation is not None:
                existing_organisation(
                    session, slug=args.organisation, base_url=load_settings().base_url
                )
            account = create_staff_account(
                session,
                username=args.username,
                password=password,
                name=args.name,
                hashing=PasswordHashing.serial(Argon2Parameters()),
                now=datetime.now(UTC),
                organisation=args.organisation,
                role=args.role,
                platform_admin=args.platform_admin,
            )
    except TaitoError as error:
        return _fail(error)
    print(f"staff account: {account} ({args.username})")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with _session() as session:
        for member, role in list_staff(session, organisation=args.organisation):
            print(f"{member.id}\t{member.username}\t{member.name}\t{role}")
    return 0


def run_invite(args: argparse.Namespace) -> int:
    try:
        with _session() as session:
            existing_organisation(
                session, slug=args.organisation, base_url=load_settings().base_url
            )
            created = invite_staff(
                session, organisation=args.organisation, role=args.role, now=datetime.now(UTC)
            )
    except TaitoError as error:
        return _fail(error)
    print(f"invitation (shown once, until {created.expires_at:%Y-%m-%d %H:%M} UTC):")
    print(f"/org/join?token={created.token}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    try:
        with _session() as session:
            remove_staff(session, organisation=args.organisation, account_id=args.id)
    except TaitoError as error:
        return _fail(error)
    print(f"removed {args.id} from {args.organisation}")
    return 0
