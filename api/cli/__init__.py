"""The ``taito`` command line.

Server and database commands (``serve``, ``dev``, ``db upgrade``) run against the configured
database; credential commands (``keygen``, ``issue``, ``present``, ``verify``) are offline and
use only the credential core and the gate. Exit status: 0 success, 1 rejected/failed, 2 usage
error.

A credential command imports only what it needs (not the web application, the database layer or
the server), so ``taito verify`` starts in a fraction of a second.
"""

import argparse
import sys
from collections.abc import Sequence

OFFLINE_COMMANDS = frozenset({"keygen", "issue", "present", "verify"})


def build_parser(*, offline_only: bool = False) -> argparse.ArgumentParser:
    """The parser of every command, or of the offline credential commands only."""
    from api.cli import credentials, verify

    parser = argparse.ArgumentParser(prog="taito", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if not offline_only:
        from api.cli import admin, server

        server.register(commands)
        admin.register(commands)
    credentials.register(commands)
    verify.register(commands)
    if not offline_only:
        from api.demo import command as demo

        demo.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(offline_only=bool(arguments) and arguments[0] in OFFLINE_COMMANDS)
    args = parser.parse_args(arguments)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
