"""``taito admin verifier create`` and ``taito admin trust import|export``."""

import argparse
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from api.cli import admin_verifiers
from api.settings import Settings
from credentials.keys import generate_key
from tests.service.test_verifiers_support import QUALIFICATION, unique


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, settings: Settings, clean_engine: Engine) -> "Runner":
    monkeypatch.setattr(admin_verifiers, "load_settings", lambda: settings)
    monkeypatch.setattr(admin_verifiers, "build_engine", lambda url: clean_engine)
    parser = argparse.ArgumentParser(prog="taito")
    admin_verifiers.register(parser.add_subparsers(dest="command", required=True))
    return Runner(parser)


class Runner:
    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser

    def __call__(self, *argv: str) -> int:
        args = self.parser.parse_args(argv)
        result: int = args.handler(args)
        return result


def test_verifier_create_prints_the_client_id_and_the_key_once(
    run: Runner, capsys: pytest.CaptureFixture[str]
) -> None:
    slug = unique("acme")
    assert run("verifier", "create", "--slug", slug, "--name", "Acme Oy") == 0
    out = capsys.readouterr().out
    assert f"client_id: https://taito.test/verifiers/{slug}" in out
    assert "api key:   tvk_" in out
    assert run("verifier", "create", "--slug", slug, "--name", "Again") == 1
    assert "already used" in capsys.readouterr().err


def test_trust_import_then_export_round_trips(
    run: Runner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    identifier = unique("https://issuer.example/i")
    document: dict[str, Any] = {
        "version": 1,
        "trusted_issuers": [
            {
                "identifier": identifier,
                "display_name": "Omnia",
                "key_source": "pinned_jwk",
                "vct_values": [QUALIFICATION],
                "jwks": {"keys": [generate_key("EdDSA").public.jwk]},
            }
        ],
    }
    source = tmp_path / "registry.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    assert run("trust", "import", str(source)) == 0
    target = tmp_path / "export.json"
    assert run("trust", "export", "--file", str(target)) == 0
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert document["trusted_issuers"][0] in exported["trusted_issuers"]
    capsys.readouterr()


def test_trust_import_of_an_invalid_document_fails_with_pointers(
    run: Runner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.json"
    source.write_text(
        json.dumps({"version": 1, "trusted_issuers": [{"key_source": "magic"}]}), encoding="utf-8"
    )
    assert run("trust", "import", str(source)) == 1
    assert "/trusted_issuers/0/key_source" in capsys.readouterr().err


def test_trust_import_of_a_file_that_is_not_json_fails(run: Runner, tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    source.write_text("{nope", encoding="utf-8")
    assert run("trust", "import", str(source)) == 1
