"""Every 5xx leaves one log line with its request id, code and exception type, and nothing else."""

import json
import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from api.app import create_app
from api.logs import JSONLineFormatter, TextFormatter
from api.settings import Settings
from credentials.errors import TaitoError
from sealing.aead import SealError
from tests.api.test_foundation import assert_problem
from wallet.errors import CredentialCheckUnavailable

SECRET = "aino.korhonen@example.fi-tat_secret-token"


class _Refused(TaitoError):
    code = "test_refused"
    title = "Refused"
    status = 409


def _app_with_faults(settings: Settings) -> FastAPI:
    app = create_app(settings, engine=create_engine("sqlite://"))

    @app.get("/sealed")
    def sealed() -> None:
        raise SealError(f"could not open the data of {SECRET}")

    @app.get("/unavailable")
    def unavailable() -> None:
        raise CredentialCheckUnavailable(f"status list of {SECRET} is down")

    @app.get("/refused")
    def refused() -> None:
        raise _Refused(f"refused {SECRET}")

    @app.get("/crash")
    def crash() -> None:
        try:
            {"username": SECRET}["password"]
        except KeyError as missing:
            raise RuntimeError(f"lookup failed for {SECRET}") from missing

    return app


def _server_errors(logs: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in logs.records if r.name == "taito.error"]


def test_taito_error_answered_500_is_logged_once_with_request_id_code_and_type(
    settings: Settings, taito_logs: pytest.LogCaptureFixture
) -> None:
    with TestClient(_app_with_faults(settings)) as client:
        response = client.get("/sealed", headers={"x-request-id": "req-sealed-01"})
        client.get("/refused")
    assert_problem(response, 500, "sealed_data_invalid")
    logged = _server_errors(taito_logs)
    assert len(logged) == 1, "one line for the 500, none for the 409"
    record = logged[0]
    assert record.levelno == logging.ERROR
    assert getattr(record, "request_id", None) == "req-sealed-01"
    assert getattr(record, "status", None) == 500
    assert getattr(record, "error_code", None) == "sealed_data_invalid"
    assert getattr(record, "error_type", None) == "sealing.aead.SealError"


def test_taito_error_answered_503_is_logged_as_a_warning(
    settings: Settings, taito_logs: pytest.LogCaptureFixture
) -> None:
    with TestClient(_app_with_faults(settings)) as client:
        response = client.get("/unavailable", headers={"x-request-id": "req-unavail-1"})
    assert_problem(response, 503, "credential_check_unavailable")
    [record] = _server_errors(taito_logs)
    assert record.levelno == logging.WARNING
    assert getattr(record, "request_id", None) == "req-unavail-1"
    assert getattr(record, "error_code", None) == "credential_check_unavailable"


def test_unhandled_error_log_names_its_type_and_where_it_was_raised(
    settings: Settings, taito_logs: pytest.LogCaptureFixture
) -> None:
    with TestClient(_app_with_faults(settings), raise_server_exceptions=False) as client:
        response = client.get("/crash", headers={"x-request-id": "req-crash-001"})
    assert_problem(response, 500, "internal_error")
    [record] = _server_errors(taito_logs)
    assert getattr(record, "error_type", None) == "RuntimeError"
    assert getattr(record, "error_code", None) == "internal_error"
    trace = getattr(record, "traceback", "")
    assert "KeyError" in trace and "RuntimeError" in trace, "the cause is kept"
    assert "in crash" in trace, "the frame that raised is named"


@pytest.mark.parametrize("path", ["/sealed", "/unavailable", "/crash"])
@pytest.mark.parametrize("formatter", [TextFormatter(), JSONLineFormatter()])
def test_server_error_log_lines_never_carry_the_exception_message(
    settings: Settings,
    taito_logs: pytest.LogCaptureFixture,
    path: str,
    formatter: logging.Formatter,
) -> None:
    with TestClient(_app_with_faults(settings), raise_server_exceptions=False) as client:
        client.get(path, headers={"x-request-id": "req-private-1"})
    [record] = _server_errors(taito_logs)
    line = formatter.format(record)
    assert "req-private-1" in line
    assert SECRET not in line
    assert "aino" not in line and "tat_" not in line
    assert record.exc_info is None, "other handlers must not be able to print the message either"


def test_json_log_line_of_a_server_error_has_machine_readable_fields(
    settings: Settings, taito_logs: pytest.LogCaptureFixture
) -> None:
    with TestClient(_app_with_faults(settings)) as client:
        client.get("/sealed", headers={"x-request-id": "req-json-0001"})
    [record] = _server_errors(taito_logs)
    line = json.loads(JSONLineFormatter().format(record))
    assert line["level"] == "ERROR"
    assert line["request_id"] == "req-json-0001"
    assert line["error_code"] == "sealed_data_invalid"
    assert line["error_type"] == "sealing.aead.SealError"
    assert "SealError" in line["traceback"]
