"""Interoperability of ``vc+jwt``/``vp+jwt`` with an independent JOSE library (joserfc)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from joserfc import jwk, jwt

from credentials.did_jwk import did_jwk_key_id, encode_did_jwk
from credentials.dids import offline_did_resolver
from credentials.keys import PrivateKey, private_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.vc_jose import issue_vc_jwt, verify_vc_jwt
from credentials.vp_jose import envelope_vc_jwt, present_vp_jwt, verify_vp_jwt

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
TOLERANCE = timedelta(seconds=60)
ISSUER_ID = "https://university.example/issuers/14"
ISSUER = private_key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "x": "MwT3QoTq7HEGcSzLryhf1Xu0FsKNBUHmxa_0H9DaGlQ",
        "y": "bplONymH7JmWX5nqC92jRlUD3ugPo0VdGGj1awcDL90",
        "d": "33dRJn1t5DIFNQC_HW2dzXEGJYCE0pvbHw4ge1ZcmCg",
    },
    kid="key-1",
)
HOLDER_JWK = {
    "kty": "OKP",
    "crv": "Ed25519",
    "x": "-GPFb0pNPBIhehJf1Fw1Rk75T3Tj_JNxBM83gBmUb4g",
    "d": "_NgrEAIWB7pLr9YOqhqHmhUhwRPXPuAi3ax_fedR5Sg",
}
HOLDER_DID = encode_did_jwk(private_key_from_jwk(HOLDER_JWK).public)
HOLDER = private_key_from_jwk(HOLDER_JWK, kid=did_jwk_key_id(HOLDER_DID))
CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "id": "http://university.example/credentials/3732",
    "type": ["VerifiableCredential", "ExampleDegreeCredential"],
    "issuer": ISSUER_ID,
    "validFrom": "2010-01-01T19:23:24Z",
    "credentialSubject": {"id": HOLDER_DID, "degree": {"name": "Bachelor of Science and Arts"}},
}
# joserfc warns that RFC 9864 deprecates the polymorphic "EdDSA" name; Taito still uses it.
EDDSA_WARNING = "ignore::joserfc.errors.SecurityWarning"


def joserfc_key(key: PrivateKey, *, private: bool) -> Any:
    return jwk.import_key(key.private_jwk if private else key.public.jwk)


def test_joserfc_verifies_our_vc_jwt() -> None:
    token = issue_vc_jwt(CREDENTIAL, key=ISSUER)
    decoded = jwt.decode(token, joserfc_key(ISSUER, private=False), algorithms=["ES256"])
    assert decoded.header == {"alg": "ES256", "typ": "vc+jwt", "kid": "key-1"}
    assert decoded.claims == CREDENTIAL


def test_we_verify_a_vc_jwt_signed_by_joserfc() -> None:
    header = {"alg": "ES256", "typ": "vc+jwt", "cty": "vc", "kid": "key-1"}
    token = jwt.encode(header, CREDENTIAL, joserfc_key(ISSUER, private=True), algorithms=["ES256"])
    verified = verify_vc_jwt(
        token,
        resolve_issuer_key=pinned_key(ISSUER.public, issuer=ISSUER_ID),
        now=NOW,
        clock_tolerance=TOLERANCE,
        algorithms=("ES256",),
    )
    assert verified.credential == CREDENTIAL
    assert verified.subject_id == HOLDER_DID


@pytest.mark.filterwarnings(EDDSA_WARNING)
def test_joserfc_verifies_our_vp_jwt_with_the_did_jwk_holder_key() -> None:
    token = present_vp_jwt(
        [issue_vc_jwt(CREDENTIAL, key=ISSUER)],
        holder=HOLDER_DID,
        key=HOLDER,
        audience="https://verifier.example",
        nonce="n-1",
        issued_at=NOW,
    )
    resolved = offline_did_resolver(issuer=HOLDER_DID, kid=HOLDER.kid)
    decoded = jwt.decode(token, jwk.import_key(resolved.jwk), algorithms=["EdDSA"])
    assert decoded.header["typ"] == "vp+jwt"
    assert decoded.claims["holder"] == HOLDER_DID
    assert decoded.claims["verifiableCredential"][0]["type"] == "EnvelopedVerifiableCredential"


@pytest.mark.filterwarnings(EDDSA_WARNING)
def test_we_verify_a_vp_jwt_signed_by_joserfc() -> None:
    vc = jwt.encode(
        {"alg": "ES256", "typ": "vc+jwt", "kid": "key-1"},
        CREDENTIAL,
        joserfc_key(ISSUER, private=True),
        algorithms=["ES256"],
    )
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "VerifiablePresentation",
        "holder": HOLDER_DID,
        "verifiableCredential": [envelope_vc_jwt(vc)],
        "aud": "https://verifier.example",
        "nonce": "n-1",
        "iat": int(NOW.timestamp()),
    }
    token = jwt.encode(
        {"alg": "EdDSA", "typ": "vp+jwt", "kid": HOLDER.kid},
        presentation,
        joserfc_key(HOLDER, private=True),
        algorithms=["EdDSA"],
    )
    verified = verify_vp_jwt(
        token,
        resolve_holder_key=offline_did_resolver,
        resolve_issuer_key=pinned_key(ISSUER.public, issuer=ISSUER_ID),
        audience="https://verifier.example",
        nonce="n-1",
        now=NOW,
        max_age=timedelta(minutes=5),
        clock_tolerance=TOLERANCE,
        algorithms=("ES256", "EdDSA"),
    )
    assert verified.holder == HOLDER_DID
    assert verified.credentials[0].credential == CREDENTIAL
