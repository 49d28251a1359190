"""VC-JOSE-COSE §3.1.1: issuing and verifying ``vc+jwt`` credentials (VC DM 2.0 payloads).

The credential shape follows the VC-JOSE-COSE §3.1.1 example; keys are fixed test keys.
"""

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.did_jwk import did_jwk_key_id, encode_did_jwk
from credentials.dids import offline_did_resolver
from credentials.encoding import b64url_decode, b64url_encode
from credentials.errors import CredentialError
from credentials.jws import sign_compact
from credentials.keys import PrivateKey, private_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.vc_jose import (
    VerifiedCredential,
    issue_vc_jwt,
    parse_date_time_stamp,
    verify_vc_jwt,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
TOLERANCE = timedelta(seconds=60)
ISSUER_ID = "https://university.example/issuers/14"
ISSUER_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "MwT3QoTq7HEGcSzLryhf1Xu0FsKNBUHmxa_0H9DaGlQ",
    "y": "bplONymH7JmWX5nqC92jRlUD3ugPo0VdGGj1awcDL90",
    "d": "33dRJn1t5DIFNQC_HW2dzXEGJYCE0pvbHw4ge1ZcmCg",
}
ISSUER = private_key_from_jwk(ISSUER_JWK, kid="key-1")
# The same kid on another key: what an attacker would send.
IMPOSTOR = private_key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "x": "4ofLpTu67H_xO-BDUpYfUNzCPZKpZeifsOmN69PDUJo",
        "y": "Q1rVEJr1X5PWbWKWS50NlxRKrle1i7Kcy0nwxnAdaoY",
        "d": "7snBN0uOPrhFo0HKnXdAhkFTgktZXYNqtkfCuejFkOQ",
    },
    kid="key-1",
)
# RFC 8037 Appendix A.1.
ED25519_JWK = {
    "kty": "OKP",
    "crv": "Ed25519",
    "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
}
DID_ISSUER_ID = encode_did_jwk(private_key_from_jwk(ED25519_JWK).public)
DID_ISSUER = private_key_from_jwk(ED25519_JWK, kid=did_jwk_key_id(DID_ISSUER_ID))
SUBJECT = "did:example:ebfeb1f712ebc6f1c276e12ec21"


def credential(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "id": "http://university.example/credentials/3732",
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": ISSUER_ID,
        "validFrom": "2010-01-01T19:23:24Z",
        "credentialSubject": {"id": SUBJECT, "degree": {"type": "ExampleBachelorDegree"}},
    }
    document.update(changes)
    return {name: value for name, value in document.items() if value is not None}


def sign(payload: Mapping[str, Any], *, key: PrivateKey = ISSUER, **header: Any) -> str:
    protected = {"typ": "vc+jwt", "kid": key.kid, **header}
    return sign_compact(protected, json.dumps(payload).encode(), key)


def verify(
    token: str, *, now: datetime = NOW, algorithms: tuple[str, ...] = ("ES256", "EdDSA")
) -> VerifiedCredential:
    return verify_vc_jwt(
        token,
        resolve_issuer_key=pinned_key(ISSUER.public, issuer=ISSUER_ID),
        now=now,
        clock_tolerance=TOLERANCE,
        algorithms=algorithms,
    )


def error_code(call: Callable[[], object]) -> str:
    with pytest.raises(CredentialError) as caught:
        call()
    return caught.value.code


def rejected(payload: Mapping[str, Any], **header: Any) -> str:
    return error_code(lambda: verify(sign(payload, **header)))


# --- issuing and verifying ----------------------------------------------------------------------


def test_issued_vc_jwt_is_the_credential_itself_under_a_vc_jwt_header() -> None:
    token = issue_vc_jwt(credential(), key=ISSUER, issued_at=NOW)
    header = json.loads(b64url_decode(token.split(".")[0]))
    payload = json.loads(b64url_decode(token.split(".")[1]))
    assert header == {"alg": "ES256", "typ": "vc+jwt", "kid": "key-1"}
    assert payload == {**credential(), "iat": int(NOW.timestamp())}


def test_verifies_issued_credential_and_returns_its_facts() -> None:
    status = {"id": "https://u.example/status/3#94567", "type": "BitstringStatusListEntry"}
    token = issue_vc_jwt(
        credential(validUntil="2030-01-01T00:00:00Z", credentialStatus=status), key=ISSUER
    )
    verified = verify(token)
    assert verified.issuer == ISSUER_ID
    assert verified.types == ("VerifiableCredential", "ExampleDegreeCredential")
    assert verified.subject_ids == (SUBJECT,)
    assert verified.subject_id == SUBJECT
    assert verified.credential_status == (status,)
    assert verified.valid_from == datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)
    assert verified.valid_until == datetime(2030, 1, 1, tzinfo=UTC)
    assert verified.credential == credential(
        validUntil="2030-01-01T00:00:00Z", credentialStatus=status
    )


def test_verifies_credential_of_a_did_issuer_named_by_an_issuer_object() -> None:
    token = issue_vc_jwt(credential(issuer={"id": DID_ISSUER_ID, "name": "U"}), key=DID_ISSUER)
    verified = verify_vc_jwt(
        token,
        resolve_issuer_key=offline_did_resolver,
        now=NOW,
        clock_tolerance=TOLERANCE,
        algorithms=("EdDSA",),
    )
    assert verified.issuer == DID_ISSUER_ID


def test_accepts_the_full_media_type_as_typ() -> None:
    assert verify(sign(credential(), typ="application/vc+jwt")).issuer == ISSUER_ID


def test_accepts_credential_with_several_subjects_and_names_no_single_subject() -> None:
    subjects = [{"id": "did:example:1", "type": "Person"}, {"id": "did:example:2", "type": "Dog"}]
    verified = verify(sign(credential(credentialSubject=subjects)))
    assert verified.subject_ids == ("did:example:1", "did:example:2")
    assert verified.subject_id is None


def test_issuing_refuses_a_credential_without_valid_from() -> None:
    assert error_code(lambda: issue_vc_jwt(credential(validFrom=None), key=ISSUER)) == "vc_invalid"


def test_issuing_refuses_a_non_conforming_credential() -> None:
    call = lambda: issue_vc_jwt(credential(type="ExampleDegreeCredential"), key=ISSUER)  # noqa: E731
    assert error_code(call) == "vc_invalid"


def test_issuing_for_a_did_issuer_refuses_a_key_outside_that_did() -> None:
    with pytest.raises(ValueError, match="DID URL"):
        issue_vc_jwt(credential(issuer=DID_ISSUER_ID), key=ISSUER)


# --- header and signature -----------------------------------------------------------------------


def test_rejects_token_whose_typ_is_not_vc_jwt() -> None:
    assert rejected(credential(), typ="JWT") == "typ_mismatch"


def test_rejects_token_without_typ() -> None:
    token = sign_compact({"kid": "key-1"}, json.dumps(credential()).encode(), ISSUER)
    assert error_code(lambda: verify(token)) == "typ_mismatch"


def test_rejects_credential_signed_by_another_key_with_the_trusted_kid() -> None:
    assert error_code(lambda: verify(sign(credential(), key=IMPOSTOR))) == "signature_invalid"


def test_rejects_key_named_in_the_header_instead_of_the_trusted_one() -> None:
    token = sign(credential(), key=IMPOSTOR, jwk=IMPOSTOR.public.jwk)
    assert error_code(lambda: verify(token)) == "signature_invalid"


def test_rejects_credential_of_an_issuer_the_resolver_does_not_trust() -> None:
    assert rejected(credential(issuer="https://other.example")) == "issuer_key_unresolved"


def test_rejects_algorithm_outside_the_allow_list() -> None:
    call = lambda: verify(sign(credential()), algorithms=("EdDSA",))  # noqa: E731
    assert error_code(call) == "unsupported_algorithm"


def test_rejects_tampered_payload() -> None:
    header, _, signature = sign(credential()).split(".")
    forged = sign(credential(credentialSubject={"id": SUBJECT, "degree": "PhD"}))
    token = ".".join([header, forged.split(".")[1], signature])
    assert error_code(lambda: verify(token)) == "signature_invalid"


def test_rejects_unsecured_token_with_alg_none() -> None:
    header = b64url_encode(json.dumps({"alg": "none", "typ": "vc+jwt", "kid": "key-1"}).encode())
    payload = b64url_encode(json.dumps(credential()).encode())
    assert error_code(lambda: verify(f"{header}.{payload}.")) == "unsupported_algorithm"


def test_rejects_header_iss_other_than_the_issuer() -> None:
    assert rejected(credential(), iss="https://other.example") == "issuer_mismatch"


def test_rejects_iss_claim_other_than_the_issuer() -> None:
    assert rejected(credential(iss="https://other.example")) == "issuer_mismatch"


def test_rejects_kid_that_is_not_a_string() -> None:
    assert rejected(credential(), kid=1) == "header_invalid"


def test_rejects_critical_header_extensions() -> None:
    assert rejected(credential(), crit=["exp"]) == "crit_unsupported"


def test_rejects_token_that_is_not_a_compact_jws() -> None:
    assert error_code(lambda: verify("a.b")) == "malformed_input"


def test_rejects_oversized_token() -> None:
    assert error_code(lambda: verify("a" * (256 * 1024 + 1))) == "input_too_large"


# --- VC DM 2.0 structure ------------------------------------------------------------------------


def test_rejects_vc_claim() -> None:
    assert rejected(credential(vc={"type": ["VerifiableCredential"]})) == "vc_invalid"


def test_rejects_vp_claim() -> None:
    assert rejected(credential(vp={})) == "vc_invalid"


def test_rejects_credential_without_context() -> None:
    assert rejected(credential(**{"@context": None})) == "vc_invalid"


def test_rejects_context_whose_first_entry_is_not_the_v2_base_context() -> None:
    context = [
        "https://www.w3.org/ns/credentials/examples/v2",
        "https://www.w3.org/ns/credentials/v2",
    ]
    assert rejected(credential(**{"@context": context})) == "vc_invalid"


def test_rejects_context_entry_that_is_neither_url_nor_object() -> None:
    context = ["https://www.w3.org/ns/credentials/v2", 7]
    assert rejected(credential(**{"@context": context})) == "vc_invalid"


def test_rejects_type_without_verifiable_credential() -> None:
    assert rejected(credential(type=["ExampleDegreeCredential"])) == "vc_invalid"


def test_rejects_type_values_that_are_not_strings() -> None:
    assert rejected(credential(type=["VerifiableCredential", {}])) == "vc_invalid"


def test_rejects_credential_without_issuer() -> None:
    assert rejected(credential(issuer=None)) == "vc_invalid"


def test_rejects_issuer_that_is_not_a_url() -> None:
    assert rejected(credential(issuer="university")) == "vc_invalid"


def test_rejects_issuer_object_without_id() -> None:
    assert rejected(credential(issuer={"name": "University"})) == "vc_invalid"


def test_rejects_credential_without_credential_subject() -> None:
    assert rejected(credential(credentialSubject=None)) == "vc_invalid"


def test_rejects_empty_credential_subject() -> None:
    assert rejected(credential(credentialSubject={})) == "vc_invalid"


def test_rejects_empty_credential_subject_list() -> None:
    assert rejected(credential(credentialSubject=[])) == "vc_invalid"


def test_rejects_credential_subject_id_that_is_not_a_string() -> None:
    assert rejected(credential(credentialSubject={"id": 5, "name": "x"})) == "vc_invalid"


def test_rejects_credential_status_without_type() -> None:
    assert rejected(credential(credentialStatus={"id": "https://u.example/s#1"})) == "vc_invalid"


def test_rejects_credential_id_that_is_not_a_string() -> None:
    assert rejected(credential(id=3732)) == "vc_invalid"


@pytest.mark.parametrize(
    "value",
    [
        "2010-01-01T19:23:24",
        "2010-01-01",
        "2010-13-01T00:00:00Z",
        "2010-02-30T00:00:00Z",
        "2010-01-01T19:23:60Z",
        "2010-01-01T19:23:24+15:00",
        "2010-01-01 19:23:24Z",
        "12010-01-01T00:00:00Z",
        1262373804,
    ],
)
def test_rejects_valid_from_that_is_not_a_date_time_stamp(value: object) -> None:
    assert rejected(credential(validFrom=value)) == "vc_invalid"


def test_rejects_valid_until_that_is_not_a_date_time_stamp() -> None:
    assert rejected(credential(validUntil="tomorrow")) == "vc_invalid"


def test_rejects_valid_from_later_than_valid_until() -> None:
    changes = {"validFrom": "2020-01-01T00:00:00Z", "validUntil": "2019-12-31T23:59:59Z"}
    assert rejected(credential(**changes)) == "vc_invalid"


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2010-01-01T19:23:24Z", datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)),
        ("2010-01-01T19:23:24.432Z", datetime(2010, 1, 1, 19, 23, 24, 432000, tzinfo=UTC)),
        ("2010-01-01T19:23:24.1234567Z", datetime(2010, 1, 1, 19, 23, 24, 123456, tzinfo=UTC)),
        ("2024-07-12T12:00:00-07:00", datetime(2024, 7, 12, 19, tzinfo=UTC)),
        ("2024-07-12T12:00:00+14:00", datetime(2024, 7, 11, 22, tzinfo=UTC)),
        ("2023-12-31T24:00:00Z", datetime(2024, 1, 1, tzinfo=UTC)),
    ],
)
def test_parses_date_time_stamps_into_utc(value: str, moment: datetime) -> None:
    assert parse_date_time_stamp(value, name="validFrom") == moment


# --- time ---------------------------------------------------------------------------------------


def test_rejects_credential_before_valid_from() -> None:
    later = (NOW + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert rejected(credential(validFrom=later)) == "credential_not_yet_valid"


def test_accepts_valid_from_within_the_clock_tolerance() -> None:
    soon = (NOW + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert verify(sign(credential(validFrom=soon))).valid_from is not None


def test_rejects_credential_after_valid_until() -> None:
    past = (NOW - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert rejected(credential(validUntil=past)) == "credential_expired"


def test_accepts_valid_until_within_the_clock_tolerance() -> None:
    just = (NOW - timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert verify(sign(credential(validUntil=just))).valid_until is not None


def test_rejects_expired_signature() -> None:
    assert rejected(credential(exp=int(NOW.timestamp()) - 120)) == "credential_expired"


def test_rejects_signature_issued_in_the_future() -> None:
    assert rejected(credential(iat=int(NOW.timestamp()) + 120)) == "iat_in_future"


def test_rejects_signature_not_valid_yet() -> None:
    assert rejected(credential(nbf=int(NOW.timestamp()) + 120)) == "credential_not_yet_valid"


def test_rejects_time_claim_that_is_not_a_number() -> None:
    assert rejected(credential(exp="2030-01-01")) == "claim_invalid"
