"""The credential type registry, its JSON Schema files and ``vct`` identifiers."""

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

import schemas
from schemas import (
    SLUGS,
    UnknownCredentialType,
    credential_type,
    credential_types,
    example_claims,
    slug_from_vct,
    vct_for,
)

BASE = "https://taito.example"


def _subschemas(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _subschemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _subschemas(value)


def test_all_names_in_dunder_all_exist() -> None:
    missing = [name for name in schemas.__all__ if not hasattr(schemas, name)]
    assert missing == []


def test_registry_lists_the_five_types_in_order() -> None:
    assert [t.slug for t in credential_types()] == list(SLUGS)
    assert SLUGS == (
        "qualification",
        "study_attainment",
        "competence",
        "work_experience",
        "prior_learning_recognition",
    )
    assert all(t.version == 1 for t in credential_types())


@pytest.mark.parametrize("slug", SLUGS)
def test_every_schema_is_a_valid_draft_2020_12_schema(slug: str) -> None:
    schema = credential_type(slug).schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_object_in_every_schema_forbids_additional_properties(slug: str) -> None:
    for node in _subschemas(credential_type(slug).schema):
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, node


@pytest.mark.parametrize("slug", SLUGS)
def test_every_string_and_array_is_bounded(slug: str) -> None:
    for node in _subschemas(credential_type(slug).schema):
        if node.get("type") == "string":
            pattern = str(node.get("pattern", ""))
            fixed = pattern.startswith("^") and pattern.endswith("$") and "*" not in pattern
            assert "maxLength" in node or node.get("format") == "date" or fixed, node
            assert node.get("maxLength", 0) <= 1000
        if node.get("type") == "array":
            assert node.get("maxItems", 10**9) <= 200, node


@pytest.mark.parametrize("slug", SLUGS)
def test_every_type_carries_the_minimal_personal_claims_and_no_identity_code(slug: str) -> None:
    schema = credential_type(slug).schema
    props = schema["properties"]
    assert {"given_name", "family_name", "birth_date"} <= set(props)
    assert {"given_name", "family_name"} <= set(schema["required"])
    assert "birth_date" not in schema["required"]
    names = {key for node in _subschemas(schema) for key in node.get("properties", {})}
    for forbidden in ("hetu", "henkilotunnus", "personal_identity_code", "ssn", "national_id"):
        assert forbidden not in names


def test_shared_definitions_are_identical_across_type_schemas() -> None:
    seen: dict[str, Any] = {}
    for item in credential_types():
        for name, definition in item.schema["$defs"].items():
            assert seen.setdefault(name, definition) == definition, name


def test_unknown_slug_raises_unknown_credential_type() -> None:
    with pytest.raises(UnknownCredentialType) as info:
        credential_type("passport")
    assert info.value.code == "unknown_credential_type"


def test_vct_is_a_versioned_https_url_on_the_instance() -> None:
    assert vct_for("qualification", base_url=BASE) == f"{BASE}/types/qualification/v1"
    assert vct_for("qualification", base_url=BASE + "/") == f"{BASE}/types/qualification/v1"
    assert vct_for("work_experience", base_url=BASE + "/taito") == (
        f"{BASE}/taito/types/work_experience/v1"
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_vct_round_trips_to_the_slug(slug: str) -> None:
    assert slug_from_vct(vct_for(slug, base_url=BASE), base_url=BASE) == slug


@pytest.mark.parametrize(
    "vct",
    [
        "https://other.example/types/qualification/v1",
        f"{BASE}/types/qualification/v2",
        f"{BASE}/types/Qualification/v1",
        f"{BASE}/types/qualification/v1/",
        f"{BASE}/types/qualification",
        "qualification",
        "",
    ],
)
def test_slug_from_vct_rejects_a_vct_that_is_not_exactly_ours(vct: str) -> None:
    with pytest.raises(UnknownCredentialType) as info:
        slug_from_vct(vct, base_url=BASE)
    assert info.value.code == "unknown_credential_type"


@pytest.mark.parametrize(
    "base_url",
    ["http://taito.example", "taito.example", "https://", "https://a.example/?x=1", "https://a b"],
)
def test_vct_for_rejects_a_base_url_that_is_not_plain_https(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        vct_for("qualification", base_url=base_url)


@pytest.mark.parametrize("slug", SLUGS)
def test_examples_are_fresh_copies(slug: str) -> None:
    first = example_claims(slug)
    first["given_name"] = "changed"
    assert example_claims(slug)["given_name"] != "changed"


def test_disclosable_paths_are_those_with_sd_always() -> None:
    item = credential_type("qualification")
    always = {tuple(c["path"]) for c in item.metadata["claims"] if c["sd"] == "always"}
    assert set(item.disclosable) == always
    assert ("given_name",) in item.disclosable
    assert ("skills", None) in item.disclosable
