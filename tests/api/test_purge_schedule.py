"""The app purges expired rows on its own schedule, and `taito admin purge` does it for cron."""

import asyncio
import logging
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from api.app import create_app
from api.cli import main
from api.cli.admin_purge import purge_now
from api.purge import PurgeReport
from api.purge_schedule import PurgeSchedule
from api.settings import Settings
from verifiers.nonces import NONCE_LIFETIME, NONCE_RETENTION, issue_nonce
from verifiers.organisations import create_verifier
from verifiers.tables import VerifierNonce

LONG_AGO = datetime.now(UTC) - NONCE_RETENTION - NONCE_LIFETIME - timedelta(hours=1)


def _expired_and_live_nonces(engine: Engine) -> tuple[str, str]:
    with Session(engine) as session:
        verifier = create_verifier(
            session,
            slug=f"acme-{secrets.token_hex(3)}",
            name="Acme",
            base_url="https://taito.test",
            now=LONG_AGO,
        ).verifier
        expired = issue_nonce(session, verifier=verifier, now=LONG_AGO).nonce
        live = issue_nonce(session, verifier=verifier, now=datetime.now(UTC)).nonce
    return expired, live


def _nonces(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(VerifierNonce.nonce)).all())


def test_the_app_purges_expired_rows_on_its_schedule_and_stops_with_it(
    settings: Settings, clean_engine: Engine
) -> None:
    expired, live = _expired_and_live_nonces(clean_engine)
    app = create_app(
        settings.model_copy(update={"purge_interval_seconds": 0.05}), engine=clean_engine
    )
    with TestClient(app):
        schedule = app.state.purge_schedule
        assert isinstance(schedule, PurgeSchedule) and schedule.running
        deadline = time.monotonic() + 10
        while expired in _nonces(clean_engine) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _nonces(clean_engine) == {live}
    assert not schedule.running
    passes = schedule.passes
    time.sleep(0.2)
    assert schedule.passes == passes, "no pass after shutdown"


def test_an_interval_of_zero_starts_no_schedule(settings: Settings, clean_engine: Engine) -> None:
    app = create_app(settings.model_copy(update={"purge_interval_seconds": 0}), engine=clean_engine)
    with TestClient(app):
        assert not hasattr(app.state, "purge_schedule")


def test_a_failing_pass_is_logged_and_the_next_one_runs(
    clean_engine: Engine, taito_logs: pytest.LogCaptureFixture
) -> None:
    outcomes: list[PurgeReport | Exception] = [
        ConnectionError("db at 10.0.0.5 refused user aino"),
        PurgeReport(counts={"nonces": 2}, failed=()),
    ]

    def flaky(_engine: Engine) -> PurgeReport | None:
        outcome = outcomes.pop(0) if outcomes else PurgeReport(counts={}, failed=())
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def scenario() -> int:
        schedule = PurgeSchedule(clean_engine, interval=0.02, purge=flaky)
        schedule.start()
        for _ in range(200):
            if schedule.passes >= 2:
                break
            await asyncio.sleep(0.01)
        await schedule.stop()
        assert not schedule.running
        return schedule.passes

    assert asyncio.run(scenario()) >= 2
    failures = [r for r in taito_logs.records if r.name == "taito.purge" and r.levelname == "ERROR"]
    assert len(failures) == 1
    assert getattr(failures[0], "error_type", None) == "ConnectionError"
    assert "aino" not in failures[0].getMessage() and "10.0.0.5" not in failures[0].getMessage()
    assert any("nonces 2" in r.getMessage() for r in taito_logs.records if r.levelname == "INFO")


def test_taito_admin_purge_prints_counts_per_kind_and_exits_0(
    clean_engine: Engine,
    database: tuple[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _expired, live = _expired_and_live_nonces(clean_engine)
    url, connect_args = database
    if connect_args:  # PostgreSQL: this run's schema, as a server would be configured
        url = make_url(url).update_query_dict(connect_args).render_as_string(hide_password=False)
    monkeypatch.setenv("TAITO_DATABASE_URL", url)
    assert main(["admin", "purge"]) == 0
    printed = dict(line.split("\t") for line in capsys.readouterr().out.splitlines())
    assert printed == {
        "pickup_codes": "0",
        "offers": "0",
        "batches": "0",
        "idempotency_records": "0",
        "nonces": "1",
        "tokens": "0",
        "sessions": "0",
        "login_throttles": "0",
        "oid4vci_grants": "0",
        "staff_invites": "0",
        "staff_sessions": "0",
    }
    assert _nonces(clean_engine) == {live}


def test_taito_admin_purge_exits_1_when_the_database_is_down(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    with caplog.at_level(logging.CRITICAL):
        assert purge_now(dead) == 1
    assert "OperationalError" in capsys.readouterr().err
