"""The compiled JSON Schema validator and jsonschema agree on every accept and every reject.

The compiled validator decides (:func:`schemas.validation.schema_accepts`); jsonschema only words
the errors of a document it rejects. Were they to disagree, a document one accepts would be
refused (or worse, accepted) for no reason an issuer could read, so they are compared over each
type's example and thousands of documents derived from it by breaking one thing at a time.
"""

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import schemas
from schemas.registry import SLUGS
from schemas.validation import _validator, schema_accepts, validate_claims

TYPES = Path(schemas.__file__).with_name("types")
BROKEN_VALUES: tuple[Any, ...] = (
    None,
    12345,
    -1,
    2.5,
    True,
    "",
    "x" * 5000,
    "tab\there",
    "2024-02-30",
    "2024-1-01",
    "not a uri",
    "http:///no-host",
    "https://example.fi/ok",
    "1999-12-31",
    [],
    ["a"],
    {},
    {"unknown": 1},
    10**30,
)


def example(slug: str) -> Any:
    return json.loads((TYPES / f"{slug}.example.json").read_text("utf-8"))


def paths(value: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield where
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*where, index))


def replaced(document: Any, where: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    if not where:
        return value
    parent = changed
    for step in where[:-1]:
        parent = parent[step]
    parent[where[-1]] = value
    return changed


def found_at(document: Any, where: tuple[Any, ...]) -> Any:
    for step in where:
        document = document[step]
    return document


def removed(document: Any, where: tuple[Any, ...]) -> Any:
    changed = copy.deepcopy(document)
    parent = changed
    for step in where[:-1]:
        parent = parent[step]
    del parent[where[-1]]
    return changed


def broken_documents(slug: str) -> Iterator[Any]:
    document = example(slug)
    for where in paths(document):
        for value in BROKEN_VALUES:
            yield replaced(document, where, value)
        if where:
            yield removed(document, where)
        if isinstance(found_at(document, where), dict):
            yield replaced(document, (*where, "not_a_claim"), "x")


def jsonschema_accepts(slug: str, document: Any) -> bool:
    return not any(True for _ in _validator(slug).iter_errors(document))


@pytest.mark.parametrize("slug", SLUGS)
def test_both_validators_accept_every_types_example(slug: str) -> None:
    assert schema_accepts(slug, example(slug)) is True
    assert jsonschema_accepts(slug, example(slug)) is True


@pytest.mark.parametrize("slug", SLUGS)
def test_both_validators_agree_on_documents_broken_one_thing_at_a_time(slug: str) -> None:
    documents = list(broken_documents(slug))
    assert len(documents) > 100
    rejected = 0
    for document in documents:
        expected = jsonschema_accepts(slug, document)
        assert schema_accepts(slug, document) is expected, json.dumps(document)[:300]
        rejected += not expected
    assert rejected > len(documents) // 2


@pytest.mark.parametrize("slug", SLUGS)
def test_a_rejected_document_is_worded_by_jsonschema_as_before(slug: str) -> None:
    document = replaced(example(slug), (), {**example(slug), "not_a_claim": 1})
    violations = validate_claims(slug, document)
    assert [(v.pointer, v.code) for v in violations] == [("/not_a_claim", "schema_violation")]


def accepted_as_disclosed(slug: str, document: Any) -> bool:
    """What a presentation's check accepted before the compiled presentation validator:
    jsonschema with every "required but missing" error forgiven."""
    return not any(e.validator != "required" for e in _validator(slug).iter_errors(document))


@pytest.mark.parametrize("slug", SLUGS)
def test_the_presentation_validator_forgives_exactly_the_missing_claims(slug: str) -> None:
    # Every document broken one thing at a time, and each with a claim removed at every depth
    # (what an undisclosed claim looks like): the compiled validator without `required`
    # accepts exactly what jsonschema accepts once its missing-claim errors are forgiven.
    documents = list(broken_documents(slug))
    documents += [removed(example(slug), where) for where in paths(example(slug)) if where]
    forgiven = refused = 0
    for document in documents:
        expected = accepted_as_disclosed(slug, document)
        assert schema_accepts(slug, document, disclosed_only=True) is expected, json.dumps(
            document
        )[:300]
        forgiven += expected and not jsonschema_accepts(slug, document)
        refused += not expected
    assert forgiven > 0 and refused > len(documents) // 3


@pytest.mark.parametrize("slug", SLUGS)
def test_a_presentation_missing_claims_passes_but_a_wrong_disclosed_value_does_not(
    slug: str,
) -> None:
    document = example(slug)
    first = next(iter(document))
    kept = {first: document[first]}
    assert validate_claims(slug, kept, disclosed_only=True) == []
    assert validate_claims(slug, kept) != []
    wrong = {first: 12345 if isinstance(document[first], str) else "x"}
    violations = validate_claims(slug, wrong, disclosed_only=True)
    assert [(v.pointer, v.code) for v in violations] == [(f"/{first}", "schema_violation")]


def test_a_claim_named_required_is_kept_when_the_keyword_is_removed() -> None:
    from schemas.validation import without_required

    schema = {
        "type": "object",
        "required": ["required"],
        "properties": {"required": {"type": "object", "required": ["a"]}},
        "$defs": {"x": {"anyOf": [{"required": ["b"]}]}},
    }
    assert without_required(schema) == {
        "type": "object",
        "properties": {"required": {"type": "object"}},
        "$defs": {"x": {"anyOf": [{}]}},
    }
