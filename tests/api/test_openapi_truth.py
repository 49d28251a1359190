"""The OpenAPI document tells the truth: a bearer scheme per door (so /docs offers "Authorize"),
every error status an operation really answers documented with the problem+json body it sends,
and the required ``Idempotency-Key``."""

from collections.abc import Iterator
from typing import Any

import pytest

from api.openapi import PROTOCOL_ERRORS, SERVICE_STATUSES
from api.problems import PROBLEM_JSON
from tests.api.demo_world import DemoWorld, Headers, demo_world

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoWorld]:
    with demo_world(tmp_path_factory.mktemp("openapi")) as built:
        yield built


def operations(world: DemoWorld) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in world.app.openapi()["paths"].items():
        for method, operation in item.items():
            yield method.upper(), path, operation


def concrete(world: DemoWorld, path: str, *, unknown: bool = False) -> str:
    """The template with the demo's slugs, or ids (and slugs) that name nothing."""
    slug = world.verifier_slug if "/verifiers/" in path else world.issuer_slug
    path = path.replace("{slug}", "no-such-slug" if unknown else slug)
    for name in ("credential_id", "request_id", "share_id", "skill_id", "list_id", "name"):
        path = path.replace("{" + name + "}", "no-such-id")
    return path.replace("{token}", "t" * 43).replace("{version}", "1")


def door(world: DemoWorld, path: str) -> Headers:
    if path.startswith("/v1/issuers"):
        return world.issuer
    if path.startswith(("/v1/verifiers", "/v1/verifications")):
        return world.verifier
    if path.startswith("/v1/admin"):
        return world.admin
    return world.person


def documented(operation: dict[str, Any]) -> set[int]:
    return {int(status) for status in operation["responses"]}


def test_each_door_has_a_bearer_scheme_and_each_operation_names_its_own(
    world: DemoWorld,
) -> None:
    schemes = world.app.openapi()["components"]["securitySchemes"]
    assert {name: (s["type"], s["scheme"]) for name, s in schemes.items()} == {
        "issuer_api_key": ("http", "bearer"),
        "verifier_api_key": ("http", "bearer"),
        "wallet_access_token": ("http", "bearer"),
        "admin_token": ("http", "bearer"),
    }
    expected = {
        "/v1/issuers": "issuer_api_key",
        "/v1/verifiers": "verifier_api_key",
        "/v1/verifications": "verifier_api_key",
        "/v1/wallet": "wallet_access_token",
        "/v1/auth/logout": "wallet_access_token",
        "/v1/admin": "admin_token",
    }
    # A wallet fetches a Request Object and posts its answer without any bearer token: the
    # request's state and nonce, not a key, tie the answer to the request (OpenID4VP 1.0 §8.2).
    public = {
        "/v1/verifiers/{slug}/openid4vp/requests/{request_id}",
        "/v1/verifiers/{slug}/openid4vp/response",
    }
    for _method, path, operation in operations(world):
        prefix = next((p for p in expected if path.startswith(p)), None)
        if prefix is not None and path not in public:
            assert operation["security"] == [{expected[prefix]: []}], path


def test_every_documented_error_is_a_problem_and_no_framework_body_is_documented(
    world: DemoWorld,
) -> None:
    document = world.app.openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for method, path, operation in operations(world):
        protocol = PROTOCOL_ERRORS.get((method, path), ())
        for status, response in operation["responses"].items():
            if int(status) >= 400 and int(status) not in protocol:
                schema = response["content"][PROBLEM_JSON]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, (path, status)


def test_the_service_statuses_name_only_operations_that_exist(world: DemoWorld) -> None:
    known = {(method, path) for method, path, _ in operations(world)}
    assert set(SERVICE_STATUSES) <= known


def test_idempotency_key_is_documented_as_required(world: DemoWorld) -> None:
    for method, path, operation in operations(world):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "Idempotency-Key":
                assert parameter["required"] is True, (method, path)
                assert parameter["schema"]["maxLength"] == 255
    issuing = dict(((m, p), o) for m, p, o in operations(world))
    for path in ("/v1/issuers/{slug}/credentials", "/v1/issuers/{slug}/credentials/batch"):
        names = [p["name"] for p in issuing[("POST", path)]["parameters"]]
        assert "Idempotency-Key" in names


def test_the_statuses_an_operation_answers_at_the_edge_are_documented(world: DemoWorld) -> None:
    """401 without a token, 400/413/415/422 for bad bodies, 404 for unknown ids: each answered
    status must be one the document names for that operation."""
    undocumented = []
    for method, path, operation in operations(world):
        statuses = documented(operation)
        answers = []
        if operation.get("security") and {} not in operation["security"]:
            answers.append(world.client.request(method, concrete(world, path)))
        if path.count("{") and path != "/types/{slug}/v{version}":
            answers.append(
                world.client.request(
                    method, concrete(world, path, unknown=True), headers=door(world, path)
                )
            )
        if "requestBody" in operation:
            target, auth = concrete(world, path), door(world, path)
            answers += [
                world.client.request(method, target, content=b"{", headers={**auth, **JSON}),
                world.client.request(
                    method, target, content=b"{}", headers={**auth, "content-type": "text/xml"}
                ),
                world.client.request(
                    method, target, content=b"[" * (20 << 20), headers={**auth, **JSON}
                ),
                world.client.request(
                    method,
                    target,
                    json={"not_a_field": True},
                    headers={**auth, "Idempotency-Key": "truth"},
                ),
            ]
        for answer in answers:
            assert 400 <= answer.status_code < 500, (method, path, answer.text)
            if answer.status_code not in statuses:
                undocumented.append((method, path, answer.status_code))
    assert undocumented == []
