"""Setting a server up for load: an issuer, a verifier and a credential, through the admin API.

Everything goes through the HTTP API as an operator would (admin token), except minting the
API-to-API nonces of the verification benchmark: tens of thousands are needed and each is used
once, so they are inserted with :func:`verifiers.nonces.add_nonce`, the same function the nonce
endpoint calls, in one transaction per chunk.
"""

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, col, select

import schemas
from bench.http_load import Request
from bench.http_server import Running
from credentials.kb_jwt import create_kb_jwt
from credentials.keys import PrivateKey, generate_key
from credentials.sd_jwt import join_sd_jwt
from credentials.sd_jwt_holder import open_sd_jwt, select_disclosures
from verifiers.nonces import NONCE_LIFETIME, add_nonce, new_nonce
from verifiers.tables import Verifier

CREDENTIAL_TYPE = "qualification"
ISSUER_SLUG = "omnia"
VERIFIER_SLUG = "rekry"
DISCLOSE = ("given_name", "title", "eqf_level")


def example_claims(slug: str = CREDENTIAL_TYPE) -> dict[str, Any]:
    """The example claims shipped with the credential type (schemas/types/*.example.json)."""
    folder = Path(schemas.__file__).with_name("types")
    loaded: dict[str, Any] = json.loads((folder / f"{slug}.example.json").read_text("utf-8"))
    return loaded


def api_paths(server: Running) -> set[str]:
    """Every path the running server documents in its OpenAPI description."""
    document = httpx.get(f"{server.origin}/openapi.json", timeout=30).json()
    return set(document.get("paths", {}))


@dataclass(frozen=True)
class Fixture:
    """What the load scenarios need: credentials of the two organisations, a holder, a VC."""

    issuer_identifier: str
    issuer_jwk: dict[str, str]
    issuer_key: str
    verifier_key: str
    audience: str
    holder: PrivateKey
    credential: str | None


def _check(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 300:
        raise RuntimeError(f"{what}: {response.status_code} {response.text[:500]}")
    body: dict[str, Any] = response.json()
    return body


def credential_body(holder: PrivateKey) -> dict[str, Any]:
    """A ``POST /v1/issuers/{slug}/credentials`` body: the type's example claims."""
    return {
        "type": CREDENTIAL_TYPE,
        "claims": example_claims(),
        "holder": {"jwk": {k: v for k, v in holder.public.jwk.items() if k not in ("kid", "alg")}},
    }


def prepare(server: Running) -> Fixture:
    """Create the issuer and verifier, trust the issuer, and issue one credential to verify."""
    admin = {"Authorization": f"Bearer {server.admin_token}"}
    with httpx.Client(base_url=server.origin, timeout=60) as client:
        issuer = _check(
            client.post(
                "/v1/admin/issuers",
                headers=admin,
                json={"name": "Omnia", "slug": ISSUER_SLUG, "types": [CREDENTIAL_TYPE]},
            ),
            "create issuer",
        )
        verifier = _check(
            client.post(
                "/v1/admin/verifiers",
                headers=admin,
                json={"slug": VERIFIER_SLUG, "name": "Rekry Oy"},
            ),
            "create verifier",
        )
        holder = generate_key("EdDSA")
        issued = _check(
            client.post(
                f"/v1/issuers/{ISSUER_SLUG}/credentials",
                headers={
                    "Authorization": f"Bearer {issuer['api_key']}",
                    "Idempotency-Key": secrets.token_urlsafe(16),
                },
                json=credential_body(holder),
            ),
            "issue credential",
        )
    return Fixture(
        issuer_identifier=str(issuer["issuer"]["identifier"]),
        issuer_jwk=dict(issuer["key"]["public_jwk"]),
        issuer_key=str(issuer["api_key"]),
        verifier_key=str(verifier["api_key"]),
        audience=str(verifier["verifier"]["client_id"]),
        holder=holder,
        credential=str(issued["credential"]),
    )


def trust_issuer(server: Running, fixture: Fixture) -> None:
    """Put the issuer in the trust registry with its key pinned (admin trust API).

    Used only when the gate does not know this instance's own issuers (the local-issuer
    lookup of ``app.state.verifier_sources`` is not wired).
    """
    _check(
        httpx.post(
            f"{server.origin}/v1/admin/trust",
            headers={"Authorization": f"Bearer {server.admin_token}"},
            json={
                "identifier": fixture.issuer_identifier,
                "display_name": "Omnia",
                "key_source": "pinned_jwk",
                "vct_values": [schemas.vct_for(CREDENTIAL_TYPE, base_url=server.base_url)],
                "jwks": {"keys": [fixture.issuer_jwk]},
            },
            timeout=60,
        ),
        "trust issuer",
    )


def mint_nonces(server: Running, count: int) -> list[str]:
    """``count`` fresh API-to-API nonces of the bench verifier, valid for 5 minutes."""
    now = datetime.now(UTC)
    nonces = [new_nonce() for _ in range(count)]
    with Session(server.engine) as session:
        verifier_id = session.exec(
            select(Verifier.id).where(col(Verifier.slug) == VERIFIER_SLUG)
        ).one()
        for start in range(0, count, 5000):
            for nonce in nonces[start : start + 5000]:
                add_nonce(
                    session,
                    verifier_id=verifier_id,
                    nonce=nonce,
                    request_id=None,
                    now=now,
                    expires_at=now + NONCE_LIFETIME,
                )
            session.commit()
    return nonces


def verification_requests(fixture: Fixture, nonces: list[str]) -> list[Request]:
    """One ``POST /v1/verifications`` per nonce: 3 of the credential's claims, a fresh KB-JWT."""
    assert fixture.credential is not None
    held = open_sd_jwt(fixture.credential)
    chosen = select_disclosures(held, DISCLOSE)
    sd_jwt = join_sd_jwt(held.issuer_jwt, (d.encoded for d in chosen))
    issued_at = datetime.now(UTC) - timedelta(seconds=1)
    headers = (
        ("Authorization", f"Bearer {fixture.verifier_key}"),
        ("Content-Type", "application/json"),
    )
    requests = []
    for nonce in nonces:
        kb_jwt = create_kb_jwt(
            sd_jwt,
            holder_key=fixture.holder,
            audience=fixture.audience,
            nonce=nonce,
            issued_at=issued_at,
            sd_alg=held.sd_alg,
        )
        body = {"nonce": nonce, "audience": fixture.audience, "presentations": [sd_jwt + kb_jwt]}
        requests.append(
            Request(
                "POST",
                "/v1/verifications",
                json.dumps(body).encode("utf-8"),
                headers,
                expect=b'"verified":true',
            )
        )
    return requests
