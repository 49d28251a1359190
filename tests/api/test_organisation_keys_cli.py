"""``taito admin issuer|verifier keys|add-key|revoke-key|disable|enable``."""

import argparse
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.cli import admin_issuers, admin_staff, admin_verifiers
from api.settings import Settings
from issuers.organisations import create_issuer
from tests.service.test_verifiers_support import unique
from tests.service.test_wallet_support import FAST_ARGON2
from wallet.passwords import PasswordHashing


class _FastHashing:
    """Cheap argon2id parameters in place of the CLI's production ones."""

    @staticmethod
    def serial(_parameters: object) -> PasswordHashing:
        return PasswordHashing.serial(FAST_ARGON2)


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


def test_an_operator_creates_staff_invites_lists_and_removes_them(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    clean_engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(admin_staff, "PasswordHashing", _FastHashing)
    parser = _parser(admin_staff, monkeypatch, settings, clean_engine)
    with Session(clean_engine) as session:
        create_issuer(
            session,
            name="College",
            slug="college",
            types=["competence"],
            alg="ES256",
            kek=secrets.token_bytes(32),
            now=datetime.now(UTC),
        )
    assert _run(parser, "staff", "invite", "--organisation", "nobody-yet", "--role", "issuer_staff")
    assert "no organisation" in capsys.readouterr().err
    secret = tmp_path / "password"
    secret.write_text("talvilukukausi alkaa pian\n")
    create = ["staff", "create", "--username", "opo", "--name", "Opo", "--password-file"]
    assert (
        _run(parser, *create, str(secret), "--organisation", "college", "--role", "issuer_staff")
        == 0
    )
    assert "talvilukukausi" not in capsys.readouterr().out
    assert _run(parser, "staff", "list", "--organisation", "college") == 0
    (line,) = capsys.readouterr().out.splitlines()
    account, username, _name, role = line.split("\t")
    assert (username, role) == ("opo", "issuer_staff")
    assert (
        _run(parser, "staff", "invite", "--organisation", "college", "--role", "verifier_staff")
        == 0
    )
    assert "/org/join?token=tsi_" in capsys.readouterr().out
    assert _run(parser, "staff", "remove", "--organisation", "college", "--id", account) == 0
    assert _run(parser, "staff", "remove", "--organisation", "college", "--id", account) == 1
    assert _run(parser, *create, str(secret)) == 1  # the username is taken
