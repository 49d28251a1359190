"""A bounded fuzz run (schemathesis) against the app's own OpenAPI document, through every door:
as issuer, verifier, person and admin on a seeded demo instance. Zero server errors, and zero
responses that break the document: every status, media type and body as documented.

Deterministic (``derandomize``) and bounded (:data:`EXAMPLES` per operation and mode), so it runs
in ``make test``; ``TAITO_FUZZ_EXAMPLES`` raises the bound for a longer run by hand.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.demo_world import DemoWorld, Headers, bearer, demo_world

EXAMPLES = int(os.environ.get("TAITO_FUZZ_EXAMPLES", "20"))
Operation = APIOperation[Any, Any, Any, Any]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    with demo_world(tmp_path_factory.mktemp("fuzz")) as built:
        yield built


def _log_in(world: DemoWorld, index: int) -> Headers:
    person = world.demo.people[index]
    response = world.client.post(
        "/v1/auth/login", json={"username": person.username, "password": person.password}
    )
    assert response.status_code == 200
    return bearer(response.json()["access_token"])


def _doors(world: DemoWorld) -> dict[str, Headers]:
    """The bearer header per path prefix; logout and erasure get a session of their own, so
    that they do not end the session the rest of the run goes on with."""
    return {
        "/v1/auth/logout": _log_in(world, 1),
        "/v1/wallet DELETE": _log_in(world, 1),
        "/v1/issuers": world.issuer,
        "/v1/verifiers": world.verifier,
        "/v1/verifications": world.verifier,
        "/v1/shares": world.verifier,
        "/v1/admin": world.admin,
        "/": world.person,
    }


def _door(doors: dict[str, Headers], operation: Operation) -> Headers:
    exact = f"{operation.path} {operation.method.upper()}"
    if exact in doors:
        return doors[exact]
    prefix = max((p for p in doors if operation.path.startswith(p)), key=len)
    return doors[prefix]


def _known_ids(world: DemoWorld) -> dict[str, dict[str, Any]]:
    """Path parameters that name real things, so the fuzzer also gets past "not found"."""
    held = world.client.get("/v1/wallet/credentials", headers=world.person).json()
    register = world.client.get(
        f"/v1/issuers/{world.issuer_slug}/credentials", headers=world.issuer
    ).json()
    entry = register["items"][0]
    return {
        "/v1/wallet/credentials/{credential_id} GET": {
            "credential_id": held["credentials"][0]["id"]
        },
        "/v1/issuers/{slug}/credentials/{credential_id} GET": {"credential_id": entry["id"]},
        "/v1/issuers/{slug}/credentials/{credential_id}/status POST": {
            "credential_id": entry["id"]
        },
        "/status/{list_id} GET": {"list_id": entry["status_list_id"]},
        "/types/{slug}/v{version} GET": {"slug": "competence", "version": 1},
    }


def _fuzz(
    operation: Operation,
    *,
    mode: GenerationMode,
    path_parameters: dict[str, Any] | None,
    headers: Headers,
    failures: list[str],
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Case[Any]) -> None:
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except BaseException as failure:  # schemathesis raises a BaseExceptionGroup
            if isinstance(failure, KeyboardInterrupt):
                raise
            label = f"{operation.method.upper()} {operation.path} ({mode.value})"
            failures.append(f"{label}: {failure}\n{case.as_curl_command()}")

    try:
        run()
    except BaseException as failure:
        if isinstance(failure, KeyboardInterrupt):
            raise
        # An operation whose negative cases cannot be generated (no parameters) is no failure.
        if type(failure).__name__ != "Unsatisfiable":
            failures.append(f"{operation.method.upper()} {operation.path}: {failure!r}")


def test_fuzzing_every_operation_through_every_door_finds_no_server_error_or_schema_break(
    world: DemoWorld,
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    doors = _doors(world)
    known = _known_ids(world)
    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) >= 50
    for operation in operations:
        slug = world.verifier_slug if "/verifiers/" in operation.path else world.issuer_slug
        fixed = {"slug": slug} if "{slug}" in operation.path else None
        headers = _door(doors, operation)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode=mode, path_parameters=fixed, headers=headers, failures=failures)
        real = known.get(f"{operation.path} {operation.method.upper()}")
        if real is not None:
            _fuzz(
                operation,
                mode=GenerationMode.POSITIVE,
                path_parameters={**(fixed or {}), **real},
                headers=headers,
                failures=failures,
            )
    assert failures == [], "\n\n".join(failures[:20])
