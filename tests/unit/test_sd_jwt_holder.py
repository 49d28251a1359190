"""The holder (RFC 9901 §7.2): choosing Disclosures by claim path and presenting them.

A path discloses its claim, the parents that connect it to the issuer-signed JWT and everything
beneath it, and nothing else. Keys: RFC 8037 Ed25519 example (issuer), RFC 9901 A.5 (holder).
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.errors import CredentialError
from credentials.kb_jwt import KeyBindingPolicy
from credentials.keys import generate_key, private_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.sd_jwt import split_sd_jwt
from credentials.sd_jwt_disclosable import SD, mark_all
from credentials.sd_jwt_holder import (
    HeldSDJWT,
    HolderBinding,
    create_presentation,
    open_sd_jwt,
    select_disclosures,
)
from credentials.sd_jwt_issuer import IssuedSDJWT, issue_sd_jwt
from credentials.sd_jwt_verifier import VerifiedSDJWT, verify_sd_jwt

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
AUD = "https://verifier.example"
NONCE = "0bJcK2v1QW6hmZ"
TYP = "example+sd-jwt"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CLAIMS: dict[str, Any] = {
    "iss": ISS,
    "degree": {"title": "MSc", "ects": 120, "field": {"main": "CS", "minor": "Law"}},
    "skills": ["python", "cryptography", "law"],
    "awarding_body": {"name": "University of Helsinki", "country": "FI"},
}


def issue(claims: dict[str, Any], *, holder: bool = True) -> IssuedSDJWT:
    numbers = iter(range(10**9))
    return issue_sd_jwt(
        claims,
        issuer_key=ISSUER_KEY,
        typ=TYP,
        salt=lambda: f"salt-{next(numbers):018d}",
        holder_key=HOLDER_KEY.public if holder else None,
    )


def held(claims: dict[str, Any] | None = None, *, holder: bool = True) -> HeldSDJWT:
    marked = mark_all(CLAIMS if claims is None else claims, plain={"iss"})
    return open_sd_jwt(issue(marked, holder=holder).serialized)


def verify(text: str, *, required: bool = False) -> VerifiedSDJWT:
    return verify_sd_jwt(
        text,
        resolve_issuer_key=pinned_key(ISSUER_KEY.public, issuer=ISS),
        algorithms=["EdDSA", "ES256"],
        accepted_typ=[TYP],
        now=NOW,
        clock_tolerance=timedelta(seconds=60),
        key_binding=KeyBindingPolicy(required=required, audience=AUD, nonce=NONCE),
        plain_claims=["iss", "cnf"],
    )


def present(paths: list[str], **options: Any) -> VerifiedSDJWT:
    presentation = create_presentation(held(), disclose=paths, key_binding=None)
    return verify(presentation.serialized, **options)


def test_opening_a_stored_sd_jwt_gives_the_full_view() -> None:
    view = held()
    assert {k: v for k, v in view.claims.items() if k != "cnf"} == CLAIMS
    assert len(view.disclosures) == len(view.disclosed) == 13


def test_a_nested_path_discloses_its_parents_and_nothing_else() -> None:
    verified = present(["degree.title"])
    assert verified.claims["degree"] == {"title": "MSc"}
    assert set(verified.disclosed_paths) == {"degree", "degree.title"}
    assert "skills" not in verified.claims and "awarding_body" not in verified.claims


def test_a_path_discloses_everything_beneath_it() -> None:
    verified = present(["degree.field"])
    assert verified.claims["degree"] == {"field": {"main": "CS", "minor": "Law"}}


def test_an_array_index_discloses_that_element_only() -> None:
    assert present(["skills[2]"]).claims["skills"] == ["law"]


def test_a_wildcard_discloses_every_element() -> None:
    assert present(["skills[*]"]).claims["skills"] == ["python", "cryptography", "law"]


def test_several_paths_combine() -> None:
    verified = present(["degree.title", "skills[2]", "awarding_body.country"])
    assert {k: v for k, v in verified.claims.items() if k not in ("iss", "cnf")} == {
        "degree": {"title": "MSc"},
        "skills": ["law"],
        "awarding_body": {"country": "FI"},
    }


def test_no_path_presents_only_the_always_visible_claims() -> None:
    presentation = create_presentation(held(), disclose=[], key_binding=None)
    assert presentation.serialized.endswith("~")
    assert split_sd_jwt(presentation.serialized).disclosures == ()
    assert set(verify(presentation.serialized).claims) == {"iss", "cnf"}


def test_paths_to_always_visible_claims_need_no_disclosure() -> None:
    view = open_sd_jwt(issue({"iss": ISS, "degree": {"title": SD("MSc"), "ects": 120}}).serialized)
    assert select_disclosures(view, ["degree.ects", "iss"]) == ()
    assert [d.name for d in select_disclosures(view, ["degree"])] == ["title"]


def test_array_indices_follow_the_holders_view() -> None:
    view = open_sd_jwt(issue({"iss": ISS, "skills": ["a", SD("b"), "c"]}).serialized)
    assert [d.value for d in select_disclosures(view, ["skills[1]"])] == ["b"]
    assert select_disclosures(view, ["skills[2]"]) == ()


def test_selection_keeps_the_issuance_order() -> None:
    view = held()
    selected = select_disclosures(view, ["skills[2]", "degree.title"])
    positions = [view.disclosures.index(d) for d in selected]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "path", ["nope", "degree.nope", "skills[3]", "skills.name", "iss.x", "skills[*].x"]
)
def test_rejects_a_path_that_names_no_claim(path: str) -> None:
    with pytest.raises(CredentialError) as raised:
        select_disclosures(held(), [path])
    assert raised.value.code == "claim_path_not_found"


def test_a_malformed_path_is_misuse() -> None:
    with pytest.raises(ValueError):
        select_disclosures(held(), ["degree..title"])


def test_presents_with_a_key_binding_jwt() -> None:
    binding = HolderBinding(holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, issued_at=NOW)
    presentation = create_presentation(held(), disclose=["degree.title"], key_binding=binding)
    assert presentation.key_bound
    assert set(presentation.disclosed_paths) == {"degree", "degree.title"}
    verified = verify(presentation.serialized, required=True)
    assert verified.key_binding_verified and verified.claims["degree"] == {"title": "MSc"}


def test_refuses_to_key_bind_with_a_key_other_than_cnf() -> None:
    binding = HolderBinding(
        holder_key=generate_key("ES256"), audience=AUD, nonce=NONCE, issued_at=NOW
    )
    with pytest.raises(ValueError):
        create_presentation(held(), disclose=[], key_binding=binding)


def test_refuses_to_key_bind_a_credential_without_cnf() -> None:
    binding = HolderBinding(holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, issued_at=NOW)
    with pytest.raises(CredentialError) as raised:
        create_presentation(held(holder=False), disclose=[], key_binding=binding)
    assert raised.value.code == "holder_key_missing"


def test_rejects_opening_an_sd_jwt_that_carries_a_kb_jwt() -> None:
    binding = HolderBinding(holder_key=HOLDER_KEY, audience=AUD, nonce=NONCE, issued_at=NOW)
    presented = create_presentation(held(), disclose=[], key_binding=binding).serialized
    with pytest.raises(CredentialError) as raised:
        open_sd_jwt(presented)
    assert raised.value.code == "kb_unexpected"


def test_opening_applies_the_verifiers_structure_rules() -> None:
    issued = issue(mark_all(CLAIMS, plain={"iss"}))
    text = issued.serialized + issued.disclosures[0].encoded + "~"
    with pytest.raises(CredentialError) as raised:
        open_sd_jwt(text)
    assert raised.value.code == "disclosure_duplicate"
