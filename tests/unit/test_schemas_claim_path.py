"""Claim path processing (SD-JWT VC, "Processing of path") and JSON Pointers."""

from typing import Any

import pytest

from schemas import ClaimPathError, json_pointer, select_claims

# The example credential of SD-JWT VC, "Claim Path".
CREDENTIAL: dict[str, Any] = {
    "vct": "https://betelgeuse.example.com/education_credential/v42",
    "name": "Arthur Dent",
    "address": {"street_address": "42 Market Street", "city": "Milliways", "postal_code": "12345"},
    "degrees": [
        {"type": "Bachelor of Science", "university": "University of Betelgeuse"},
        {"type": "Master of Science", "university": "University of Betelgeuse"},
    ],
    "nationalities": ["British", "Betelgeusian"],
}


def test_selects_the_spec_examples() -> None:
    assert select_claims(CREDENTIAL, ["name"]) == [("/name", "Arthur Dent")]
    assert select_claims(CREDENTIAL, ["address", "street_address"]) == [
        ("/address/street_address", "42 Market Street")
    ]
    assert select_claims(CREDENTIAL, ["degrees", None, "type"]) == [
        ("/degrees/0/type", "Bachelor of Science"),
        ("/degrees/1/type", "Master of Science"),
    ]
    assert select_claims(CREDENTIAL, ["nationalities", 1]) == [("/nationalities/1", "Betelgeusian")]


def test_missing_keys_and_indices_select_nothing() -> None:
    assert select_claims(CREDENTIAL, ["email"]) == []
    assert select_claims(CREDENTIAL, ["nationalities", 5]) == []


@pytest.mark.parametrize(
    "path", [["name", "first"], ["address", None], ["address", 0], ["degrees", "type"]]
)
def test_rejects_a_component_applied_to_the_wrong_json_type(path: list[Any]) -> None:
    with pytest.raises(ClaimPathError) as info:
        select_claims(CREDENTIAL, path)
    assert info.value.code == "claim_path_invalid"


@pytest.mark.parametrize("path", [[], [-1], [True], [1.5], [{"a": 1}]])
def test_rejects_a_malformed_path(path: list[Any]) -> None:
    with pytest.raises(ClaimPathError) as info:
        select_claims(CREDENTIAL, path)
    assert info.value.code == "claim_path_invalid"


def test_json_pointer_escapes_per_rfc_6901() -> None:
    assert json_pointer([]) == ""
    assert json_pointer(["a/b", "m~n", 0]) == "/a~1b/m~0n/0"
