"""The API-key and disabling commands every kind of organisation has in ``taito admin``.

``taito admin issuer|verifier keys|add-key|revoke-key|disable|enable --slug S``: the same
operations as ``/v1/admin/{issuers,verifiers}/{slug}/api-keys``, ``/disable`` and ``/enable``.
A new key is printed once; listings never hold a key.
"""

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from credentials.errors import TaitoError
from sealing.api_keys import ApiKeyInfo

Subparsers = Any  # argparse's _SubParsersAction is private.


@dataclass(frozen=True)
class KeyOperations:
    """One service's verbs, each taking a session and the organisation's slug."""

    sessions: Callable[[], Session]
    list_keys: Callable[[Session, str], Sequence[ApiKeyInfo]]
    add_key: Callable[[Session, str, str, datetime], tuple[ApiKeyInfo, str]]
    revoke_key: Callable[[Session, str, str, datetime], ApiKeyInfo]
    set_disabled: Callable[[Session, str, bool, datetime], object]


def register(actions: Subparsers, operations: KeyOperations) -> None:
    """Add ``keys``, ``add-key``, ``revoke-key``, ``disable`` and ``enable`` to ``actions``."""
    keys = actions.add_parser("keys", help="list the API keys (never the keys themselves)")
    keys.add_argument("--slug", required=True)
    keys.set_defaults(handler=lambda args: _list(args, operations))
    add = actions.add_parser("add-key", help="add a named API key and print it once")
    add.add_argument("--slug", required=True)
    add.add_argument("--name", required=True, help="what the key is for, e.g. 'Student register'")
    add.set_defaults(handler=lambda args: _add(args, operations))
    revoke = actions.add_parser("revoke-key", help="revoke an API key at once")
    revoke.add_argument("--slug", required=True)
    revoke.add_argument("--id", required=True, help="the key's id, from 'keys'")
    revoke.set_defaults(handler=lambda args: _revoke(args, operations))
    for name, disabled, text in (
        ("disable", True, "stop the organisation's API keys (what it published stays online)"),
        ("enable", False, "let a disabled organisation's unrevoked API keys work again"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("--slug", required=True)
        action.set_defaults(handler=_switch(operations, disabled=disabled))


def _run(operations: KeyOperations, work: Callable[[Session], int]) -> int:
    try:
        with operations.sessions() as session:
            return work(session)
    except TaitoError as error:
        print(f"taito: {error.detail}", file=sys.stderr)
        return 1


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.isoformat(timespec="minutes")


def _list(args: argparse.Namespace, operations: KeyOperations) -> int:
    def work(session: Session) -> int:
        print("id\tname\tcreated\tlast used\trevoked")
        for key in operations.list_keys(session, args.slug):
            print(
                f"{key.id}\t{key.name}\t{_when(key.created_at)}\t{_when(key.last_used_at)}"
                f"\t{_when(key.revoked_at)}"
            )
        return 0

    return _run(operations, work)


def _add(args: argparse.Namespace, operations: KeyOperations) -> int:
    def work(session: Session) -> int:
        key, secret = operations.add_key(session, args.slug, args.name, datetime.now(UTC))
        print(f"key:     {key.id} ({key.name})")
        print(f"API key (shown once, store it safely): {secret}")
        return 0

    return _run(operations, work)


def _revoke(args: argparse.Namespace, operations: KeyOperations) -> int:
    def work(session: Session) -> int:
        key = operations.revoke_key(session, args.slug, args.id, datetime.now(UTC))
        print(f"revoked: {key.id} ({key.name}); it no longer works")
        return 0

    return _run(operations, work)


def _switch(operations: KeyOperations, *, disabled: bool) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        def work(session: Session) -> int:
            operations.set_disabled(session, args.slug, disabled, datetime.now(UTC))
            state = "disabled: its API keys stop working" if disabled else "enabled"
            print(f"{args.slug}: {state}")
            return 0

        return _run(operations, work)

    return handler
