"""``taito admin ...``: operator commands that run against the configured database."""

import argparse
from typing import Any

Subparsers = Any  # argparse's _SubParsersAction is private.


def register(commands: Subparsers) -> None:
    admin = commands.add_parser("admin", help="operator commands (issuers, verifiers, logs, purge)")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    for module in _admin_modules():
        module.register(admin_commands)


def _admin_modules() -> list[Any]:
    # Each service contributes its own admin commands; listed here explicitly (no import magic).
    from api.cli import admin_issuers, admin_purge, admin_staff, admin_verifiers, admin_wallet

    return [admin_issuers, admin_verifiers, admin_staff, admin_wallet, admin_purge]


def no_handler(_args: argparse.Namespace) -> int:  # pragma: no cover - argparse requires one
    return 2
