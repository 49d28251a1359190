"""Interoperability with the reference implementation ``sd-jwt`` (sd-jwt-python, PyPI ``sd-jwt``).

Both directions: the reference verifies what Taito issues and presents, and Taito verifies what
the reference issues and presents, with and without Key Binding, with recursive disclosures,
array elements and decoys. The reference holder stamps its KB-JWT with ``time.time()``; the test
pins that clock so the fixed ``NOW`` applies. The reference verifier checks KB-JWTs with ES256
only, so the holder key is P-256.
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jwcrypto.jwk import JWK  # type: ignore[import-untyped]
from sd_jwt.common import SDObj  # type: ignore[import-untyped]
from sd_jwt.holder import SDJWTHolder  # type: ignore[import-untyped]
from sd_jwt.issuer import SDJWTIssuer  # type: ignore[import-untyped]
from sd_jwt.verifier import SDJWTVerifier  # type: ignore[import-untyped]

from credentials.kb_jwt import KeyBindingPolicy
from credentials.keys import PrivateKey, private_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.sd_jwt_disclosable import mark_all, mark_paths
from credentials.sd_jwt_holder import HolderBinding, create_presentation, open_sd_jwt
from credentials.sd_jwt_issuer import SECURITY_CRITICAL_CLAIMS, issue_sd_jwt, random_decoys
from credentials.sd_jwt_vc import PLAIN_CLAIMS, issue_sd_jwt_vc, verify_sd_jwt_vc
from credentials.sd_jwt_verifier import VerifiedSDJWT, verify_sd_jwt, verify_sd_jwt_issuance

ED25519_ISSUER = private_key_from_jwk(
    {
        "kty": "OKP",
        "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    }
)
P256_ISSUER = private_key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "d": "Ur2bNKuBPOrAaxsRnbSH6hIhmNTxSGXshDSUD1a1y7g",
        "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
        "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8",
    }
)
HOLDER_KEY = private_key_from_jwk(
    {
        "kty": "EC",
        "crv": "P-256",
        "d": "5K5SCos8zf9zRemGGUl6yfok-_NiiryNZsvANWMhF-I",
        "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
        "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ",
    }
)
ISS = "https://issuer.example"
AUD = "https://verifier.example"
NONCE = "interop-nonce-8d1f"
TYP = "example+sd-jwt"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CLAIMS: dict[str, Any] = {
    "iss": ISS,
    "iat": int(NOW.timestamp()) - 3600,
    "exp": int(NOW.timestamp()) + 3600,
    "given_name": "Erika",
    "degree": {"title": "MSc", "ects": 120, "field": {"main": "CS"}},
    "skills": ["python", "cryptography", "law"],
}
ISSUERS = [ED25519_ISSUER, P256_ISSUER]


@pytest.fixture(autouse=True)
def reference_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sd_jwt.holder.time", lambda: NOW.timestamp())


def jwcrypto(key: PrivateKey, *, private: bool = True) -> Any:
    jwk = key.private_jwk if private else key.public.jwk
    return JWK.from_json(json.dumps(jwk))


def salts() -> Any:
    numbers = iter(range(10**9))
    return lambda: f"interop-salt-{next(numbers):010d}"


def ours(text: str, issuer: PrivateKey, *, required: bool) -> VerifiedSDJWT:
    return verify_sd_jwt(
        text,
        resolve_issuer_key=pinned_key(issuer.public, issuer=ISS),
        algorithms=["EdDSA", "ES256"],
        accepted_typ=[TYP, "dc+sd-jwt"],
        now=NOW,
        clock_tolerance=timedelta(seconds=60),
        key_binding=KeyBindingPolicy(required=required, audience=AUD, nonce=NONCE),
        plain_claims=SECURITY_CRITICAL_CLAIMS,
    )


def theirs(text: str, issuer: PrivateKey, *, with_kb: bool) -> dict[str, Any]:
    def issuer_key(iss: str, header: dict[str, Any]) -> Any:
        assert iss == ISS
        return jwcrypto(issuer, private=False)

    verifier = SDJWTVerifier(text, issuer_key, AUD if with_kb else None, NONCE if with_kb else None)
    payload: dict[str, Any] = verifier.get_verified_payload()
    return payload


@pytest.mark.parametrize("issuer", ISSUERS, ids=["EdDSA", "ES256"])
def test_reference_verifies_our_issuance_with_every_claim_disclosable(issuer: PrivateKey) -> None:
    issued = issue_sd_jwt(
        mark_all(CLAIMS, plain={"iss", "iat", "exp"}),
        issuer_key=issuer,
        typ=TYP,
        salt=salts(),
        holder_key=HOLDER_KEY.public,
        decoys=random_decoys(minimum=1, maximum=3, arrays=True),
    )
    assert theirs(issued.serialized, issuer, with_kb=False) == {
        **CLAIMS,
        "cnf": issued.payload["cnf"],
    }


@pytest.mark.parametrize("issuer", ISSUERS, ids=["EdDSA", "ES256"])
def test_reference_verifies_our_key_bound_presentation(issuer: PrivateKey) -> None:
    issued = issue_sd_jwt(
        mark_paths(CLAIMS, ["given_name", "degree", "degree.title", "skills[*]"]),
        issuer_key=issuer,
        typ=TYP,
        salt=salts(),
        holder_key=HOLDER_KEY.public,
    )
    binding = HolderBinding(holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, issued_at=NOW)
    presentation = create_presentation(
        open_sd_jwt(issued.serialized), disclose=["degree.title", "skills[1]"], key_binding=binding
    )
    expected = ours(presentation.serialized, issuer, required=True).claims
    assert expected["degree"] == {"title": "MSc", "ects": 120, "field": {"main": "CS"}}
    assert expected["skills"] == ["cryptography"]
    assert theirs(presentation.serialized, issuer, with_kb=True) == expected


def test_reference_verifies_our_sd_jwt_vc() -> None:
    claims = {k: v for k, v in CLAIMS.items() if k not in ("iss", "iat", "exp")}
    issued = issue_sd_jwt_vc(
        mark_all(claims, plain=PLAIN_CLAIMS),
        issuer=ISS,
        vct="https://credentials.example/degree",
        issued_at=NOW - timedelta(hours=1),
        issuer_key=P256_ISSUER,
        salt=salts(),
        holder_key=HOLDER_KEY.public,
        status={"status_list": {"idx": 3, "uri": "https://issuer.example/sl/1"}},
    )
    binding = HolderBinding(holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, issued_at=NOW)
    presentation = create_presentation(
        open_sd_jwt(issued.serialized), disclose=["degree.field.main"], key_binding=binding
    )
    verified = verify_sd_jwt_vc(
        presentation.serialized,
        resolve_issuer_key=pinned_key(P256_ISSUER.public, issuer=ISS),
        algorithms=["ES256"],
        accepted_typ=["dc+sd-jwt"],
        now=NOW,
        clock_tolerance=timedelta(seconds=60),
        key_binding=KeyBindingPolicy(required=True, audience=AUD, nonce=NONCE),
    )
    assert verified.claims["degree"] == {"field": {"main": "CS"}}
    assert theirs(presentation.serialized, P256_ISSUER, with_kb=True) == verified.claims


def reference_issuance(issuer: PrivateKey, *, decoys: bool) -> SDJWTIssuer:
    user_claims = {
        "iss": ISS,
        "iat": CLAIMS["iat"],
        "exp": CLAIMS["exp"],
        SDObj("given_name"): "Erika",
        SDObj("degree"): {SDObj("title"): "MSc", "ects": 120, "field": {SDObj("main"): "CS"}},
        "skills": ["python", SDObj("cryptography"), SDObj("law")],
    }
    return SDJWTIssuer(
        user_claims,
        jwcrypto(issuer),
        jwcrypto(HOLDER_KEY, private=False),
        sign_alg=issuer.alg,
        add_decoy_claims=decoys,
        extra_header_parameters={"typ": TYP},
    )


@pytest.mark.parametrize("issuer", ISSUERS, ids=["EdDSA", "ES256"])
@pytest.mark.parametrize("decoys", [False, True], ids=["plain", "decoys"])
def test_we_verify_the_reference_issuance(issuer: PrivateKey, decoys: bool) -> None:
    issuance = reference_issuance(issuer, decoys=decoys).sd_jwt_issuance
    verified = verify_sd_jwt_issuance(
        issuance,
        resolve_issuer_key=pinned_key(issuer.public, issuer=ISS),
        algorithms=["EdDSA", "ES256"],
        accepted_typ=[TYP],
        now=NOW,
        clock_tolerance=timedelta(seconds=60),
        plain_claims=SECURITY_CRITICAL_CLAIMS,
    )
    assert {k: v for k, v in verified.claims.items() if k != "cnf"} == CLAIMS
    assert verified.holder_jwk is not None
    assert verified.holder_jwk["x"] == HOLDER_KEY.public.jwk["x"]


@pytest.mark.parametrize("issuer", ISSUERS, ids=["EdDSA", "ES256"])
def test_we_verify_the_reference_key_bound_presentation(issuer: PrivateKey) -> None:
    holder = SDJWTHolder(reference_issuance(issuer, decoys=True).sd_jwt_issuance)
    holder.create_presentation(
        {"degree": {"field": {"main": True}}, "skills": [False, True, False]},
        NONCE,
        AUD,
        jwcrypto(HOLDER_KEY),
    )
    verified = ours(holder.sd_jwt_presentation, issuer, required=True)
    assert verified.key_binding_verified
    assert verified.claims["degree"] == {"ects": 120, "field": {"main": "CS"}}
    assert verified.claims["skills"] == ["python", "cryptography"]
    assert "given_name" not in verified.claims
    assert theirs(holder.sd_jwt_presentation, issuer, with_kb=True) == verified.claims


def test_our_holder_presents_a_reference_issuance_that_the_reference_verifies() -> None:
    issuance = reference_issuance(P256_ISSUER, decoys=True).sd_jwt_issuance
    binding = HolderBinding(holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, issued_at=NOW)
    presentation = create_presentation(
        open_sd_jwt(issuance), disclose=["given_name", "skills[2]"], key_binding=binding
    )
    verified = theirs(presentation.serialized, P256_ISSUER, with_kb=True)
    assert verified["given_name"] == "Erika" and verified["skills"] == ["python", "law"]
    assert "degree" not in verified
    assert ours(presentation.serialized, P256_ISSUER, required=True).claims == verified
