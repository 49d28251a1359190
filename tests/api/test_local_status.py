"""Verification on this instance reads its own status lists without any issuer private key.

The status of a credential issued here is read from the issuers' state as it is now (no signed
list, no key decrypted), so a revocation is visible to the very next verification, over HTTP
through ``POST /v1/verifications`` and through the wallet's receipt.
"""

import sys
from typing import Any, NoReturn

import pytest

from credentials.keys import generate_key
from tests.api.test_end_to_end import World, checks_of, ok, present, qualification
from tests.api.test_end_to_end import world as world  # the fixture of the whole story
from tests.api.test_foundation import assert_problem


def refuse_private_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, any use of an issuer's private key fails the test loudly."""

    def refused(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError("an issuer private key was loaded during verification")

    for name, module in list(sys.modules.items()):
        if name.startswith("issuers.") and hasattr(module, "signing_key"):
            monkeypatch.setattr(module, "signing_key", refused)
    monkeypatch.setattr(sys.modules["issuers.custody"], "_open", refused)


def verify_now(world: World, credential: str, holder: Any) -> dict[str, Any]:
    nonce = world.nonce()
    made = present(credential, holder, ["title"], world.verifier_client_id, nonce)
    report: dict[str, Any] = ok(world.verify({"nonce": nonce, "presentations": [made]}))
    return report


def test_verifying_a_local_credential_loads_no_private_key_and_sees_revocation_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = generate_key("ES256")
    issued = world.issue({"jwk": holder.public.jwk}, qualification(), "local-status-1")
    refuse_private_keys(monkeypatch)

    report = verify_now(world, issued["credential"], holder)
    assert report["verified"] is True
    assert checks_of(report)["status"]["outcome"] == "passed"

    revoked = world.client.post(
        f"/v1/issuers/college/credentials/{issued['id']}/status",
        json={"status": "revoked"},
        headers={"Authorization": f"Bearer {world.issuer_key}"},
    )
    assert ok(revoked)["status"] == "revoked"
    report = verify_now(world, issued["credential"], holder)
    assert report["verified"] is False
    assert checks_of(report)["status"]["code"] == "credential_revoked"


def test_a_wallet_refuses_a_revoked_local_credential_without_any_private_key(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    binding = ok(world.client.get("/v1/wallet/binding", headers=world.person))
    issued = world.issue({"jwk": binding["jwk"]}, qualification(), "local-status-2")
    ok(
        world.client.post(
            f"/v1/issuers/college/credentials/{issued['id']}/status",
            json={"status": "suspended"},
            headers={"Authorization": f"Bearer {world.issuer_key}"},
        )
    )
    refuse_private_keys(monkeypatch)
    refused = world.client.post(
        "/v1/wallet/credentials", json={"credential": issued["credential"]}, headers=world.person
    )
    assert_problem(refused, 422, "credential_status_invalid")
