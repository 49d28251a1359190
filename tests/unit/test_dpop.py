"""DPoP proofs (RFC 9449 §4.3): the RFC's own examples, and one test per MUST-reject rule.

Vectors: the DPoP proof of RFC 9449 §4.1 (its key's thumbprint is the ``jkt`` of §6.1) and the
access token with its ``ath`` of §7.1, copied from the RFC text.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.dpop import DPOP_TYP, access_token_hash, check_dpop_proof, create_dpop_proof
from credentials.encoding import b64url_encode, json_dumps
from credentials.errors import DPoPProofInvalid
from credentials.jws import sign_compact
from credentials.keys import PrivateKey, generate_key

RFC_PROOF = (
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0"
    "VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10"
    "NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoi"
    "UE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-G"
    "xA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
)
RFC_JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
RFC_IAT = 1562262616
URI = "https://issuer.example/issuers/college/oid4vci/credential"
TOKEN = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ALGORITHMS = ("ES256", "EdDSA")
KEY = generate_key("ES256")


def check(proof: str, *, uri: str = URI, now: datetime = NOW, token: str | None = TOKEN) -> Any:
    return check_dpop_proof(
        proof,
        method="POST",
        uri=uri,
        now=now,
        max_age=timedelta(minutes=5),
        leeway=timedelta(seconds=60),
        algorithms=ALGORITHMS,
        access_token=token,
    )


def proof(key: PrivateKey = KEY, *, header: dict[str, Any] | None = None, **claims: Any) -> str:
    payload: dict[str, Any] = {
        "jti": "e1j3V_bKic8-LAEB",
        "htm": "POST",
        "htu": URI,
        "iat": int(NOW.timestamp()),
        "ath": access_token_hash(TOKEN),
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    protected = {"typ": DPOP_TYP, "jwk": key.public.jwk, **(header or {})}
    return sign_compact(protected, json_dumps(payload).encode(), key)


def rejected(token: str, match: str, **options: Any) -> None:
    with pytest.raises(DPoPProofInvalid, match=match):
        check(token, **options)


def test_accepts_the_rfc_example_proof_and_finds_its_thumbprint() -> None:
    checked = check(
        RFC_PROOF,
        uri="https://server.example.com/token",
        now=datetime.fromtimestamp(RFC_IAT, UTC),
        token=None,
    )
    assert (checked.jkt, checked.jti, checked.iat) == (RFC_JKT, "-BwC3ESc6acc2lTc", RFC_IAT)


def test_ath_is_the_rfc_example_hash_of_the_access_token() -> None:
    assert access_token_hash(TOKEN) == "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_accepts_a_proof_of_either_algorithm(alg: str) -> None:
    key = generate_key(alg)  # type: ignore[arg-type]
    assert check(proof(key)).jkt == key.public.thumbprint


def test_ignores_query_and_fragment_of_htu() -> None:
    assert check(proof(htu=URI + "?a=1#f"), uri=URI + "?b=2").jti == "e1j3V_bKic8-LAEB"


def test_rejects_a_wrong_typ() -> None:
    rejected(proof(header={"typ": "JWT"}), "typ")


def test_rejects_alg_none() -> None:
    header = b64url_encode(
        json_dumps({"typ": DPOP_TYP, "alg": "none", "jwk": KEY.public.jwk}).encode()
    )
    payload = b64url_encode(json_dumps({"jti": "x", "htm": "POST", "htu": URI, "iat": 1}).encode())
    rejected(f"{header}.{payload}.", "alg")


def test_rejects_hs256_signed_with_the_public_key_as_secret() -> None:
    header = b64url_encode(
        json_dumps({"typ": DPOP_TYP, "alg": "HS256", "jwk": KEY.public.jwk}).encode()
    )
    payload = b64url_encode(json_dumps({"jti": "x", "htm": "POST", "htu": URI, "iat": 1}).encode())
    mac = hmac.new(
        json_dumps(KEY.public.jwk).encode(), f"{header}.{payload}".encode(), hashlib.sha256
    )
    rejected(f"{header}.{payload}.{b64url_encode(mac.digest())}", "alg")


def test_rejects_a_private_key_in_jwk() -> None:
    rejected(proof(header={"jwk": KEY.private_jwk}), "not a public key")


def test_rejects_a_proof_without_jwk() -> None:
    protected = {"typ": DPOP_TYP}
    token = sign_compact(protected, json_dumps({"jti": "x"}).encode(), KEY)
    rejected(token, "no jwk")


def test_rejects_a_signature_by_another_key() -> None:
    rejected(proof(header={"jwk": generate_key("ES256").public.jwk}), "not valid")


def test_rejects_a_wrong_htm() -> None:
    rejected(proof(htm="GET"), "htm")


def test_rejects_a_wrong_htu() -> None:
    rejected(proof(htu="https://issuer.example/issuers/college/oid4vci/token"), "htu")


def test_rejects_another_host_in_htu() -> None:
    rejected(proof(htu="https://attacker.example/issuers/college/oid4vci/credential"), "htu")


@pytest.mark.parametrize("missing", ["jti", "htm", "htu", "iat"])
def test_rejects_a_missing_claim(missing: str) -> None:
    with pytest.raises(DPoPProofInvalid):
        check(proof(KEY, **{missing: None}))


def test_rejects_a_stale_iat() -> None:
    rejected(proof(iat=int((NOW - timedelta(minutes=6)).timestamp())), "iat")


def test_rejects_a_future_iat() -> None:
    rejected(proof(iat=int((NOW + timedelta(minutes=2)).timestamp())), "iat")


def test_rejects_a_missing_ath_with_an_access_token() -> None:
    rejected(proof(ath=None), "ath")


def test_rejects_an_ath_of_another_token() -> None:
    rejected(proof(ath=access_token_hash("another-token")), "ath")


def test_rejects_an_overlong_jti() -> None:
    rejected(proof(jti="j" * 257), "jti")


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
def test_a_created_proof_passes_the_checks_for_its_request(alg: str) -> None:
    key = generate_key(alg)  # type: ignore[arg-type]
    made = create_dpop_proof(
        key, method="POST", uri=URI + "?x=1", jti="j", iat=int(NOW.timestamp()), access_token=TOKEN
    )
    checked = check(made)
    assert (checked.jkt, checked.jti) == (key.public.thumbprint, "j")
    with pytest.raises(DPoPProofInvalid, match="ath"):
        check(made, token="another-token")
