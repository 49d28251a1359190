"""SD-JWT building blocks (RFC 9901 §4, §4.2): Disclosures, digests, serialization, claim paths.

Expected values are the worked examples of RFC 9901 §4.2.1-§4.2.3.
"""

import json

import pytest

from credentials.errors import CredentialError
from credentials.sd_jwt import (
    DIGEST_SIZES,
    CompactSDJWT,
    digest,
    flatten_claims,
    format_claim_path,
    is_digest,
    join_sd_jwt,
    make_disclosure,
    parse_claim_path,
    parse_disclosure,
    sd_alg_of,
    split_sd_jwt,
)

RFC_DISCLOSURE = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
RFC_DIGEST = "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"
RFC_VARIANTS = [
    # §4.2.1: the same claim, encoded three other ways; each is valid and has its own digest.
    "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNXHUwMGY2Yml1cyJd",
    "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsImZhbWlseV9uYW1lIiwiTcO2Yml1cyJd",
    "WwoiXzI2YmM0TFQtYWM2cTJLSTZjQlc1ZXMiLAoiZmFtaWx5X25hbWUiLAoiTcO2Yml1cyIKXQ",
]
JWT = "eyJhbGciOiJFUzI1NiJ9.eyJfc2RfYWxnIjoic2hhLTI1NiJ9.c2ln"


def test_creates_the_rfc_object_property_disclosure() -> None:
    def serialize(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    made = make_disclosure("_26bc4LT-ac6q2KI6cBW5es", "family_name", "Möbius", serialize=serialize)
    assert made.encoded == RFC_DISCLOSURE
    assert made.digest("sha-256") == RFC_DIGEST


def test_creates_the_rfc_array_element_disclosure() -> None:
    made = make_disclosure("lklxF5jMYlGTPUovMNIvCA", None, "FR", serialize=json.dumps)
    assert made.encoded == "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0"
    assert made.is_array_element


def test_digest_is_over_the_encoded_disclosure_not_its_bytes() -> None:
    assert digest(RFC_DISCLOSURE, "sha-256") == RFC_DIGEST


@pytest.mark.parametrize("encoded", RFC_VARIANTS)
def test_parses_every_valid_encoding_of_a_disclosure(encoded: str) -> None:
    parsed = parse_disclosure(encoded)
    assert (parsed.salt, parsed.name, parsed.value) == (
        "_26bc4LT-ac6q2KI6cBW5es",
        "family_name",
        "Möbius",
    )
    assert parsed.digest("sha-256") != RFC_DIGEST


def test_disclosures_are_equal_when_their_encodings_are() -> None:
    assert parse_disclosure(RFC_DISCLOSURE) == parse_disclosure(RFC_DISCLOSURE)
    assert parse_disclosure(RFC_DISCLOSURE) != parse_disclosure(RFC_VARIANTS[0])
    assert len({parse_disclosure(RFC_DISCLOSURE), parse_disclosure(RFC_DISCLOSURE)}) == 1


@pytest.mark.parametrize("name", ["_sd", "...", "_sd_alg"])
def test_making_a_disclosure_for_a_reserved_name_is_misuse(name: str) -> None:
    with pytest.raises(ValueError):
        make_disclosure("_26bc4LT-ac6q2KI6cBW5es", name, 1)


@pytest.mark.parametrize(("sd_alg", "size"), [("sha-256", 32), ("sha-384", 48), ("sha-512", 64)])
def test_digests_have_the_size_of_their_algorithm(sd_alg: str, size: int) -> None:
    value = digest(RFC_DISCLOSURE, sd_alg)  # type: ignore[arg-type]
    assert DIGEST_SIZES[sd_alg] == size
    assert is_digest(value, sd_alg)  # type: ignore[arg-type]
    assert not is_digest(value + "A", sd_alg)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["sha-256", "sha-384", "sha-512"])
def test_reads_a_supported_sd_alg(value: str) -> None:
    assert sd_alg_of({"_sd_alg": value}) == value


def test_sd_alg_defaults_to_sha_256() -> None:
    assert sd_alg_of({}) == "sha-256"


@pytest.mark.parametrize("value", ["sha-1", "md5", "sha-256-32", "Sha-256", None, ["sha-256"]])
def test_rejects_unsupported_sd_alg(value: object) -> None:
    with pytest.raises(CredentialError) as raised:
        sd_alg_of({"_sd_alg": value})
    assert raised.value.code == "sd_alg_unsupported"


def test_splits_an_sd_jwt_without_key_binding() -> None:
    parts = split_sd_jwt(f"{JWT}~{RFC_DISCLOSURE}~")
    assert parts == CompactSDJWT(JWT, (RFC_DISCLOSURE,), None)
    assert parts.sd_jwt == f"{JWT}~{RFC_DISCLOSURE}~"


def test_splits_an_sd_jwt_with_key_binding() -> None:
    parts = split_sd_jwt(f"{JWT}~{RFC_DISCLOSURE}~{JWT}")
    assert parts.kb_jwt == JWT and parts.sd_jwt == f"{JWT}~{RFC_DISCLOSURE}~"


def test_splits_an_sd_jwt_without_disclosures() -> None:
    assert split_sd_jwt(f"{JWT}~") == CompactSDJWT(JWT, (), None)
    assert split_sd_jwt(f"{JWT}~{JWT}") == CompactSDJWT(JWT, (), JWT)


def test_join_is_the_inverse_of_split() -> None:
    for text in (f"{JWT}~", f"{JWT}~{RFC_DISCLOSURE}~", f"{JWT}~{RFC_DISCLOSURE}~{JWT}"):
        parts = split_sd_jwt(text)
        assert join_sd_jwt(parts.issuer_jwt, parts.disclosures, parts.kb_jwt) == text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (JWT, "sd_jwt_malformed"),
        (f"{JWT}~{RFC_DISCLOSURE}", "sd_jwt_malformed"),
        (f"abc~{RFC_DISCLOSURE}~", "sd_jwt_malformed"),
        (f"{JWT}~~", "disclosure_malformed"),
        (f"{JWT}~{JWT}~", "disclosure_malformed"),
        (f"{JWT}~ü~", "sd_jwt_malformed"),
    ],
    ids=[
        "no-tilde",
        "no-final-tilde",
        "not-a-jws",
        "empty-disclosure",
        "jws-as-disclosure",
        "non-ascii",
    ],
)
def test_rejects_malformed_serialization(text: str, code: str) -> None:
    with pytest.raises(CredentialError) as raised:
        split_sd_jwt(text)
    assert raised.value.code == code


def test_rejects_too_many_disclosures_before_decoding_them() -> None:
    with pytest.raises(CredentialError) as raised:
        split_sd_jwt(JWT + "~x" * 1001 + "~")
    assert raised.value.code == "too_many_disclosures"


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("degree", ("degree",)),
        ("degree.title", ("degree", "title")),
        ("skills[2]", ("skills", 2)),
        ("awarding_body.country", ("awarding_body", "country")),
        ("a.b[0][1].c", ("a", "b", 0, 1, "c")),
        ("nationalities[*]", ("nationalities", "*")),
        ("age_equal_or_over.18", ("age_equal_or_over", "18")),
        ("vct#integrity", ("vct#integrity",)),
    ],
)
def test_parses_claim_paths(text: str, path: tuple[str | int, ...]) -> None:
    assert parse_claim_path(text) == path
    if "*" not in text:
        assert format_claim_path(path) == text


@pytest.mark.parametrize("text", ["", ".a", "a.", "a..b", "[0]", "a[x]", "a[-1]", "a[0", "a]"])
def test_rejects_malformed_claim_paths(text: str) -> None:
    with pytest.raises(ValueError):
        parse_claim_path(text)


def test_takes_sequences_as_claim_paths_for_names_with_dots() -> None:
    assert parse_claim_path(["a.b", 0]) == ("a.b", 0)
    with pytest.raises(ValueError):
        parse_claim_path([])
    with pytest.raises(ValueError):
        parse_claim_path(["a", True])


def test_flattens_claims_to_display_rows() -> None:
    claims = {"a": {"b": [1, {"c": None}]}, "d": {}, "e": []}
    assert flatten_claims(claims) == (("a.b[0]", 1), ("a.b[1].c", None), ("d", {}), ("e", []))
