"""Setting a server up for load: an issuer and a verifier, through the admin API.

Everything goes through the HTTP API as an operator would (admin token). The verification
workload (its issuers, holders, status lists and nonces) is :mod:`bench.verification_load`'s.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

import schemas
from bench.http_server import Running
from credentials.keys import PrivateKey, generate_key

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
    """What the load scenarios need: credentials of the two organisations and a holder."""

    issuer_identifier: str
    issuer_jwk: dict[str, str]
    issuer_key: str
    verifier_key: str
    audience: str
    holder: PrivateKey


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
    """Create the issuer of the issuance scenarios and the verifier."""
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
    return Fixture(
        issuer_identifier=str(issuer["issuer"]["identifier"]),
        issuer_jwk=dict(issuer["key"]["public_jwk"]),
        issuer_key=str(issuer["api_key"]),
        verifier_key=str(verifier["api_key"]),
        audience=str(verifier["verifier"]["client_id"]),
        holder=generate_key("EdDSA"),
    )


def trust_issuer(server: Running, *, identifier: str, jwk: dict[str, str], name: str) -> None:
    """Put an issuer in the trust registry with its key pinned (admin trust API).

    Used only when the gate does not know this instance's own issuers (the local-issuer
    lookup of ``app.state.verifier_sources`` is not wired).
    """
    _check(
        httpx.post(
            f"{server.origin}/v1/admin/trust",
            headers={"Authorization": f"Bearer {server.admin_token}"},
            json={
                "identifier": identifier,
                "display_name": name,
                "key_source": "pinned_jwk",
                "vct_values": [schemas.vct_for(CREDENTIAL_TYPE, base_url=server.base_url)],
                "jwks": {"keys": [jwk]},
            },
            timeout=60,
        ),
        "trust issuer",
    )
