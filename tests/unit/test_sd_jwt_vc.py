"""SD-JWT VC (draft-ietf-oauth-sd-jwt-vc §3): issuance rules and one test per MUST-reject rule.

Keys: RFC 8037 Ed25519 example (issuer), RFC 9901 A.5 P-256 (holder).
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.encoding import b64url_encode, json_dumps
from credentials.errors import CredentialError
from credentials.jws import sign_compact
from credentials.kb_jwt import KeyBindingPolicy, create_kb_jwt
from credentials.keys import private_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.sd_jwt import digest, join_sd_jwt, parse_disclosure
from credentials.sd_jwt_disclosable import SD, mark_all, mark_paths
from credentials.sd_jwt_holder import create_presentation, open_sd_jwt
from credentials.sd_jwt_issuer import IssuedSDJWT
from credentials.sd_jwt_vc import (
    PLAIN_CLAIMS,
    VerifiedCredential,
    issue_sd_jwt_vc,
    verify_sd_jwt_vc,
    verify_sd_jwt_vc_issuance,
)

ISSUER_KEY = private_key_from_jwk(
    {
        "kty": "OKP",
        "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
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
VCT = "https://credentials.example/degree"
AUD = "https://verifier.example"
NONCE = "r7e1y2Qb-gP3"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
STATUS = {"status_list": {"idx": 412, "uri": "https://issuer.example/statuslists/1"}}
CLAIMS: dict[str, Any] = {
    "sub": "did:example:holder",
    "degree": {"title": "MSc", "ects": 120},
    "skills": ["python", "law"],
}

_numbers = iter(range(10**9))


def salt() -> str:
    return f"salt-{next(_numbers):018d}"


def issue(claims: dict[str, Any] | None = None, **overrides: Any) -> IssuedSDJWT:
    options: dict[str, Any] = {
        "issuer": ISS,
        "vct": VCT,
        "issued_at": NOW - timedelta(days=1),
        "expires_at": NOW + timedelta(days=365),
        "issuer_key": ISSUER_KEY,
        "salt": salt,
        "holder_key": HOLDER_KEY.public,
        "status": STATUS,
    } | overrides
    marked = mark_all(CLAIMS, plain=PLAIN_CLAIMS) if claims is None else claims
    return issue_sd_jwt_vc(marked, **options)


def verify(text: str, **overrides: Any) -> VerifiedCredential:
    options: dict[str, Any] = {
        "resolve_issuer_key": pinned_key(ISSUER_KEY.public, issuer=ISS),
        "algorithms": ["EdDSA", "ES256"],
        "accepted_typ": ["dc+sd-jwt"],
        "now": NOW,
        "clock_tolerance": timedelta(seconds=60),
        "key_binding": KeyBindingPolicy(required=False, audience=AUD, nonce=NONCE),
    } | overrides
    return verify_sd_jwt_vc(text, **options)


def forge(payload: dict[str, Any], *disclosures: str, typ: str = "dc+sd-jwt") -> str:
    """An SD-JWT VC with any payload, signed by the issuer."""
    body: dict[str, Any] = {
        "iss": ISS,
        "vct": VCT,
        "iat": int(NOW.timestamp()) - 60,
        "_sd_alg": "sha-256",
    }
    body.update(payload)
    body = {k: v for k, v in body.items() if v is not None}
    issuer_jwt = sign_compact({"typ": typ}, json_dumps(body).encode(), ISSUER_KEY)
    return join_sd_jwt(issuer_jwt, disclosures)


def disclosure(name: str, value: Any) -> str:
    return b64url_encode(json_dumps([salt(), name, value]).encode())


def rejects(code: str, call: Callable[[], object]) -> None:
    with pytest.raises(CredentialError) as raised:
        call()
    assert raised.value.code == code


def test_issues_a_dc_sd_jwt_with_plain_validity_claims_first() -> None:
    issued = issue(header={"kid": ISSUER_KEY.kid})
    assert issued.header == {"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": ISSUER_KEY.kid}
    assert list(issued.payload)[:6] == ["_sd", "iss", "iat", "exp", "vct", "status"]
    assert list(issued.payload)[-2:] == ["_sd_alg", "cnf"]


def test_round_trips_every_claim_and_reports_what_was_verified() -> None:
    issued = issue(header={"kid": ISSUER_KEY.kid})
    verified = verify(issued.serialized)
    assert {k: verified.claims[k] for k in CLAIMS} == CLAIMS
    assert verified.issuer == ISS and verified.vct == VCT and verified.kid == ISSUER_KEY.kid
    assert verified.status == STATUS
    assert verified.holder_jwk == issued.payload["cnf"]["jwk"]
    assert verified.typ == "dc+sd-jwt" and verified.sd_alg == "sha-256"
    assert not verified.key_binding_verified
    assert ("degree.title", "MSc") in verified.rows()
    assert json.loads(verified.claims_json()) == verified.claims
    assert "degree.title" in verified.disclosed_paths and "iss" not in verified.disclosed_paths


def test_a_presentation_shows_only_what_the_holder_chose() -> None:
    held = open_sd_jwt(issue().serialized)
    presentation = create_presentation(held, disclose=["degree.title"], key_binding=None)
    verified = verify(presentation.serialized)
    assert verified.claims["degree"] == {"title": "MSc"}
    assert "sub" not in verified.claims and "skills" not in verified.claims
    assert set(verified.claims) == {"iss", "iat", "exp", "vct", "status", "cnf", "degree"}


def test_verifies_key_binding_with_the_cnf_key() -> None:
    issued = issue()
    text = issued.serialized + create_kb_jwt(
        issued.serialized,
        holder_key=HOLDER_KEY,
        audience=AUD,
        nonce=NONCE,
        issued_at=NOW,
        sd_alg="sha-256",
    )
    policy = KeyBindingPolicy(required=True, audience=AUD, nonce=NONCE)
    assert verify(text, key_binding=policy).key_binding_verified


def test_rejects_missing_key_binding_when_required() -> None:
    policy = KeyBindingPolicy(required=True, audience=AUD, nonce=NONCE)
    rejects("key_binding_required", lambda: verify(issue().serialized, key_binding=policy))


def test_rejects_legacy_typ_unless_accepted() -> None:
    text = forge({}, typ="vc+sd-jwt")
    rejects("typ_mismatch", lambda: verify(text))
    assert verify(text, accepted_typ=["dc+sd-jwt", "vc+sd-jwt"]).typ == "vc+sd-jwt"


@pytest.mark.parametrize("typ", ["example+sd-jwt", "JWT", "vc+ld+jwt"])
def test_rejects_a_typ_that_is_not_an_sd_jwt_vc_typ(typ: str) -> None:
    rejects("typ_mismatch", lambda: verify(forge({}, typ=typ)))


@pytest.mark.parametrize("accepted", [[], ["example+sd-jwt"], "dc+sd-jwt"])
def test_accepting_a_typ_that_is_not_an_sd_jwt_vc_typ_is_misuse(accepted: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        verify(forge({}), accepted_typ=accepted)


def test_rejects_missing_vct() -> None:
    rejects("vct_missing", lambda: verify(forge({"vct": None})))


@pytest.mark.parametrize("vct", [42, "", ["a"]])
def test_rejects_vct_that_is_not_a_string(vct: object) -> None:
    rejects("claim_invalid", lambda: verify(forge({"vct": vct})))


def test_rejects_missing_iss() -> None:
    rejects("claim_missing", lambda: verify(forge({"iss": None})))


@pytest.mark.parametrize("name", sorted(PLAIN_CLAIMS - {"iss"}))
def test_rejects_plain_claim_arriving_through_a_disclosure(name: str) -> None:
    values = {
        "vct": VCT,
        "iat": 1,
        "exp": 2000000000,
        "nbf": 1,
        "cnf": {"jwk": {}},
        "status": STATUS,
    }
    value = values.get(name, ["urn:example:other"] if name == "aka_vcts" else "sha-256")
    sneaked = disclosure(name, value)
    text = forge({name: None, "_sd": [digest(sneaked, "sha-256")]}, sneaked)
    rejects("plain_claim_disclosed", lambda: verify(text))


def test_rejects_sub_claims_of_status_arriving_through_a_disclosure() -> None:
    sneaked = disclosure("idx", 7)
    body = {
        "status": {"status_list": {"uri": "https://x.example", "_sd": [digest(sneaked, "sha-256")]}}
    }
    rejects("plain_claim_disclosed", lambda: verify(forge(body, sneaked)))


def test_rejects_status_that_is_not_an_object() -> None:
    rejects("claim_invalid", lambda: verify(forge({"status": "revoked?"})))


@pytest.mark.parametrize("aka", [[], "urn:x", [VCT], [42]])
def test_rejects_malformed_aka_vcts(aka: object) -> None:
    rejects("claim_invalid", lambda: verify(forge({"aka_vcts": aka})))


def test_rejects_expired_credential() -> None:
    rejects("credential_expired", lambda: verify(forge({"exp": int(NOW.timestamp()) - 3600})))


def test_holder_rejects_an_issuance_that_carries_a_kb_jwt() -> None:
    issued = issue()
    text = issued.serialized + create_kb_jwt(
        issued.serialized,
        holder_key=HOLDER_KEY,
        audience=AUD,
        nonce=NONCE,
        issued_at=NOW,
        sd_alg="sha-256",
    )
    rejects(
        "kb_unexpected",
        lambda: verify_sd_jwt_vc_issuance(
            text,
            resolve_issuer_key=pinned_key(ISSUER_KEY.public, issuer=ISS),
            algorithms=["EdDSA"],
            accepted_typ=["dc+sd-jwt"],
            now=NOW,
            clock_tolerance=timedelta(seconds=60),
        ),
    )


def test_holder_verifies_an_issuance() -> None:
    verified = verify_sd_jwt_vc_issuance(
        issue().serialized,
        resolve_issuer_key=pinned_key(ISSUER_KEY.public, issuer=ISS),
        algorithms=["EdDSA"],
        accepted_typ=["dc+sd-jwt"],
        now=NOW,
        clock_tolerance=timedelta(seconds=60),
    )
    assert verified.claims["degree"] == CLAIMS["degree"]


@pytest.mark.parametrize("name", ["iss", "vct", "iat", "exp", "nbf", "cnf", "status"])
def test_issuing_a_validity_claim_among_the_claims_is_misuse(name: str) -> None:
    with pytest.raises(ValueError):
        issue({**CLAIMS, name: "x"})


@pytest.mark.parametrize("name", ["vct#integrity", "aka_vcts"])
def test_issuing_a_plain_claim_as_disclosable_is_misuse(name: str) -> None:
    with pytest.raises(ValueError):
        issue({**CLAIMS, name: SD(["urn:example:x"])})


def test_issuing_a_plain_claim_by_path_is_misuse() -> None:
    with pytest.raises(ValueError):
        issue(mark_paths({**CLAIMS, "vct#integrity": "sha256-abc"}, ["vct#integrity"]))


def test_everything_mode_keeps_plain_claims_plain() -> None:
    claims = {**CLAIMS, "vct#integrity": "sha256-abc", "aka_vcts": ["urn:example:other"]}
    issued = issue(mark_all(claims, plain=PLAIN_CLAIMS))
    assert issued.payload["vct#integrity"] == "sha256-abc"
    assert issued.payload["aka_vcts"] == ["urn:example:other"]
    assert {parse_disclosure(d.encoded).name for d in issued.disclosures} >= {"sub", "degree"}
    assert verify(issued.serialized).claims["aka_vcts"] == ["urn:example:other"]


@pytest.mark.parametrize("aka", [[], [VCT], ["ok", 1]])
def test_issuing_malformed_aka_vcts_is_misuse(aka: list[Any]) -> None:
    with pytest.raises(ValueError):
        issue({**CLAIMS, "aka_vcts": aka})


@pytest.mark.parametrize(
    "overrides",
    [{"issued_at": NOW.replace(tzinfo=None)}, {"issuer": ""}, {"vct": ""}, {"expires_at": 5}],
)
def test_issuing_with_malformed_parameters_is_misuse(overrides: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        issue(**overrides)


def test_issues_not_before_when_given() -> None:
    issued = issue(not_before=NOW + timedelta(days=1))
    assert issued.payload["nbf"] == int((NOW + timedelta(days=1)).timestamp())
    rejects("credential_not_yet_valid", lambda: verify(issued.serialized))
