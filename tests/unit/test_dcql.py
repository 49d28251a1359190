"""DCQL (OpenID4VP 1.0 §6) in the credential core: one parser and one matcher for both sides."""

import pytest

from credentials.dcql import match_credential, parse_query, select_paths
from credentials.errors import QueryInvalid

VCT = "https://taito.example/types/competence/v1"
CLAIMS = {
    "title": "Python",
    "eqf_level": 5,
    "certified": True,
    "skills": [{"uri": "esco:python"}, {"uri": "esco:sql"}],
}


def _query(**credential: object) -> dict[str, object]:
    return {
        "credentials": [
            {"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]}, **credential}
        ]
    }


def test_claims_without_ids_are_named_by_position_for_the_persons_approvals() -> None:
    query = parse_query(_query(claims=[{"path": ["title"]}, {"path": ["eqf_level"]}]))
    matched = match_credential(CLAIMS, query.credentials[0])
    assert matched == {"claim0": (("title",),), "claim1": (("eqf_level",),)}


def test_a_wildcard_path_with_values_discloses_only_the_matching_elements() -> None:
    claim = {"id": "skill", "path": ["skills", None, "uri"], "values": ["esco:sql"]}
    query = parse_query(_query(claims=[claim]))
    assert match_credential(CLAIMS, query.credentials[0]) == {"skill": (("skills", 1, "uri"),)}


def test_values_match_in_type_as_well_as_value_so_true_is_not_one() -> None:
    query = parse_query(_query(claims=[{"path": ["certified"], "values": [1]}]))
    assert match_credential(CLAIMS, query.credentials[0]) is None


def test_the_first_satisfiable_claim_set_is_the_one_disclosed() -> None:
    claims = [
        {"id": "grade", "path": ["grade"]},
        {"id": "title", "path": ["title"]},
    ]
    query = parse_query(_query(claims=claims, claim_sets=[["grade", "title"], ["title"]]))
    assert match_credential(CLAIMS, query.credentials[0]) == {"title": (("title",),)}


def test_a_path_through_the_wrong_json_type_selects_nothing() -> None:
    assert select_paths(CLAIMS, ("title", 0)) == []
    assert select_paths(CLAIMS, ("skills", "uri")) == []


def test_a_query_outside_the_subset_is_refused_with_every_problem_pointed_at() -> None:
    with pytest.raises(QueryInvalid) as raised:
        parse_query(_query(format="mso_mdoc", claims=[{"path": []}]), at="/query")
    assert raised.value.code == "presentation_query_invalid"
    assert raised.value.status == 422
    assert [e["pointer"] for e in raised.value.errors] == [
        "/query/credentials/0/format",
        "/query/credentials/0/claims/0/path",
    ]
