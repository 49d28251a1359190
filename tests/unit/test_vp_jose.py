"""VC-JOSE-COSE §3.1.2: ``vp+jwt`` presentations of enveloped ``vc+jwt`` credentials.

Holder binding rule under test (credentials/vp_jose.py): every credential must have a
``credentialSubject`` whose ``id`` is the presentation's ``holder``.
"""

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.did_jwk import did_jwk_key_id, encode_did_jwk
from credentials.dids import offline_did_resolver
from credentials.errors import CredentialError
from credentials.jws import sign_compact
from credentials.keys import PrivateKey, private_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.vc_jose import issue_vc_jwt
from credentials.vp_jose import (
    VerifiedPresentation,
    envelope_vc_jwt,
    present_vp_jwt,
    verify_vp_jwt,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
TOLERANCE = timedelta(seconds=60)
MAX_AGE = timedelta(minutes=5)
AUDIENCE = "https://verifier.example"
NONCE = "n-0S6_WzA2Mj"
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
# RFC 8037 Appendix A.1, posing as the holder.
OTHER_JWK = {
    "kty": "OKP",
    "crv": "Ed25519",
    "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
OTHER_DID = encode_did_jwk(private_key_from_jwk(OTHER_JWK).public)
IMPOSTOR = private_key_from_jwk(OTHER_JWK, kid=HOLDER.kid)


def vc_jwt(**changes: Any) -> str:
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": ISSUER_ID,
        "validFrom": "2010-01-01T19:23:24Z",
        "credentialSubject": {"id": HOLDER_DID, "degree": "BSc"},
    }
    document.update(changes)
    return issue_vc_jwt(document, key=ISSUER)


def presentation(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER_DID,
        "verifiableCredential": [envelope_vc_jwt(vc_jwt())],
        "aud": AUDIENCE,
        "nonce": NONCE,
        "iat": int(NOW.timestamp()),
    }
    document.update(changes)
    return {name: value for name, value in document.items() if value is not None}


def sign(payload: Mapping[str, Any], *, key: PrivateKey = HOLDER, **header: Any) -> str:
    protected = {"typ": "vp+jwt", "kid": key.kid, **header}
    return sign_compact(protected, json.dumps(payload).encode(), key)


def verify(token: str) -> VerifiedPresentation:
    return verify_vp_jwt(
        token,
        resolve_holder_key=offline_did_resolver,
        resolve_issuer_key=pinned_key(ISSUER.public, issuer=ISSUER_ID),
        audience=AUDIENCE,
        nonce=NONCE,
        now=NOW,
        max_age=MAX_AGE,
        clock_tolerance=TOLERANCE,
        algorithms=("ES256", "EdDSA"),
    )


def error_code(call: Callable[[], object]) -> str:
    with pytest.raises(CredentialError) as caught:
        call()
    return caught.value.code


def rejected(payload: Mapping[str, Any], **header: Any) -> str:
    return error_code(lambda: verify(sign(payload, **header)))


# --- presenting and verifying -------------------------------------------------------------------


def test_presents_and_verifies_a_vp_jwt_with_its_credentials() -> None:
    token = present_vp_jwt(
        [vc_jwt(), vc_jwt(type=["VerifiableCredential", "Other"])],
        holder=HOLDER_DID,
        key=HOLDER,
        audience=AUDIENCE,
        nonce=NONCE,
        issued_at=NOW - timedelta(seconds=10),
    )
    verified = verify(token)
    assert verified.holder == HOLDER_DID
    assert [c.types[-1] for c in verified.credentials] == ["ExampleDegreeCredential", "Other"]
    assert (verified.audience, verified.nonce) == (AUDIENCE, NONCE)
    assert verified.issued_at == NOW - timedelta(seconds=10)
    entry = verified.presentation["verifiableCredential"][0]
    assert entry["type"] == "EnvelopedVerifiableCredential"
    assert entry["id"].startswith("data:application/vc+jwt,")


def test_verifies_holder_object_with_a_key_supplied_by_the_caller() -> None:
    holder = "https://holder.example/alice"
    token = sign(
        presentation(
            holder={"id": holder},
            verifiableCredential=[
                envelope_vc_jwt(vc_jwt(credentialSubject={"id": holder, "a": 1}))
            ],
        ),
        key=IMPOSTOR,
    )
    verified = verify_vp_jwt(
        token,
        resolve_holder_key=pinned_key(IMPOSTOR.public, issuer=holder),
        resolve_issuer_key=pinned_key(ISSUER.public, issuer=ISSUER_ID),
        audience=AUDIENCE,
        nonce=NONCE,
        now=NOW,
        max_age=MAX_AGE,
        clock_tolerance=TOLERANCE,
        algorithms=("ES256", "EdDSA"),
    )
    assert verified.holder == holder


def test_accepts_credential_with_several_subjects_one_of_them_the_holder() -> None:
    subjects = [{"id": "did:example:spouse", "a": 1}, {"id": HOLDER_DID, "a": 2}]
    vc = envelope_vc_jwt(vc_jwt(credentialSubject=subjects))
    assert verify(sign(presentation(verifiableCredential=[vc]))).holder == HOLDER_DID


def test_presenting_for_a_did_holder_refuses_a_key_outside_that_did() -> None:
    with pytest.raises(ValueError, match="DID URL"):
        present_vp_jwt(
            [vc_jwt()], holder=OTHER_DID, key=HOLDER, audience=AUDIENCE, nonce=NONCE, issued_at=NOW
        )


def test_presenting_nothing_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one credential"):
        present_vp_jwt(
            [], holder=HOLDER_DID, key=HOLDER, audience=AUDIENCE, nonce=NONCE, issued_at=NOW
        )


# --- header, holder and signature ---------------------------------------------------------------


def test_rejects_presentation_whose_typ_is_not_vp_jwt() -> None:
    assert rejected(presentation(), typ="vc+jwt") == "typ_mismatch"


def test_rejects_presentation_without_holder() -> None:
    assert rejected(presentation(holder=None)) == "vp_invalid"


def test_rejects_presentation_signed_by_a_key_other_than_the_holders() -> None:
    assert error_code(lambda: verify(sign(presentation(), key=IMPOSTOR))) == "signature_invalid"


def test_rejects_presentation_whose_kid_names_another_dids_key() -> None:
    assert rejected(presentation(), kid=OTHER_DID + "#0") == "issuer_mismatch"


def test_rejects_presentation_whose_iss_is_not_the_holder() -> None:
    assert rejected(presentation(iss=OTHER_DID)) == "issuer_mismatch"


def test_rejects_presentation_whose_kid_is_not_a_string() -> None:
    assert rejected(presentation(), kid=["#0"]) == "header_invalid"


# --- request binding and freshness --------------------------------------------------------------


def test_rejects_presentation_for_another_audience() -> None:
    assert rejected(presentation(aud="https://other.example")) == "vp_aud_mismatch"


def test_rejects_audience_given_as_an_array_even_if_it_holds_ours() -> None:
    assert rejected(presentation(aud=[AUDIENCE])) == "vp_aud_mismatch"


def test_rejects_presentation_without_audience() -> None:
    assert rejected(presentation(aud=None)) == "claim_missing"


def test_rejects_presentation_with_another_nonce() -> None:
    assert rejected(presentation(nonce="replayed")) == "vp_nonce_mismatch"


def test_rejects_presentation_without_nonce() -> None:
    assert rejected(presentation(nonce=None)) == "claim_missing"


def test_rejects_presentation_without_iat() -> None:
    assert rejected(presentation(iat=None)) == "claim_missing"


def test_rejects_presentation_issued_in_the_future() -> None:
    assert rejected(presentation(iat=int(NOW.timestamp()) + 120)) == "iat_in_future"


def test_rejects_presentation_older_than_the_maximum_age() -> None:
    old = NOW - MAX_AGE - TOLERANCE - timedelta(seconds=1)
    assert rejected(presentation(iat=int(old.timestamp()))) == "vp_stale"


def test_rejects_expired_presentation() -> None:
    assert rejected(presentation(exp=int(NOW.timestamp()) - 120)) == "credential_expired"


# --- structure ----------------------------------------------------------------------------------


def test_rejects_presentation_without_verifiable_presentation_type() -> None:
    assert rejected(presentation(type=["ExamplePresentation"])) == "vp_invalid"


def test_rejects_presentation_without_the_v2_base_context() -> None:
    assert rejected(presentation(**{"@context": ["https://www.w3.org/2018/credentials/v1"]})) == (
        "vp_invalid"
    )


def test_rejects_presentation_with_a_vp_claim() -> None:
    assert rejected(presentation(vp={"type": "VerifiablePresentation"})) == "vp_invalid"


def test_rejects_presentation_without_credentials() -> None:
    assert rejected(presentation(verifiableCredential=None)) == "vp_invalid"


def test_rejects_presentation_with_an_empty_credential_list() -> None:
    assert rejected(presentation(verifiableCredential=[])) == "vp_invalid"


def test_rejects_embedded_unsecured_credential() -> None:
    unsecured = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": HOLDER_DID,
        "credentialSubject": {"id": HOLDER_DID, "favoriteCheese": "Gouda"},
    }
    assert rejected(presentation(verifiableCredential=[unsecured])) == "vp_invalid"


def test_rejects_enveloped_credential_of_another_media_type() -> None:
    entry = {**envelope_vc_jwt(vc_jwt()), "id": "data:application/vc+sd-jwt," + vc_jwt() + "~"}
    assert rejected(presentation(verifiableCredential=[entry])) == "vp_invalid"


def test_rejects_base64_data_url() -> None:
    entry = {**envelope_vc_jwt(vc_jwt()), "id": "data:application/vc+jwt;base64,ZXlK"}
    assert rejected(presentation(verifiableCredential=[entry])) == "vp_invalid"


def test_rejects_enveloped_credential_without_the_enveloped_type() -> None:
    entry = {**envelope_vc_jwt(vc_jwt()), "type": "VerifiableCredential"}
    assert rejected(presentation(verifiableCredential=[entry])) == "vp_invalid"


def test_rejects_enveloped_credential_without_context() -> None:
    entry = {k: v for k, v in envelope_vc_jwt(vc_jwt()).items() if k != "@context"}
    assert rejected(presentation(verifiableCredential=[entry])) == "vp_invalid"


def test_rejects_presentation_with_more_credentials_than_allowed() -> None:
    entries = [envelope_vc_jwt(vc_jwt())] * 33
    assert rejected(presentation(verifiableCredential=entries)) == "vp_invalid"


# --- the credentials inside ---------------------------------------------------------------------


def test_rejects_presentation_with_an_invalid_credential() -> None:
    expired = envelope_vc_jwt(vc_jwt(validUntil="2020-01-01T00:00:00Z"))
    assert rejected(presentation(verifiableCredential=[expired])) == "credential_expired"


def test_rejects_presentation_with_a_credential_of_an_untrusted_issuer() -> None:
    forged = envelope_vc_jwt(vc_jwt(issuer="https://other.example"))
    assert rejected(presentation(verifiableCredential=[forged])) == "issuer_key_unresolved"


def test_rejects_credential_about_someone_else_than_the_holder() -> None:
    foreign = envelope_vc_jwt(vc_jwt(credentialSubject={"id": OTHER_DID, "degree": "BSc"}))
    assert rejected(presentation(verifiableCredential=[foreign])) == "holder_binding_mismatch"


def test_rejects_credential_without_subject_id() -> None:
    anonymous = envelope_vc_jwt(vc_jwt(credentialSubject={"degree": "BSc"}))
    assert rejected(presentation(verifiableCredential=[anonymous])) == "holder_binding_mismatch"
