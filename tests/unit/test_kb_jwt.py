"""Key Binding JWT (RFC 9901 §4.3, §7.3 step 5): creation and one test per MUST-reject rule.

Keys: the RFC 9901 Appendix A.5 P-256 holder key; a generated key plays the attacker.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.encoding import b64url_decode, b64url_encode, json_dumps
from credentials.errors import CredentialError
from credentials.jws import sign_compact
from credentials.kb_jwt import (
    DEFAULT_KB_MAX_AGE,
    KB_TYP,
    KeyBindingPolicy,
    create_kb_jwt,
    holder_key_from_cnf,
    sd_hash,
    verify_kb_jwt,
)
from credentials.keys import PrivateKey, generate_key, private_key_from_jwk
from credentials.sd_jwt import digest

HOLDER_KEY = private_key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "d": "5K5SCos8zf9zRemGGUl6yfok-_NiiryNZsvANWMhF-I",
        "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
        "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ",
    }
)
SD_JWT = "eyJhbGciOiJFUzI1NiJ9.eyJfc2RfYWxnIjoic2hhLTI1NiJ9.c2ln~WyJzYWx0IiwgIm4iLCAxXQ~"
AUD = "https://verifier.example"
NONCE = "XZOUco1u_gEPknxS78sWWg"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
TOLERANCE = timedelta(seconds=60)
POLICY = KeyBindingPolicy(required=True, audience=AUD, nonce=NONCE)


def kb(**overrides: Any) -> str:
    options: dict[str, Any] = {
        "holder_key": HOLDER_KEY,
        "audience": AUD,
        "nonce": NONCE,
        "issued_at": NOW,
        "sd_alg": "sha-256",
    } | overrides
    return create_kb_jwt(SD_JWT, **options)


def forged(payload: dict[str, Any], *, key: PrivateKey = HOLDER_KEY, **header: Any) -> str:
    """A KB-JWT with any payload and header, signed by ``key``."""
    return sign_compact({"typ": KB_TYP} | header, json_dumps(payload).encode(), key)


def good_payload(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "nonce": NONCE,
        "aud": AUD,
        "iat": int(NOW.timestamp()),
        "sd_hash": sd_hash(SD_JWT, "sha-256"),
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def verify(kb_jwt: str, **overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "sd_jwt": SD_JWT,
        "holder_key": HOLDER_KEY.public,
        "policy": POLICY,
        "algorithms": ["ES256", "EdDSA"],
        "now": NOW,
        "clock_tolerance": TOLERANCE,
        "sd_alg": "sha-256",
    } | overrides
    return verify_kb_jwt(kb_jwt, **options)


def rejects(code: str, call: Callable[[], object]) -> None:
    with pytest.raises(CredentialError) as raised:
        call()
    assert raised.value.code == code


def test_creates_a_kb_jwt_with_typ_and_the_four_required_claims() -> None:
    token = kb()
    header = json.loads(b64url_decode(token.split(".")[0]))
    payload = json.loads(b64url_decode(token.split(".")[1]))
    assert header == {"alg": "ES256", "typ": "kb+jwt"}
    assert list(payload) == ["nonce", "aud", "iat", "sd_hash"]
    assert payload["sd_hash"] == digest(SD_JWT, "sha-256")
    assert verify(token) == payload


def test_sd_hash_is_taken_with_the_credentials_sd_alg() -> None:
    token = kb(sd_alg="sha-512")
    assert len(b64url_decode(json.loads(b64url_decode(token.split(".")[1]))["sd_hash"])) == 64
    verify(token, sd_alg="sha-512")
    rejects("kb_sd_hash_mismatch", lambda: verify(token, sd_alg="sha-256"))


def test_sd_hash_refuses_input_that_does_not_end_with_tilde() -> None:
    with pytest.raises(ValueError):
        sd_hash(SD_JWT[:-1], "sha-256")


def test_default_max_age_is_five_minutes() -> None:
    assert timedelta(minutes=5) == DEFAULT_KB_MAX_AGE
    assert POLICY.max_age == DEFAULT_KB_MAX_AGE


@pytest.mark.parametrize("typ", ["JWT", "kb+JWT", "example+sd-jwt", None])
def test_rejects_kb_jwt_whose_typ_is_not_kb_jwt(typ: str | None) -> None:
    header = {"typ": typ} if typ else {}
    token = sign_compact(header, json_dumps(good_payload()).encode(), HOLDER_KEY)
    rejects("kb_invalid", lambda: verify(token))


def test_rejects_kb_jwt_signed_by_another_key() -> None:
    rejects("kb_invalid", lambda: verify(kb(holder_key=generate_key("ES256"))))


def test_rejects_kb_jwt_with_a_tampered_payload() -> None:
    header, _, signature = kb().split(".")
    body = b64url_encode(json_dumps(good_payload(aud=AUD, nonce=NONCE, iat=0)).encode())
    rejects("kb_invalid", lambda: verify(f"{header}.{body}.{signature}"))


def test_rejects_kb_jwt_algorithm_not_on_the_allow_list() -> None:
    rejects("kb_invalid", lambda: verify(kb(), algorithms=["EdDSA"]))


def test_rejects_kb_jwt_with_alg_none() -> None:
    header = b64url_encode(b'{"alg":"none","typ":"kb+jwt"}')
    body = b64url_encode(json_dumps(good_payload()).encode())
    rejects("kb_invalid", lambda: verify(f"{header}.{body}."))


def test_rejects_malformed_kb_jwt() -> None:
    rejects("kb_invalid", lambda: verify("not.a.jwt"))


def test_rejects_kb_jwt_with_critical_header() -> None:
    rejects("kb_invalid", lambda: verify(forged(good_payload(), crit=["exp"])))


def test_rejects_kb_jwt_for_another_audience() -> None:
    rejects("kb_aud_mismatch", lambda: verify(kb(audience="https://other.example")))


@pytest.mark.parametrize("aud", [[AUD], [AUD, "https://other.example"], None, 42])
def test_rejects_kb_jwt_whose_aud_is_not_one_string(aud: object) -> None:
    rejects("kb_aud_mismatch", lambda: verify(forged(good_payload(aud=aud))))


def test_rejects_kb_jwt_with_another_nonce() -> None:
    rejects("kb_nonce_mismatch", lambda: verify(kb(nonce="replayed-nonce")))


@pytest.mark.parametrize("nonce", [None, 1234567890, [NONCE]])
def test_rejects_kb_jwt_whose_nonce_is_missing_or_not_a_string(nonce: object) -> None:
    rejects("kb_nonce_mismatch", lambda: verify(forged(good_payload(nonce=nonce))))


def test_rejects_kb_jwt_older_than_max_age() -> None:
    old = kb(issued_at=NOW - DEFAULT_KB_MAX_AGE - timedelta(seconds=1))
    rejects("kb_expired", lambda: verify(old))


def test_accepts_kb_jwt_just_within_max_age() -> None:
    verify(kb(issued_at=NOW - DEFAULT_KB_MAX_AGE))


def test_honours_a_shorter_max_age() -> None:
    strict = KeyBindingPolicy(
        required=True, audience=AUD, nonce=NONCE, max_age=timedelta(seconds=30)
    )
    rejects("kb_expired", lambda: verify(kb(issued_at=NOW - timedelta(seconds=31)), policy=strict))


def test_rejects_kb_jwt_issued_in_the_future_beyond_tolerance() -> None:
    future = kb(issued_at=NOW + TOLERANCE + timedelta(seconds=1))
    rejects("kb_iat_invalid", lambda: verify(future))


def test_accepts_kb_jwt_slightly_ahead_within_tolerance() -> None:
    verify(kb(issued_at=NOW + TOLERANCE - timedelta(seconds=1)))


@pytest.mark.parametrize("iat", [None, "1748536865", True, -1, 1e30])
def test_rejects_kb_jwt_whose_iat_is_missing_or_not_a_numeric_date(iat: object) -> None:
    rejects("kb_iat_invalid", lambda: verify(forged(good_payload(iat=iat))))


def test_rejects_kb_jwt_whose_exp_has_passed() -> None:
    token = forged(good_payload(exp=int((NOW - timedelta(minutes=2)).timestamp())))
    rejects("kb_invalid", lambda: verify(token))


def test_rejects_kb_jwt_bound_to_other_disclosures() -> None:
    other = SD_JWT.replace("WyJzYWx0IiwgIm4iLCAxXQ~", "")
    rejects("kb_sd_hash_mismatch", lambda: verify(kb(), sd_jwt=other))


@pytest.mark.parametrize("value", [None, 42, "", "AAAA"])
def test_rejects_kb_jwt_whose_sd_hash_is_missing_or_wrong(value: object) -> None:
    rejects("kb_sd_hash_mismatch", lambda: verify(forged(good_payload(sd_hash=value))))


def test_rejects_kb_jwt_when_the_policy_has_no_audience_or_nonce() -> None:
    lax = KeyBindingPolicy(required=False, audience=AUD, nonce=None)
    rejects("kb_invalid", lambda: verify(kb(), policy=lax))


def test_holder_key_comes_from_cnf_jwk() -> None:
    jwk = {k: v for k, v in HOLDER_KEY.public.jwk.items() if k in ("kty", "crv", "x", "y")}
    assert holder_key_from_cnf({"cnf": {"jwk": jwk}}).thumbprint == HOLDER_KEY.public.thumbprint


@pytest.mark.parametrize("claims", [{}, {"cnf": "x"}, {"cnf": {"kid": "k"}}, {"cnf": {"jwk": "x"}}])
def test_rejects_missing_holder_key(claims: dict[str, Any]) -> None:
    rejects("holder_key_missing", lambda: holder_key_from_cnf(claims))


def test_rejects_holder_key_with_private_members() -> None:
    rejects("invalid_key", lambda: holder_key_from_cnf({"cnf": {"jwk": HOLDER_KEY.private_jwk}}))


@pytest.mark.parametrize(
    ("field", "value"),
    [("audience", ""), ("audience", ["a"]), ("nonce", ""), ("issued_at", NOW.replace(tzinfo=None))],
)
def test_creating_a_kb_jwt_with_bad_inputs_is_misuse(field: str, value: object) -> None:
    with pytest.raises(TypeError):
        kb(**{field: value})
