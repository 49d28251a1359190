"""OpenID4VP 1.0 with an independent implementation (issue 17, "What it must show").

A Node wallet on ``@openid4vc/openid4vp`` and ``@sd-jwt/core`` answers a request of a Taito
verifier served on 127.0.0.1: it resolves the ``openid4vp://`` link (the Request Object fetched
with ``request_uri_method`` ``post``, its signature and ``x509_hash`` client identifier checked),
presents an SD-JWT VC Taito issued with a KB-JWT for that client identifier, posts it with
``direct_post`` (or, for a request asking for ``direct_post.jwt``, encrypted to the request's key
with the ``jose`` library, OpenID4VP 1.0 §8.3.1), and the verifier reads the request's outcome
verified.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from api.app import create_app
from api.settings import Settings
from credentials.keys import PrivateKey, generate_key
from tests.api.test_end_to_end import qualification
from tests.interop.node import free_port, require_node, run_node, serving

ADMIN_TOKEN = "tadm_interop-admin-token-0123456789"
BASE_URL = "https://taito.test"


@dataclass
class Instance:
    client: httpx.Client
    issuer_key: str
    verifier_key: str
    holder: PrivateKey
    listening: str

    @property
    def origins(self) -> dict[str, str]:
        """The instance's public origin, as the wallet reaches it on this machine."""
        return {BASE_URL: self.listening}

    def issue(self) -> str:
        response = self.client.post(
            "/v1/issuers/college/credentials",
            json={
                "type": "qualification",
                "claims": qualification(),
                "holder": {"jwk": self.holder.public.jwk},
            },
            headers={"Authorization": f"Bearer {self.issuer_key}", "Idempotency-Key": "i-1"},
        )
        assert response.status_code == 201, response.text
        credential: str = response.json()["credential"]
        return credential

    def ask(self, claims: list[str], mode: str = "direct_post") -> dict[str, Any]:
        body = {
            "credentials": [{"type": "qualification", "claims": claims}],
            "purpose": "To check your qualification.",
            "expires_in": 600,
            "response_mode": mode,
        }
        response = self.client.post(
            "/v1/verifiers/employer/requests",
            json=body,
            headers={"Authorization": f"Bearer {self.verifier_key}"},
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def outcome(self, request_id: str) -> dict[str, Any]:
        response = self.client.get(
            f"/v1/verifiers/employer/requests/{request_id}",
            headers={"Authorization": f"Bearer {self.verifier_key}"},
        )
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def instance(settings: Settings, clean_engine: Engine) -> Iterator[Instance]:
    require_node()
    port = free_port()
    configured = settings.model_copy(update={"admin_token": SecretStr(ADMIN_TOKEN)})
    app = create_app(configured, engine=clean_engine)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with serving(app, port) as base, httpx.Client(base_url=base, timeout=30) as client:
        issuer = client.post(
            "/v1/admin/issuers",
            json={"name": "Ammattiopisto", "slug": "college", "types": ["qualification"]},
            headers=admin,
        ).json()
        verifier = client.post(
            "/v1/admin/verifiers", json={"slug": "employer", "name": "Rekry Oy"}, headers=admin
        ).json()
        holder = generate_key("ES256")
        yield Instance(client, issuer["api_key"], verifier["api_key"], holder, base)


def test_an_independent_wallet_answers_a_taito_request_and_the_verifier_reads_it_verified(
    instance: Instance,
) -> None:
    credential = instance.issue()
    request = instance.ask(["title", "eqf_level"])
    result = run_node(
        "wallet.mjs",
        {
            "authorization_request_uri": request["authorization_request_uri"],
            "expected_leaf_hash": request["client_id"].removeprefix("x509_hash:"),
            "credential": credential,
            "holder_jwk": instance.holder.private_jwk,
            "disclose": ["title", "eqf_level"],
            "origins": instance.origins,
        },
    )
    assert result.get("error") is None, result
    assert result["client"]["prefix"] == "x509_hash"
    assert result["status"] == 200
    state = instance.outcome(request["id"])
    assert state["status"] == "verified"
    (shown,) = state["outcome"]["presentations"]
    assert set(shown["claims"]) == {"title", "eqf_level"}


def test_an_independent_wallet_answers_a_direct_post_jwt_request_encrypted_and_it_verifies(
    instance: Instance,
) -> None:
    credential = instance.issue()
    request = instance.ask(["title", "eqf_level"], mode="direct_post.jwt")
    result = run_node(
        "wallet.mjs",
        {
            "authorization_request_uri": request["authorization_request_uri"],
            "expected_leaf_hash": request["client_id"].removeprefix("x509_hash:"),
            "credential": credential,
            "holder_jwk": instance.holder.private_jwk,
            "disclose": ["title", "eqf_level"],
            "origins": instance.origins,
        },
    )
    assert result.get("error") is None, result
    assert result["response_mode"] == "direct_post.jwt" and result["encrypted"] is True
    assert result["status"] == 200
    state = instance.outcome(request["id"])
    assert state["status"] == "verified"
    (shown,) = state["outcome"]["presentations"]
    assert set(shown["claims"]) == {"title", "eqf_level"}


def test_the_independent_wallet_refuses_a_request_object_signed_by_another_certificate(
    instance: Instance,
) -> None:
    """The wallet expects another leaf (as for a tampered x5c): it stops, nothing is posted."""
    credential = instance.issue()
    request = instance.ask(["title"])
    result = run_node(
        "wallet.mjs",
        {
            "authorization_request_uri": request["authorization_request_uri"],
            "expected_leaf_hash": "Uvo3HtuIxuhC92rShpgqcT3YXwrqRxWEviRiA0OZszk",
            "credential": credential,
            "holder_jwk": instance.holder.private_jwk,
            "disclose": ["title"],
            "origins": instance.origins,
        },
    )
    assert result["error"]
    assert "submitted" not in result["steps"]
    assert instance.outcome(request["id"])["status"] == "pending"
