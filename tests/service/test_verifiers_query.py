"""The DCQL subset, the convenience form, and checking answers against a query."""

from typing import Any

import pytest

from credentials.dcql import parse_query
from credentials.errors import QueryInvalid
from tests.service.test_verifiers_support import BASE, COMPETENCE, QUALIFICATION, skill_uris
from verifiers.dcql_answers import PresentedCredential, check_answer
from verifiers.query_form import expand_query

SKILL_X, SKILL_Y = skill_uris(2)


def dcql(**credential: Any) -> dict[str, Any]:
    base = {"id": "q1", "format": "dc+sd-jwt", "meta": {"vct_values": [QUALIFICATION]}}
    return {"credentials": [{**base, **credential}]}


def pointers(error: QueryInvalid) -> list[str]:
    return [item["pointer"] for item in error.errors]


def test_design_example_query_parses_and_round_trips() -> None:
    document = dcql(
        claims=[
            {"id": "c1", "path": ["title"]},
            {"id": "c2", "path": ["eqf_level"], "values": [6, 7, 8]},
            {"id": "c3", "path": ["skills", None, "uri"], "values": [SKILL_X]},
        ]
    )
    assert parse_query(document).to_json() == document


def test_credential_sets_are_refused() -> None:
    document = {**dcql(), "credential_sets": [{"options": [["q1"]]}]}
    with pytest.raises(QueryInvalid) as raised:
        parse_query(document)
    assert pointers(raised.value) == ["/dcql_query/credential_sets"]


def test_a_format_other_than_sd_jwt_vc_is_refused() -> None:
    with pytest.raises(QueryInvalid) as raised:
        parse_query(dcql(format="mso_mdoc"))
    assert pointers(raised.value) == ["/dcql_query/credentials/0/format"]


def test_two_claims_queries_for_the_same_claim_are_refused() -> None:
    with pytest.raises(QueryInvalid) as raised:
        parse_query(dcql(claims=[{"path": ["title"]}, {"path": ["title"]}]))
    assert raised.value.errors[0]["message"] == "two claims queries point to the same claim"


def test_holder_binding_cannot_be_switched_off() -> None:
    with pytest.raises(QueryInvalid) as raised:
        parse_query(dcql(require_cryptographic_holder_binding=False))
    assert "require_cryptographic_holder_binding" in pointers(raised.value)[0]


def test_claim_sets_must_name_known_claim_ids() -> None:
    with pytest.raises(QueryInvalid):
        parse_query(dcql(claims=[{"id": "a", "path": ["title"]}], claim_sets=[["b"]]))


def test_malformed_path_is_refused() -> None:
    with pytest.raises(QueryInvalid):
        parse_query(dcql(claims=[{"path": ["skills", -1]}]))


def test_float_values_are_refused() -> None:
    with pytest.raises(QueryInvalid):
        parse_query(dcql(claims=[{"path": ["eqf_level"], "values": [6.5]}]))


def test_convenience_min_expands_to_the_values_up_to_the_schemas_maximum() -> None:
    query = expand_query(
        {"credentials": [{"type": "qualification", "claims": [{"path": "eqf_level", "min": 4}]}]},
        base_url=BASE,
    )
    assert query.to_json() == dcql(
        claims=[{"id": "c1", "path": ["eqf_level"], "values": [4, 5, 6, 7, 8]}]
    )


def test_convenience_has_skill_expands_to_the_skill_uri_path() -> None:
    query = expand_query(
        {"credentials": [{"type": QUALIFICATION, "claims": [{"has_skill": SKILL_X}]}]},
        base_url=BASE,
    )
    claim = query.credentials[0].claims[0]
    assert (claim.path, claim.values) == (("skills", None, "uri"), (SKILL_X,))


def test_convenience_unknown_skill_is_refused() -> None:
    with pytest.raises(QueryInvalid) as raised:
        expand_query(
            {
                "credentials": [
                    {"type": "qualification", "claims": [{"has_skill": "http://x.test/s"}]}
                ]
            },
            base_url=BASE,
        )
    assert pointers(raised.value) == ["/credentials/0/claims/0/has_skill"]


def test_convenience_min_on_a_claim_without_maximum_needs_max() -> None:
    with pytest.raises(QueryInvalid) as raised:
        expand_query(
            {"credentials": [{"type": "qualification", "claims": [{"path": "title", "min": 1}]}]},
            base_url=BASE,
        )
    assert pointers(raised.value) == ["/credentials/0/claims/0/max"]


def test_convenience_unknown_type_slug_is_refused() -> None:
    with pytest.raises(QueryInvalid) as raised:
        expand_query({"credentials": [{"type": "diploma"}]}, base_url=BASE)
    assert pointers(raised.value) == ["/credentials/0/type"]


def test_convenience_plain_claims_are_optional_and_constrained_ones_required() -> None:
    query = expand_query(
        {
            "credentials": [
                {"type": "qualification", "claims": ["title", "eqf_level", {"has_skill": SKILL_X}]}
            ]
        },
        base_url=BASE,
    )
    assert query.credentials[0].claim_sets == (("c1", "c2", "c3"), ("c3",))


def test_convenience_without_required_claims_asks_for_at_least_one() -> None:
    query = expand_query(
        {"credentials": [{"type": "qualification", "claims": ["title", "kind"]}]}, base_url=BASE
    )
    assert query.credentials[0].claim_sets == (("c1", "c2"), ("c1",), ("c2",))


def _answer(vct: str = QUALIFICATION, **claims: Any) -> dict[str, list[PresentedCredential]]:
    return {"q1": [PresentedCredential(vct, claims)]}


EQF_SKILL = expand_query(
    {
        "credentials": [
            {
                "type": "qualification",
                "claims": [{"path": "eqf_level", "min": 4}, {"has_skill": SKILL_X}],
            }
        ]
    },
    base_url=BASE,
)


def test_answer_with_eqf_six_and_the_skill_satisfies_the_query() -> None:
    skills = [{"uri": SKILL_Y}, {"uri": SKILL_X}]
    assert check_answer(EQF_SKILL, _answer(eqf_level=6, skills=skills)) == ()


def test_answer_with_eqf_three_does_not_satisfy_the_query() -> None:
    (shortfall,) = check_answer(EQF_SKILL, _answer(eqf_level=3, skills=[{"uri": SKILL_X}]))
    assert (shortfall.code, shortfall.path) == ("request_value_not_allowed", ("eqf_level",))


def test_answer_without_the_skill_does_not_satisfy_the_query() -> None:
    (shortfall,) = check_answer(EQF_SKILL, _answer(eqf_level=5, skills=[{"uri": SKILL_Y}]))
    assert shortfall.code == "request_value_not_allowed"


def test_boolean_is_not_the_integer_one() -> None:
    query = parse_query(dcql(claims=[{"path": ["eqf_level"], "values": [1]}]))
    (shortfall,) = check_answer(query, _answer(eqf_level=True))
    assert shortfall.code == "request_value_not_allowed"


def test_missing_and_unexpected_answers_and_wrong_types_are_shortfalls() -> None:
    query = parse_query(dcql())
    assert [s.code for s in check_answer(query, {})] == ["request_credential_missing"]
    assert [s.code for s in check_answer(query, _answer(COMPETENCE))] == ["request_type_mismatch"]
    extra = {**_answer(), "q9": [PresentedCredential(QUALIFICATION, {})]}
    assert [s.code for s in check_answer(query, extra)] == ["request_unexpected_answer"]


def test_two_presentations_for_a_single_query_is_a_shortfall() -> None:
    query = parse_query(dcql())
    two = {"q1": [PresentedCredential(QUALIFICATION, {})] * 2}
    assert [s.code for s in check_answer(query, two)] == ["request_too_many"]
