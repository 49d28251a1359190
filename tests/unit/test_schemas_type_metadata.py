"""SD-JWT VC Type Metadata documents and claim labels of every credential type."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from schemas import (
    SLUGS,
    UnknownCredentialType,
    claim_label,
    credential_type,
    default_disclosable_paths,
    type_display_name,
    type_metadata,
    vct_for,
)

BASE = "https://taito.example"
LOCALES = ["fi", "sv", "en"]


def _schema_paths(schema: dict[str, Any]) -> Iterator[tuple[str | None, ...]]:
    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        return node

    def walk(
        node: dict[str, Any], path: tuple[str | None, ...]
    ) -> Iterator[tuple[str | None, ...]]:
        for name, sub in resolve(node).get("properties", {}).items():
            here = (*path, name)
            yield here
            sub = resolve(sub)
            if sub.get("type") == "object":
                yield from walk(sub, here)
            if sub.get("type") == "array":
                yield (*here, None)
                yield from walk(resolve(sub["items"]), (*here, None))

    return walk(schema, ())


@pytest.mark.parametrize("slug", SLUGS)
def test_type_metadata_has_the_members_of_the_spec(slug: str) -> None:
    doc = type_metadata(slug, base_url=BASE)
    assert doc["vct"] == vct_for(slug, base_url=BASE)
    assert isinstance(doc["name"], str) and isinstance(doc["description"], str)
    assert [d["locale"] for d in doc["display"]] == LOCALES
    assert all(d["name"] and d["description"] for d in doc["display"])
    json.dumps(doc)  # served as application/json


@pytest.mark.parametrize("slug", SLUGS)
def test_every_claim_has_a_label_in_finnish_swedish_and_english(slug: str) -> None:
    for claim in type_metadata(slug, base_url=BASE)["claims"]:
        assert [d["locale"] for d in claim["display"]] == LOCALES, claim["path"]
        assert all(d["label"].strip() for d in claim["display"]), claim["path"]


@pytest.mark.parametrize("slug", SLUGS)
def test_every_schema_claim_has_claim_metadata_and_nothing_else_does(slug: str) -> None:
    claims = type_metadata(slug, base_url=BASE)["claims"]
    described = [tuple(c["path"]) for c in claims]
    assert len(described) == len(set(described))
    assert set(described) == set(_schema_paths(dict(credential_type(slug).schema)))


@pytest.mark.parametrize("slug", SLUGS)
def test_claim_metadata_is_well_formed(slug: str) -> None:
    schema = credential_type(slug).schema
    for claim in type_metadata(slug, base_url=BASE)["claims"]:
        path = claim["path"]
        assert path and all(p is None or isinstance(p, str) for p in path)
        assert claim["sd"] in ("always", "allowed", "never")
        if claim.get("mandatory"):
            assert len(path) == 1 and path[0] in schema["required"]
    mandatory = {
        c["path"][0] for c in type_metadata(slug, base_url=BASE)["claims"] if c.get("mandatory")
    }
    assert mandatory == set(schema["required"])


@pytest.mark.parametrize("slug", SLUGS)
def test_top_level_claims_and_array_elements_are_always_disclosable(slug: str) -> None:
    paths = set(default_disclosable_paths(slug))
    for claim in type_metadata(slug, base_url=BASE)["claims"]:
        path = tuple(claim["path"])
        top = len(path) == 1 or (len(path) == 2 and path[1] is None)
        assert (path in paths) == top
        assert claim["sd"] == ("always" if top else "allowed")


def test_evaluation_and_reason_for_ending_are_separately_disclosable() -> None:
    paths = default_disclosable_paths("work_experience")
    assert ("evaluation",) in paths and ("reason_for_ending",) in paths
    assert ("given_name",) in paths and ("birth_date",) in paths


def test_type_metadata_hands_out_a_copy() -> None:
    doc = type_metadata("competence", base_url=BASE)
    doc["claims"].clear()
    doc["display"][0]["name"] = "changed"
    again = type_metadata("competence", base_url=BASE)
    assert again["claims"] and again["display"][0]["name"] == "Osaaminen"


def test_claim_label_in_each_language_with_fallback_to_english() -> None:
    assert claim_label("work_experience", ["employer", "business_id"], "fi") == "Y-tunnus"
    assert claim_label("work_experience", ["employer", "business_id"], "sv") == "FO-nummer"
    assert claim_label("work_experience", ["employer", "business_id"], "en") == "Business ID"
    assert claim_label("work_experience", ["employer", "business_id"], "sv-FI") == "FO-nummer"
    assert claim_label("work_experience", ["employer", "business_id"], "de") == "Business ID"
    assert claim_label("qualification", ("given_name",), "FI_fi") == "Etunimet"


def test_claim_label_addresses_array_elements_by_index_or_null() -> None:
    assert claim_label("qualification", ("skills", 3, "label"), "fi") == "Taidon nimi"
    assert claim_label("qualification", ("skills", None, "label"), "en") == "Skill name"
    assert claim_label("work_experience", ("tasks", 0), "sv") == "Arbetsuppgift"


def test_claim_label_of_an_unknown_claim_is_none() -> None:
    assert claim_label("qualification", ("iss",), "fi") is None
    assert claim_label("qualification", ("skills", "x"), "fi") is None


def test_type_display_name_in_each_language() -> None:
    assert type_display_name("work_experience", "fi") == "Työtodistus"
    assert type_display_name("work_experience", "sv") == "Arbetsintyg"
    assert type_display_name("prior_learning_recognition", "en-GB") == (
        "Recognition of prior learning"
    )


def test_unknown_slug_raises_unknown_credential_type() -> None:
    with pytest.raises(UnknownCredentialType) as info:
        claim_label("nope", ("given_name",), "fi")
    assert info.value.code == "unknown_credential_type"
