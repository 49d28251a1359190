"""The foundation: probes, problem+json on every error path, the body limit, request ids."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import create_engine

from api.app import create_app
from api.problems import PROBLEM_JSON
from api.settings import Environment, Settings


def assert_problem(response: object, status: int, code: str) -> dict[str, object]:
    from httpx import Response

    assert isinstance(response, Response)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["type"] == f"urn:taito:problem:{code}"
    assert body["code"] == code
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert isinstance(body, dict)
    return body


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_answers_ok_when_the_database_is_reachable(client: TestClient) -> None:
    assert client.get("/readyz").json() == {"status": "ok"}


def test_readyz_answers_503_problem_when_the_database_is_down(settings: Settings) -> None:
    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    with TestClient(create_app(settings, engine=dead)) as client:
        assert_problem(client.get("/readyz"), 503, "database_unavailable")


def test_unknown_path_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/does-not-exist"), 404, "not_found")


def test_wrong_method_is_a_405_problem(client: TestClient) -> None:
    assert_problem(client.delete("/healthz"), 405, "method_not_allowed")


def test_two_mebibyte_body_is_a_413_problem_on_any_path(client: TestClient) -> None:
    body = b"x" * (2 * 1024 * 1024)
    assert_problem(client.post("/does-not-exist", content=body), 413, "request_too_large")
    assert_problem(client.post("/healthz", content=body), 413, "request_too_large")


def test_chunked_body_over_the_limit_is_stopped_with_413(settings: Settings) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"y" * 65536

    with TestClient(_app_with_echo(settings)) as client:
        response = client.post(
            "/echo", content=chunks(), headers={"content-type": "application/json"}
        )
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "request_too_large")


class Echo(BaseModel):
    name: str
    count: int


def _app_with_echo(settings: Settings) -> FastAPI:
    app = create_app(settings, engine=create_engine("sqlite://"))

    @app.post("/echo")
    def echo(body: Echo) -> Echo:
        return body

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret-value-that-must-not-leak")

    return app


def test_malformed_json_is_a_400_problem(settings: Settings) -> None:
    with TestClient(_app_with_echo(settings)) as client:
        response = client.post(
            "/echo", content=b'{"name": ', headers={"content-type": "application/json"}
        )
        assert_problem(response, 400, "malformed_json")


def test_invalid_fields_are_a_422_problem_that_does_not_echo_input(settings: Settings) -> None:
    with TestClient(_app_with_echo(settings)) as client:
        response = client.post("/echo", json={"name": "Sensitive Person", "count": "many"})
        body = assert_problem(response, 422, "validation_failed")
        assert body["errors"] == [
            {
                "pointer": "/body/count",
                "message": "Input should be a valid integer, unable to parse string as an integer",
            }
        ]
        assert "Sensitive" not in response.text and "many" not in response.text


def test_unhandled_error_is_a_generic_500_and_is_logged_with_request_id(
    settings: Settings, taito_logs: pytest.LogCaptureFixture
) -> None:
    with TestClient(_app_with_echo(settings), raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"x-request-id": "req-12345678"})
    body = assert_problem(response, 500, "internal_error")
    assert body["request_id"] == "req-12345678"
    assert "secret-value" not in response.text
    logged = [r for r in taito_logs.records if r.name == "taito.error"]
    assert len(logged) == 1 and getattr(logged[0], "request_id", None) == "req-12345678"
    assert "RuntimeError" in getattr(logged[0], "traceback", "")


def test_access_log_names_route_template_and_never_the_query_string(
    client: TestClient, taito_logs: pytest.LogCaptureFixture
) -> None:
    client.get("/healthz?token=abcdef-secret")
    lines = [r for r in taito_logs.records if r.name == "taito.access"]
    assert len(lines) == 1
    assert getattr(lines[0], "route", None) == "/healthz"
    assert getattr(lines[0], "status", None) == 200
    assert "abcdef-secret" not in lines[0].getMessage()


def test_production_refuses_to_start_without_a_kek_file(settings: Settings) -> None:
    unsafe = settings.model_copy(update={"environment": Environment.PRODUCTION, "kek_file": None})
    with pytest.raises(ValueError, match="TAITO_KEK_FILE"):
        create_app(unsafe)


def test_production_refuses_demo_data(settings: Settings) -> None:
    unsafe = settings.model_copy(update={"environment": Environment.PRODUCTION, "demo": True})
    with pytest.raises(ValueError, match="TAITO_DEMO"):
        create_app(unsafe)


def test_batch_issuance_and_wallet_import_accept_bodies_above_the_default_limit(
    client: TestClient,
) -> None:
    body = b"x" * (2 * 1024 * 1024)
    json_type = {"content-type": "application/json"}
    # Read whole and parsed (and refused as JSON), not cut off at the default limit.
    response = client.post(
        "/v1/issuers/some-college/credentials/batch", content=body, headers=json_type
    )
    assert_problem(response, 400, "malformed_json")
    assert_problem(
        client.post("/v1/issuers/some-college/credentials", content=body, headers=json_type),
        413,
        "request_too_large",
    )
