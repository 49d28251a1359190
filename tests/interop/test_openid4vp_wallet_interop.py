"""Taito's wallet answers an independent OpenID4VP 1.0 verifier (issue 17, "What it must show").

A Node verifier on ``@openid4vc/openid4vp`` (listening on 127.0.0.1, its Request Object signed
with a certificate this wallet is configured to trust, ``x509_hash`` client identifier) asks for
a qualification; the person resolves the ``openid4vp://`` link in Taito's wallet, approves only
the title, and the Node verifier verifies the presentation (issuer signature, KB-JWT for its
client identifier and nonce) and sees the title and nothing else. When the verifier asks for
``direct_post.jwt`` (HAIP 1.0), Taito's wallet encrypts the answer to the key in the verifier's
signed ``client_metadata`` and the Node verifier decrypts it with the ``jose`` library.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine

from api.app import create_app
from api.routers import wallet_deps
from api.settings import Settings
from tests.api.test_end_to_end import (
    ADMIN,
    ADMIN_TOKEN,
    BASE_URL,
    World,
    bearer,
    ok,
    receive_by_pickup,
)
from tests.interop.node import node_server, read_line, require_node
from tests.service.test_wallet_support import FAST_ARGON2

QUERY = {
    "credentials": [
        {
            "id": "degree",
            "format": "dc+sd-jwt",
            "meta": {"vct_values": [f"{BASE_URL}/types/qualification/v1"]},
            "claims": [{"id": "t", "path": ["title"]}, {"id": "g", "path": ["grade"]}],
        }
    ]
}


def verifier_certificate(folder: Path) -> tuple[str, str, Path]:
    """A verifier's self-signed certificate and key (PEM), and an anchors file trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "verifier.example")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("verifier.example")]), False)
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    anchors = folder / "verifier-anchors.pem"
    anchors.write_text(pem)
    return pem, key_pem, anchors


@pytest.fixture
def trusting_world(
    settings: Settings, clean_engine: Engine, tmp_path: Path
) -> Iterator[tuple[World, str, str]]:
    require_node()
    pem, key_pem, anchors = verifier_certificate(tmp_path)
    configured = settings.model_copy(
        update={"admin_token": SecretStr(ADMIN_TOKEN), "openid4vp_trust_anchors_file": anchors}
    )
    app = create_app(configured, engine=clean_engine)
    app.dependency_overrides[wallet_deps.argon2_parameters] = lambda: FAST_ARGON2
    with TestClient(app, base_url=BASE_URL) as client:
        issuer = ok(
            client.post(
                "/v1/admin/issuers",
                json={
                    "name": "Esimerkkikaupungin ammattiopisto",
                    "slug": "college",
                    "types": ["qualification"],
                },
                headers=ADMIN,
            ),
            201,
        )
        ok(
            client.post("/v1/auth/register", json={"username": "aino", "password": PASSWORD}),
            201,
        )
        tokens = ok(client.post("/v1/auth/login", json={"username": "aino", "password": PASSWORD}))
        world = World(
            client=client,
            issuer_key=issuer["api_key"],
            verifier_key="",
            verifier_client_id="",
            other_key="",
            other_client_id="",
            person=bearer(tokens["access_token"]),
        )
        yield world, pem, key_pem


PASSWORD = "correct horse battery staple 42"


@pytest.mark.parametrize("mode", ["direct_post", "direct_post.jwt"])
def test_taito_wallet_answers_an_independent_verifier_with_only_the_approved_claim(
    trusting_world: tuple[World, str, str], mode: str
) -> None:
    world, pem, key_pem = trusting_world
    credential_id = receive_by_pickup(world)
    jwks = ok(world.client.get("/.well-known/jwt-vc-issuer/issuers/college"))["jwks"]
    argument: dict[str, Any] = {
        "certificate_pem": pem,
        "key_pem": key_pem,
        "issuer_jwks": jwks,
        "dcql_query": QUERY,
        "response_mode": mode,
    }
    with node_server("verifier.mjs", argument) as verifier:
        offered = read_line(verifier)
        link = offered["authorization_request_uri"]
        shown = ok(
            world.client.post(
                "/v1/wallet/presentation-requests/resolve",
                json={"link": link},
                headers=world.person,
            )
        )
        assert shown["client_id"] == offered["client_id"]
        assert shown["verifier_name"] == "verifier.example"
        (query,) = shown["request"]["queries"]
        assert [c["credential_id"] for c in query["candidates"]] == [credential_id]
        approvals = [{"query_id": "degree", "credential_id": credential_id, "claim_ids": ["t"]}]
        answered = ok(
            world.client.post(
                "/v1/wallet/presentation-requests/respond",
                json={"link": link, "approvals": approvals},
                headers=world.person,
            )
        )
        assert answered["declined"] is False
        outcome = read_line(verifier)
    assert outcome.get("error") is None, outcome
    assert outcome["verified"] is True and outcome["state_matches"] is True
    assert outcome["encrypted"] is (mode == "direct_post.jwt")
    if mode == "direct_post.jwt":
        header = outcome["jwe_header"]
        assert (header["alg"], header["enc"], header["kid"]) == ("ECDH-ES", "A128GCM", "enc-1")
    (presentation,) = outcome["presentations"]
    assert presentation["queryId"] == "degree"
    assert presentation["disclosed"] == ["title"]
