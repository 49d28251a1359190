"""The skill gap and the ranking of learning opportunities (issue 16), pure over skill URIs."""

from schemas import occupation_vocabulary, skill_vocabulary
from schemas.skill_gap import Teaching, rank_teaching, skill_gap


def test_each_occupation_names_its_essential_skills_by_uris_of_the_skill_vocabulary() -> None:
    skills = skill_vocabulary()
    occupations = list(occupation_vocabulary())
    assert len(occupations) == 91
    for occupation in occupations:
        assert all(skills.contains(uri) for uri in occupation.essential_skill_uris)
        mapped = len(occupation.essential_skill_uris) + len(occupation.unmapped_skills)
        assert mapped <= len(occupation.essential_skills)
    assert sum(len(o.unmapped_skills) for o in occupations) == 15
    assert occupation_vocabulary().by_id(occupations[0].id) is occupations[0]


def test_a_verified_skill_meets_a_declared_one_does_not_and_order_is_the_occupations() -> None:
    gap = skill_gap(["a", "b", "c", "d"], verified={"c"}, declared={"b", "c"})
    assert gap.met == ("c",)
    assert gap.declared_only == ("b",)
    assert gap.missing == ("a", "d")
    assert gap.open == ("a", "d", "b")


def test_opportunities_closing_more_missing_skills_rank_first_and_ties_are_stable() -> None:
    gap = skill_gap(["a", "b", "c"], verified=set(), declared={"c"})
    ranked = rank_teaching(
        gap,
        [
            Teaching("o4", "Zeta", frozenset({"a"})),
            Teaching("o1", "Nothing useful", frozenset({"x"})),
            Teaching("o3", "alpha", frozenset({"a"})),
            Teaching("o2", "Both", frozenset({"a", "b"})),
            Teaching("o5", "Alpha", frozenset({"a", "c"})),
            Teaching("o0", "Alpha", frozenset({"a", "c"})),
        ],
    )
    assert [r.id for r in ranked] == ["o2", "o0", "o5", "o3", "o4"]
    assert ranked[0].closes_missing == ("a", "b")
    assert ranked[1].closes_declared == ("c",)
