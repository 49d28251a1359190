"""The inputs every core benchmark shares: one key pair per role and algorithm, claims, a clock.

Each key exists three times over the same key material, so that Taito, the signature floor
(``cryptography`` called directly) and the reference implementation (``jwcrypto`` JWKs inside
``sd-jwt``) sign and verify with exactly the same keys.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from jwcrypto import jwk as reference_jwk  # type: ignore[import-untyped]

from credentials.encoding import b64url_decode, json_dumps
from credentials.keys import Algorithm, PrivateKey, generate_key

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ISSUER = "https://taito.bench/issuers/omnia"
VCT = "https://taito.bench/types/competence/v1"
AUDIENCE = "https://taito.bench/verifiers/rekry"
NONCE = "bench-nonce-7f3a0c2e19d44b1a"

RawPrivate = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
RawPublic = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


@dataclass(frozen=True)
class BenchKey:
    """One key as Taito, ``cryptography`` and ``jwcrypto`` see it."""

    taito: PrivateKey
    raw: RawPrivate
    reference: Any  # jwcrypto.jwk.JWK (untyped library)
    reference_public: Any

    @property
    def alg(self) -> Algorithm:
        return self.taito.alg


def bench_key(alg: Algorithm) -> BenchKey:
    """A fresh key for ``alg``, shared by all three implementations."""
    key = generate_key(alg)
    jwk = key.private_jwk
    d = b64url_decode(jwk["d"])
    raw: RawPrivate
    if alg == "EdDSA":
        raw = ed25519.Ed25519PrivateKey.from_private_bytes(d)
    else:
        raw = ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1())
    # Without kid and alg, so that the reference's cnf holds the same members as Taito's.
    members = {name: value for name, value in jwk.items() if name not in ("kid", "alg")}
    reference = reference_jwk.JWK.from_json(json_dumps(members))
    reference_public = reference_jwk.JWK.from_json(
        json_dumps({name: value for name, value in members.items() if name != "d"})
    )
    return BenchKey(key, raw, reference, reference_public)


def raw_sign(key: RawPrivate, data: bytes) -> bytes:
    """The floor of a signature: ``cryptography`` alone (DER for ECDSA, no R||S conversion)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def raw_verify(key: RawPublic, signature: bytes, data: bytes) -> None:
    """The floor of a signature check; ``signature`` as :func:`raw_sign` made it."""
    if isinstance(key, ed25519.Ed25519PublicKey):
        key.verify(signature, data)
    else:
        key.verify(signature, data, ec.ECDSA(hashes.SHA256()))


def raw_signature_of(jose_signature: bytes, alg: Algorithm) -> bytes:
    """A JWS signature in the form :func:`raw_verify` takes (ES256 ``R||S`` to DER)."""
    if alg == "EdDSA":
        return jose_signature
    r = int.from_bytes(jose_signature[:32], "big")
    s = int.from_bytes(jose_signature[32:], "big")
    return encode_dss_signature(r, s)


PLAIN_SUBJECT_CLAIMS = ("language", "credential_kind")
DISCLOSED_IN_PRESENTATION = ("given_name", "title", "eqf_level")


def subject_claims() -> dict[str, Any]:
    """Twelve claims about a person's qualification; all but two are selectively disclosable."""
    return {
        "given_name": "Aino",
        "family_name": "Virtanen",
        "birthdate": "1994-05-17",
        "email": "aino.virtanen@example.fi",
        "title": "Vocational Qualification in Information and Communications Technology",
        "awarding_body": "Omnia, the Joint Authority of Education in Espoo Region",
        "achieved_on": "2025-06-05",
        "eqf_level": 4,
        "grade": "excellent",
        "skills": [
            "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
            "http://data.europa.eu/esco/skill/21d2f96d-35f7-4e3f-9745-c533d2dd6e97",
            "http://data.europa.eu/esco/skill/6f0a0a2e-9e0d-4a6f-a6b9-2d8c3b8b0f27",
        ],
        "language": "fi",
        "credential_kind": "qualification",
    }


def vc_document(issuer: str) -> dict[str, Any]:
    """A W3C VC 2.0 credential with the same twelve claims about its subject."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "QualificationCredential"],
        "issuer": issuer,
        "validFrom": "2025-06-05T00:00:00Z",
        "validUntil": "2035-06-05T00:00:00Z",
        "credentialSubject": {"id": "did:example:aino", **subject_claims()},
    }
