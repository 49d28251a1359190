"""``taito admin issuer|verifier keys|add-key|revoke-key|disable|enable``."""

import argparse
import re
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.cli import admin_issuers, admin_verifiers
from api.settings import Settings
from tests.service.test_verifiers_support import unique


def _parser(
    module: ModuleType, monkeypatch: pytest.MonkeyPatch, settings: Settings, engine: Engine
) -> argparse.ArgumentParser:
    monkeypatch.setattr(module, "load_settings", lambda: settings)
    monkeypatch.setattr(module, "build_engine", lambda url: engine)
    parser = argparse.ArgumentParser(prog="taito")
    module.register(parser.add_subparsers(dest="command", required=True))
    return parser


def _run(parser: argparse.ArgumentParser, *argv: str) -> int:
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


@pytest.mark.parametrize(
    ("module", "kind", "create"),
    [
        (admin_issuers, "issuer", ["--types", "qualification"]),
        (admin_verifiers, "verifier", []),
    ],
)
def test_an_operator_adds_lists_revokes_keys_and_disables_an_organisation(
    module: ModuleType,
    kind: str,
    create: list[str],
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    clean_engine: Engine,
    client: TestClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = _parser(module, monkeypatch, settings, clean_engine)
    slug = unique("cli")
    assert _run(parser, kind, "create", "--name", "CLI Oy", "--slug", slug, *create) == 0
    capsys.readouterr()
    assert _run(parser, kind, "add-key", "--slug", slug, "--name", "Payroll") == 0
    out = capsys.readouterr().out
    secret = re.search(r"t[iv]k_\S{43}", out)
    key_id = re.search(r"key:\s+(\S+)", out)
    assert secret is not None and key_id is not None

    assert _run(parser, kind, "keys", "--slug", slug) == 0
    listing = capsys.readouterr().out
    assert "first key" in listing and "Payroll" in listing and secret.group(0) not in listing

    assert _run(parser, kind, "revoke-key", "--slug", slug, "--id", key_id.group(1)) == 0
    assert "no longer works" in capsys.readouterr().out
    assert _run(parser, kind, "disable", "--slug", slug) == 0
    assert "disabled" in capsys.readouterr().out
    assert _run(parser, kind, "revoke-key", "--slug", slug, "--id", "nope") == 1
    assert "no such API key" in capsys.readouterr().err
    assert _run(parser, kind, "enable", "--slug", unique("missing")) == 1
