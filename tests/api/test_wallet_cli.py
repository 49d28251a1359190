"""``taito admin verify-log``: exit 0 on an intact log, 1 once a row has been edited."""

import argparse
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from api.cli import admin_wallet
from tests.api.test_wallet_support_api import WalletHarness, harness_for, receive_three, register
from wallet.tables import WalletActivity


@pytest.fixture
def harness(app: FastAPI, client: TestClient) -> Iterator[WalletHarness]:
    yield from harness_for(app, client)


def test_verify_log_passes_then_fails_after_a_row_is_edited(
    harness: WalletHarness, app: FastAPI, clean_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    auth = register(harness.client)
    receive_three(harness.client, auth)
    assert admin_wallet.verify_log(clean_engine, kek=app.state.kek) == 0
    assert "intact (1 wallet(s), 4 entries)" in capsys.readouterr().out

    with clean_engine.begin() as connection:
        connection.execute(
            update(WalletActivity).where(WalletActivity.seq == 2).values(kind="credential_deleted")  # type: ignore[arg-type]
        )
    assert admin_wallet.verify_log(clean_engine, kek=app.state.kek) == 1
    out = capsys.readouterr().out
    assert "entry 2: the entry was altered" in out and "altered (1 finding(s))" in out
    assert "Haaga" not in out


def test_verify_log_is_an_admin_subcommand() -> None:
    parser = argparse.ArgumentParser(prog="taito admin")
    commands = parser.add_subparsers(dest="admin_command", required=True)
    admin_wallet.register(commands)
    args = parser.parse_args(["verify-log"])
    assert args.handler is admin_wallet.run_verify_log
