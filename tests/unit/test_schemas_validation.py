"""``validate_claims``: every violation listed, with a JSON Pointer and a stable code."""

from typing import Any

import pytest

from schemas import SLUGS, UnknownCredentialType, Violation, example_claims, validate_claims

UNKNOWN_SKILL = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
HETU = "131052-308T"


def _found(violations: list[Violation]) -> set[tuple[str, str]]:
    return {(v.pointer, v.code) for v in violations}


@pytest.mark.parametrize("slug", SLUGS)
def test_each_type_example_is_valid(slug: str) -> None:
    assert validate_claims(slug, example_claims(slug), check_occupations=True) == []


def test_minimal_claims_with_only_required_members_are_valid() -> None:
    claims = {
        "given_name": "Aino",
        "family_name": "Aalto",
        "course": {"name": "Johdatus tietojenkäsittelyyn"},
        "date": "2024-01-31",
    }
    assert validate_claims("study_attainment", claims) == []


def test_lists_every_violation_with_its_json_pointer() -> None:
    claims: dict[str, Any] = example_claims("qualification")
    del claims["title"]
    claims["kind"] = "phd"
    claims["eqf_level"] = 9
    claims["date_awarded"] = "2024-02-30"
    claims["credits"] = {"value": -1, "unit": "op"}
    claims["skills"][1]["uri"] = UNKNOWN_SKILL
    claims["learning_outcomes"].append("")
    claims["nickname"] = "Maikki"
    assert _found(validate_claims("qualification", claims)) == {
        ("/title", "schema_violation"),
        ("/kind", "schema_violation"),
        ("/eqf_level", "schema_violation"),
        ("/date_awarded", "schema_violation"),
        ("/credits/value", "schema_violation"),
        ("/credits/unit", "schema_violation"),
        ("/skills/1/uri", "unknown_skill"),
        ("/learning_outcomes/2", "schema_violation"),
        ("/nickname", "schema_violation"),
    }


def test_violations_are_sorted_by_pointer() -> None:
    claims = {"given_name": 1, "family_name": 2}
    pointers = [v.pointer for v in validate_claims("competence", claims)]
    assert pointers == sorted(pointers)


def test_missing_required_claims_are_reported_at_their_own_pointer() -> None:
    violations = validate_claims("work_experience", {"given_name": "A", "family_name": "B"})
    assert {(v.pointer, v.message) for v in violations} == {
        ("/employer", "is required but missing"),
        ("/role", "is required but missing"),
        ("/start_date", "is required but missing"),
    }


def test_claims_that_are_not_an_object_are_one_violation_at_the_root() -> None:
    violations = validate_claims("competence", ["not", "an", "object"])
    assert [(v.pointer, v.code, v.message) for v in violations] == [
        ("", "schema_violation", "must be a JSON object")
    ]


def test_unknown_member_with_an_odd_name_is_reported_at_its_object() -> None:
    claims = example_claims("competence")
    claims["assessor"]["e-mail address"] = "x@example.org"
    violations = validate_claims("competence", claims)
    assert [(v.pointer, v.code) for v in violations] == [("/assessor", "schema_violation")]


def test_messages_and_pointers_never_echo_values() -> None:
    secret = "SECRET-VALUE-7f3a"
    claims: dict[str, Any] = {
        "given_name": secret * 40,
        "family_name": ["x"],
        "skill": {"uri": secret, "label": secret, "extra": secret},
        "proficiency": {"level": secret, "scale": "cefr"},
        "assessment_method": secret,
        "date": secret,
        "evidence": secret + "\u0000",
    }
    violations = validate_claims("competence", claims)
    assert len(violations) >= 8
    for v in violations:
        assert secret not in v.message and secret not in v.pointer


@pytest.mark.parametrize(
    "value", ["2024-02-30", "31.5.2024", "2024-5-31", "20240531", "２０２４-05-31"]
)
def test_rejects_a_date_that_is_not_a_real_yyyy_mm_dd_day(value: str) -> None:
    claims = example_claims("competence") | {"date": value}
    assert _found(validate_claims("competence", claims)) == {("/date", "schema_violation")}


def test_rejects_an_eqf_level_outside_one_to_eight_or_of_the_wrong_type() -> None:
    for value in (0, 9, "4", True, 4.5):
        claims = example_claims("qualification") | {"eqf_level": value}
        assert _found(validate_claims("qualification", claims)) == {
            ("/eqf_level", "schema_violation")
        }


def test_rejects_a_proficiency_level_that_is_not_on_its_named_scale() -> None:
    claims = example_claims("competence")
    claims["proficiency"] = {"level": "D1", "scale": "cefr"}
    assert _found(validate_claims("competence", claims)) == {
        ("/proficiency/level", "schema_violation")
    }
    claims["proficiency"] = {"level": "expert", "scale": "taito-1-5"}
    assert validate_claims("competence", claims) == []


def test_rejects_too_long_strings_and_too_many_items() -> None:
    claims = example_claims("work_experience")
    claims["tasks"] = ["task"] * 201
    claims["evaluation"] = "x" * 1001
    violations = validate_claims("work_experience", claims)
    assert {(v.pointer, v.message) for v in violations} == {
        ("/tasks", "must have at most 200 items"),
        ("/evaluation", "must be at most 1000 characters long"),
    }


def test_rejects_control_characters_in_text() -> None:
    claims = example_claims("qualification") | {"title": "Tutkinto\u0007"}
    violations = validate_claims("qualification", claims)
    assert [(v.pointer, v.message) for v in violations] == [
        ("/title", "must not contain control characters")
    ]


def test_rejects_an_awarding_body_id_that_is_neither_an_https_url_nor_a_business_id() -> None:
    for value in ("http://school.example", "1234567", "school", "https://"):
        claims = example_claims("qualification")
        claims["awarding_body"]["id"] = value
        assert _found(validate_claims("qualification", claims)) == {
            ("/awarding_body/id", "schema_violation")
        }


def test_rejects_a_business_id_with_a_wrong_check_digit() -> None:
    claims = example_claims("work_experience")
    claims["employer"]["business_id"] = "1234567-2"
    assert _found(validate_claims("work_experience", claims)) == {
        ("/employer/business_id", "invalid_business_id")
    }


def test_rejects_an_end_date_before_the_start_date() -> None:
    claims = example_claims("work_experience") | {"end_date": "2020-01-01"}
    assert _found(validate_claims("work_experience", claims)) == {("/end_date", "end_before_start")}


def test_rejects_an_unknown_esco_skill_uri_in_skills() -> None:
    claims = example_claims("study_attainment")
    claims["skills"].append({"uri": UNKNOWN_SKILL, "label": "?"})
    violations = validate_claims("study_attainment", claims)
    assert [(v.pointer, v.code) for v in violations] == [("/skills/1/uri", "unknown_skill")]
    assert violations[0].message == "is not a skill URI in the ESCO vocabulary"


def test_rejects_an_unknown_esco_skill_uri_in_a_competence() -> None:
    claims = example_claims("competence")
    claims["skill"]["uri"] = PYTHON.upper()
    assert _found(validate_claims("competence", claims)) == {("/skill/uri", "unknown_skill")}


def test_occupation_check_is_applied_only_when_asked() -> None:
    claims = example_claims("work_experience")
    claims["role"]["esco_occupation"] = (
        "http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-000000000000"
    )
    assert validate_claims("work_experience", claims) == []
    assert _found(validate_claims("work_experience", claims, check_occupations=True)) == {
        ("/role/esco_occupation", "unknown_occupation")
    }


def test_rejects_an_occupation_that_is_not_an_esco_occupation_uri() -> None:
    claims = example_claims("work_experience")
    claims["role"]["esco_occupation"] = "https://example.org/occupation/1"
    assert _found(validate_claims("work_experience", claims)) == {
        ("/role/esco_occupation", "schema_violation")
    }


@pytest.mark.parametrize("slug", SLUGS)
def test_rejects_a_personal_identity_code_in_any_type(slug: str) -> None:
    claims = example_claims(slug)
    claims["family_name"] = f"Virtanen {HETU}"
    violations = validate_claims(slug, claims)
    assert [(v.pointer, v.code) for v in violations] == [("/family_name", "personal_identity_code")]
    assert HETU not in violations[0].message


def test_rejects_a_personal_identity_code_hidden_in_an_unknown_member_name() -> None:
    claims = example_claims("qualification")
    claims["awarding_body"][HETU] = "x"
    violations = validate_claims("qualification", claims)
    assert _found(violations) == {
        ("/awarding_body", "personal_identity_code"),
        ("/awarding_body", "schema_violation"),
    }
    assert all(HETU not in v.pointer and HETU not in v.message for v in violations)


def test_unknown_slug_raises_unknown_credential_type() -> None:
    with pytest.raises(UnknownCredentialType) as info:
        validate_claims("diploma", {})
    assert info.value.code == "unknown_credential_type"
