"""Issuing SD-JWTs (RFC 9901 §4.2.4-§4.2.6) and choosing what is disclosable.

Salts come from a counter, decoys from a list: the core takes its randomness as parameters.
Key: the RFC 8037 Ed25519 example key (issuer), the RFC 9901 A.5 P-256 key (holder).
"""

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.jws import parse_compact, payload_object
from credentials.kb_jwt import KeyBindingPolicy
from credentials.keys import private_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.sd_jwt import ClaimPath, SDAlg, digest, is_digest
from credentials.sd_jwt_disclosable import SD, mark_all, mark_paths
from credentials.sd_jwt_issuer import (
    SECURITY_CRITICAL_CLAIMS,
    IssuedSDJWT,
    issue_sd_jwt,
    random_decoys,
    random_salt,
)
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
TYP = "example+sd-jwt"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CLAIMS: dict[str, Any] = {
    "iss": ISS,
    "iat": int(NOW.timestamp()) - 60,
    "degree": {"title": "MSc Computer Science", "ects": 120},
    "skills": ["python", "cryptography", "law"],
    "awarding_body": {"name": "University of Helsinki", "country": "FI"},
}


def counter_salts() -> Callable[[], str]:
    numbers: Iterator[int] = iter(range(10**9))
    return lambda: f"salt-{next(numbers):018d}"


def issue(claims: dict[str, Any], **overrides: Any) -> IssuedSDJWT:
    options: dict[str, Any] = {"issuer_key": ISSUER_KEY, "typ": TYP, "salt": counter_salts()}
    return issue_sd_jwt(claims, **(options | overrides))


def verify(text: str) -> VerifiedSDJWT:
    return verify_sd_jwt(
        text,
        resolve_issuer_key=pinned_key(ISSUER_KEY.public, issuer=ISS),
        algorithms=["EdDSA"],
        accepted_typ=[TYP],
        now=NOW,
        clock_tolerance=timedelta(seconds=60),
        key_binding=KeyBindingPolicy(required=False, audience=None, nonce=None),
        plain_claims=SECURITY_CRITICAL_CLAIMS,
    )


def test_replaces_marked_properties_by_sorted_digests() -> None:
    issued = issue({"iss": ISS, "b": SD(2), "a": SD(1), "c": 3})
    digests = issued.payload["_sd"]
    assert digests == sorted(digests) and len(digests) == 2
    assert {d.digest("sha-256") for d in issued.disclosures} == set(digests)
    assert list(issued.payload) == ["_sd", "iss", "c", "_sd_alg"]
    assert issued.payload["_sd_alg"] == "sha-256"


def test_replaces_marked_array_elements_in_place() -> None:
    issued = issue({"iss": ISS, "skills": ["python", SD("law"), "go"]})
    skills = issued.payload["skills"]
    assert skills[0] == "python" and skills[2] == "go"
    assert list(skills[1]) == ["..."]
    assert issued.disclosures[0].name is None and issued.disclosures[0].value == "law"
    assert verify(issued.serialized).claims["skills"] == ["python", "law", "go"]


def test_nests_disclosures_recursively() -> None:
    issued = issue({"iss": ISS, "degree": SD({"title": SD("MSc"), "ects": 120})})
    title, degree = issued.disclosures
    assert title.name == "title"
    assert degree.value == {"_sd": [title.digest("sha-256")], "ects": 120}
    assert verify(issued.serialized).claims["degree"] == {"ects": 120, "title": "MSc"}


def test_signs_with_typ_alg_and_extra_header_parameters() -> None:
    issued = issue(CLAIMS, header={"kid": "key-1"})
    assert parse_compact(issued.issuer_jwt).header == {"alg": "EdDSA", "typ": TYP, "kid": "key-1"}
    assert issued.header == {"alg": "EdDSA", "typ": TYP, "kid": "key-1"}


@pytest.mark.parametrize("header", [{"typ": "JWT"}, {"alg": "none"}])
def test_typ_and_alg_are_not_header_parameters(header: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        issue(CLAIMS, header=header)


def test_binds_the_holder_key_in_cnf_with_its_public_members_only() -> None:
    issued = issue(CLAIMS, holder_key=HOLDER_KEY.public)
    assert issued.payload["cnf"] == {
        "jwk": {k: HOLDER_KEY.public.jwk[k] for k in ("kty", "crv", "x", "y")}
    }
    assert list(issued.payload)[-2:] == ["_sd_alg", "cnf"]


def test_refuses_a_holder_key_and_a_cnf_claim_together() -> None:
    with pytest.raises(ValueError):
        issue({**CLAIMS, "cnf": {"jwk": {}}}, holder_key=HOLDER_KEY.public)


@pytest.mark.parametrize("sd_alg", ["sha-384", "sha-512"])
def test_digests_with_the_chosen_sd_alg(sd_alg: SDAlg) -> None:
    issued = issue(mark_all(CLAIMS, plain=SECURITY_CRITICAL_CLAIMS | {"iat"}), sd_alg=sd_alg)
    assert issued.payload["_sd_alg"] == sd_alg
    assert all(is_digest(d, sd_alg) for d in issued.payload["_sd"])
    assert verify(issued.serialized).claims == CLAIMS


def test_refuses_an_unsupported_sd_alg() -> None:
    with pytest.raises(ValueError):
        issue(CLAIMS, sd_alg="sha-1")


def test_adds_injected_decoys_to_objects_and_arrays_sorted_among_real_digests() -> None:
    decoy_values = iter(digest(f"decoy-{i}", "sha-256") for i in range(100))
    seen: list[tuple[ClaimPath, bool]] = []

    def decoys(path: ClaimPath, *, in_array: bool) -> list[str]:
        seen.append((path, in_array))
        return [next(decoy_values), next(decoy_values)]

    issued = issue({"iss": ISS, "a": SD(1), "list": [SD("x")]}, decoys=decoys)
    assert len(issued.payload["_sd"]) == 3 and issued.payload["_sd"] == sorted(
        issued.payload["_sd"]
    )
    assert len(issued.payload["list"]) == 3
    assert len(issued.decoy_digests) == 4
    assert seen == [(("list",), True), ((), False)]
    assert verify(issued.serialized).claims == {"iss": ISS, "a": 1, "list": ["x"]}


def test_never_puts_decoys_beneath_claims_that_stay_plain() -> None:
    seen: list[ClaimPath] = []

    def decoys(path: ClaimPath, *, in_array: bool) -> list[str]:
        seen.append(path)
        return []

    issue({"iss": ISS, "cnf": {"jwk": {"kty": "OKP"}}, "aud": ["a"]}, decoys=decoys)
    assert seen == [()]


@pytest.mark.parametrize("decoy", ["short", digest("x", "sha-512"), 42])
def test_refuses_a_malformed_decoy(decoy: object) -> None:
    with pytest.raises(ValueError):
        issue(CLAIMS, decoys=lambda path, *, in_array: [decoy])


def test_refuses_a_decoy_that_repeats_a_digest() -> None:
    value = digest("decoy", "sha-256")
    with pytest.raises(ValueError):
        issue({"iss": ISS, "a": {"b": 1}}, decoys=lambda path, *, in_array: [value])


def test_refuses_a_reused_salt() -> None:
    with pytest.raises(ValueError):
        issue({"iss": ISS, "a": SD(1), "b": SD(2)}, salt=lambda: "the-same-salt-every-time")


@pytest.mark.parametrize("salt", ["short", 1234567890123456789])
def test_refuses_a_short_or_non_string_salt(salt: object) -> None:
    with pytest.raises(ValueError):
        issue({"iss": ISS, "a": SD(1)}, salt=lambda: salt)


@pytest.mark.parametrize("name", sorted(SECURITY_CRITICAL_CLAIMS))
def test_refuses_to_make_a_security_critical_claim_disclosable(name: str) -> None:
    with pytest.raises(ValueError):
        issue({"iss": ISS, name: SD("x")} if name != "iss" else {"iss": SD(ISS)})


def test_refuses_a_disclosable_member_beneath_a_plain_claim() -> None:
    with pytest.raises(ValueError):
        issue({"iss": ISS, "cnf": {"jwk": {"kty": SD("EC")}}})
    with pytest.raises(ValueError):
        issue({"iss": ISS, "aud": ["a", SD("b")]})


@pytest.mark.parametrize("name", ["_sd", "...", "_sd_alg"])
def test_refuses_reserved_names_among_the_claims(name: str) -> None:
    with pytest.raises(ValueError):
        issue({"iss": ISS, "nested": {name: 1}})


@pytest.mark.parametrize(
    "value",
    [SD(SD(1)), datetime(2020, 1, 1), math.nan, math.inf, (1, 2), {1: "x"}, b"bytes"],
    ids=["double-marker", "datetime", "nan", "inf", "tuple", "int-key", "bytes"],
)
def test_refuses_values_that_are_not_json(value: object) -> None:
    with pytest.raises(TypeError):
        issue({"iss": ISS, "a": SD(value) if not isinstance(value, SD) else value})


def test_refuses_more_than_1000_disclosures() -> None:
    with pytest.raises(ValueError):
        issue({"iss": ISS, "many": [SD(i) for i in range(1001)]})


def test_refuses_an_sd_jwt_larger_than_256_kib() -> None:
    with pytest.raises(ValueError):
        issue({"iss": ISS, "blob": SD("x" * 300_000)})


def test_marks_claims_by_path() -> None:
    marked = mark_paths(CLAIMS, ["degree.title", "skills[2]", "awarding_body.country"])
    assert marked["degree"] == {"title": SD("MSc Computer Science"), "ects": 120}
    assert marked["skills"] == ["python", "cryptography", SD("law")]
    assert marked["awarding_body"]["country"] == SD("FI")
    assert CLAIMS["degree"]["title"] == "MSc Computer Science"
    issued = issue(marked)
    assert [d.name for d in issued.disclosures] == ["title", None, "country"]
    assert verify(issued.serialized).claims == CLAIMS


def test_marks_nested_paths_recursively_and_every_element_with_a_wildcard() -> None:
    marked = mark_paths(CLAIMS, ["degree", "degree.title", "skills[*]"])
    assert marked["degree"] == SD({"title": SD("MSc Computer Science"), "ects": 120})
    assert marked["skills"] == [SD("python"), SD("cryptography"), SD("law")]


@pytest.mark.parametrize("path", ["nope", "degree.nope", "skills[3]", "degree[0]", "skills.x"])
def test_refuses_a_path_that_names_no_claim(path: str) -> None:
    with pytest.raises(ValueError):
        mark_paths(CLAIMS, [path])


def test_refuses_to_mark_a_plain_claim_by_path() -> None:
    with pytest.raises(ValueError):
        issue(mark_paths({**CLAIMS, "exp": 1}, ["exp"]))


def test_marks_everything_at_every_depth_except_plain_claims() -> None:
    marked = mark_all(
        {"iss": ISS, "cnf": {"jwk": {"kty": "OKP"}}, "degree": {"title": "MSc", "ects": [60]}},
        plain={"iss", "cnf"},
    )
    assert marked == {
        "iss": ISS,
        "cnf": {"jwk": {"kty": "OKP"}},
        "degree": SD({"title": SD("MSc"), "ects": SD([SD(60)])}),
    }


def test_everything_disclosable_round_trips_to_the_original_claims() -> None:
    issued = issue(mark_all(CLAIMS, plain={"iss", "iat"}))
    assert len(issued.disclosures) == 10
    assert list(issued.payload) == ["_sd", "iss", "iat", "_sd_alg"]
    assert verify(issued.serialized).claims == CLAIMS


def test_the_issued_payload_is_the_signed_payload() -> None:
    issued = issue(mark_all(CLAIMS, plain={"iss"}))
    assert payload_object(parse_compact(issued.issuer_jwt)) == issued.payload


def test_random_salts_carry_128_bits_and_differ() -> None:
    salts = {random_salt() for _ in range(50)}
    assert len(salts) == 50
    assert all(len(s) == 22 for s in salts)


def test_random_decoys_stay_within_bounds_and_skip_arrays_unless_asked() -> None:
    source = random_decoys(minimum=2, maximum=3)
    counts = {len(source((), in_array=False)) for _ in range(40)}
    assert counts <= {2, 3}
    assert source(("list",), in_array=True) == ()
    assert len(random_decoys(minimum=1, maximum=1, arrays=True)(("l",), in_array=True)) == 1
    assert all(is_digest(d, "sha-512") for d in random_decoys(sd_alg="sha-512")((), in_array=False))
    with pytest.raises(ValueError):
        random_decoys(minimum=3, maximum=2)
