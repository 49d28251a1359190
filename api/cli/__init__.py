"""The ``taito`` command line.

Server and database commands (``serve``, ``dev``, ``db upgrade``) run against the configured
database; credential commands (``keygen``, ``issue``, ``present``, ``verify``) are offline and
use only the credential core. Exit status: 0 success, 1 rejected/failed, 2 usage error.
"""

import argparse
import sys
from collections.abc import Sequence

from api.cli import admin, credentials, server
from api.demo import command as demo


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="taito", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    server.register(commands)
    admin.register(commands)
    credentials.register(commands)
    demo.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
