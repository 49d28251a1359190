"""What verification keeps between requests never hides a change from the next verification.

Two applications on one database stand in for two workers: one warms its snapshot by verifying,
the other changes something (a revocation, a trust entry, a key rotation), and the very next
verification on the first must see the change (docs/architecture.md, "State and caches").
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import col

from api.app import create_app
from api.database import build_engine
from api.settings import Settings
from credentials.keys import PrivateKey, generate_key
from schemas import vct_for
from sealing.secret_hashes import hash_secret
from tests.api.test_end_to_end import (
    ADMIN,
    ADMIN_TOKEN,
    BASE_URL,
    World,
    bearer,
    checks_of,
    ok,
    present,
    qualification,
)
from tests.api.test_end_to_end import world as world  # the fixture of the whole story
from tests.api.test_foundation import assert_problem
from verifiers.tables import VerifierApiKey

COLLEGE = f"{BASE_URL}/issuers/college"


@pytest.fixture
def other_worker(
    settings: Settings, database: tuple[str, dict[str, Any]], world: World
) -> Iterator[TestClient]:
    """A second application with its own engine and snapshots, on the world's database."""
    url, connect_args = database
    engine: Engine = build_engine(url, connect_args=connect_args)
    configured = settings.model_copy(update={"admin_token": ADMIN_TOKEN})
    with TestClient(create_app(configured, engine=engine), base_url=BASE_URL) as client:
        yield client
    engine.dispose()


def verify_on(client: TestClient, world: World, credential: str, holder: PrivateKey) -> Any:
    """A fresh nonce and presentation, verified on ``client``; the report."""
    made = client.post("/v1/verifiers/employer/nonces", headers=bearer(world.verifier_key))
    nonce = ok(made, 201)["nonce"]
    presentation = present(credential, holder, ["title"], world.verifier_client_id, nonce)
    return ok(
        client.post(
            "/v1/verifications",
            json={"nonce": nonce, "presentations": [presentation]},
            headers=bearer(world.verifier_key),
        )
    )


def set_status(world: World, credential_id: str, status: str) -> None:
    ok(
        world.client.post(
            f"/v1/issuers/college/credentials/{credential_id}/status",
            json={"status": status},
            headers=bearer(world.issuer_key),
        )
    )


def issued_to(world: World, holder: PrivateKey, key: str) -> dict[str, Any]:
    issued: dict[str, Any] = world.issue({"jwk": holder.public.jwk}, qualification(), key)
    return issued


def test_a_revocation_on_one_worker_is_seen_by_the_next_verification_on_another(
    world: World, other_worker: TestClient
) -> None:
    holder = generate_key("ES256")
    issued = issued_to(world, holder, "snapshot-revoke")
    for _ in range(2):  # the second verification is served from the other worker's snapshot
        assert verify_on(other_worker, world, issued["credential"], holder)["verified"] is True

    set_status(world, issued["id"], "revoked")

    report = verify_on(other_worker, world, issued["credential"], holder)
    assert report["verified"] is False
    assert checks_of(report)["status"]["code"] == "credential_revoked"


def test_a_suspension_and_a_reinstatement_are_each_seen_at_once_on_another_worker(
    world: World, other_worker: TestClient
) -> None:
    holder = generate_key("EdDSA")
    issued = issued_to(world, holder, "snapshot-suspend")
    assert verify_on(other_worker, world, issued["credential"], holder)["verified"] is True

    set_status(world, issued["id"], "suspended")
    report = verify_on(other_worker, world, issued["credential"], holder)
    assert checks_of(report)["status"]["outcome"] == "failed"

    set_status(world, issued["id"], "valid")
    assert verify_on(other_worker, world, issued["credential"], holder)["verified"] is True


def test_a_trust_entry_narrowing_an_issuer_is_seen_at_once_and_so_is_its_removal(
    world: World, other_worker: TestClient
) -> None:
    holder = generate_key("ES256")
    issued = issued_to(world, holder, "snapshot-trust")
    assert verify_on(other_worker, world, issued["credential"], holder)["verified"] is True

    narrowing = {
        "identifier": COLLEGE,
        "display_name": "College",
        "key_source": "local",
        "vct_values": [vct_for("competence", base_url=BASE_URL)],
    }
    ok(world.client.post("/v1/admin/trust", json=narrowing, headers=ADMIN), 201)
    report = verify_on(other_worker, world, issued["credential"], holder)
    assert report["verified"] is False
    assert checks_of(report)["issuer_trusted"]["outcome"] == "failed"

    removed = world.client.delete("/v1/admin/trust", params={"identifier": COLLEGE}, headers=ADMIN)
    assert removed.status_code == 204
    assert verify_on(other_worker, world, issued["credential"], holder)["verified"] is True


def test_a_credential_signed_after_a_key_rotation_verifies_at_once_on_another_worker(
    world: World, other_worker: TestClient
) -> None:
    holder = generate_key("ES256")
    before = issued_to(world, holder, "snapshot-key-1")
    assert verify_on(other_worker, world, before["credential"], holder)["verified"] is True

    ok(
        world.client.post("/v1/admin/issuers/college/keys", json={"alg": "EdDSA"}, headers=ADMIN),
        201,
    )
    after = issued_to(world, holder, "snapshot-key-2")

    report = verify_on(other_worker, world, after["credential"], holder)
    assert report["verified"] is True, checks_of(report)["signature"]
    assert verify_on(other_worker, world, before["credential"], holder)["verified"] is True


def test_a_presentation_without_the_holders_signature_on_the_nonce_leaves_it_usable(
    world: World,
) -> None:
    holder = generate_key("ES256")
    issued = issued_to(world, holder, "snapshot-nonce")
    nonce = world.nonce()
    unbound = present(issued["credential"], holder, ["title"], world.verifier_client_id, "other")
    refused = ok(world.verify({"nonce": nonce, "presentations": [unbound]}))
    assert refused["verified"] is False

    bound = present(issued["credential"], holder, ["title"], world.verifier_client_id, nonce)
    assert ok(world.verify({"nonce": nonce, "presentations": [bound]}))["verified"] is True
    assert_problem(world.verify({"nonce": nonce, "presentations": [bound]}), 409, "nonce_reused")


def test_a_malformed_submission_consumes_no_nonce(world: World) -> None:
    holder = generate_key("ES256")
    issued = issued_to(world, holder, "snapshot-malformed")
    nonce = world.nonce()
    malformed = world.verify({"nonce": nonce, "presentations": [], "vp_token": {"q": 1}})
    assert 400 <= malformed.status_code < 500

    bound = present(issued["credential"], holder, ["title"], world.verifier_client_id, nonce)
    assert ok(world.verify({"nonce": nonce, "presentations": [bound]}))["verified"] is True


def test_an_api_key_no_longer_valid_is_refused_at_once_by_a_worker_that_remembered_it(
    world: World, other_worker: TestClient, clean_engine: Engine
) -> None:
    holder = generate_key("ES256")
    issued = issued_to(world, holder, "snapshot-key-revoked")
    assert verify_on(other_worker, world, issued["credential"], holder)["verified"] is True
    nonce = world.nonce()
    presentation = present(issued["credential"], holder, ["title"], world.verifier_client_id, nonce)
    with clean_engine.begin() as connection:  # the key revoked, as its owner would
        connection.execute(
            update(VerifierApiKey)
            .where(col(VerifierApiKey.key_hash) == hash_secret(world.verifier_key))
            .values(revoked_at=datetime.now(UTC))
        )

    refused = other_worker.post(
        "/v1/verifications",
        json={"nonce": nonce, "presentations": [presentation]},
        headers=bearer(world.verifier_key),
    )
    assert_problem(refused, 401, "verifier_key_invalid")
    by_request = other_worker.post(
        "/v1/verifications",
        json={"request_id": "req_unknown", "presentations": [presentation]},
        headers=bearer(world.verifier_key),
    )
    assert_problem(by_request, 401, "verifier_key_invalid")
