"""The shipped ESCO skill and ICT occupation vocabularies and the EQF levels."""

import time

import pytest

from schemas import (
    EQFLevel,
    eqf_level,
    eqf_levels,
    occupation_vocabulary,
    skill_vocabulary,
)
from schemas.label_index import LabelIndex

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"


def test_all_esco_skills_are_shipped_with_a_clean_label() -> None:
    vocabulary = skill_vocabulary()
    assert len(vocabulary) == 13939
    labels = [skill.label for skill in vocabulary]
    assert all(label and label == label.strip() and len(label) <= 200 for label in labels)
    assert len({label.lower() for label in labels}) == len(labels)
    endings = {"of", "on", "to", "and", "the", "a", "for", "with", "in"}
    assert not [label for label in labels if label.split()[-1].lower() in endings]


def test_vocabulary_is_loaded_once() -> None:
    assert skill_vocabulary() is skill_vocabulary()
    assert occupation_vocabulary() is occupation_vocabulary()


def test_get_returns_the_skill_with_its_label_and_type() -> None:
    skill = skill_vocabulary().get(PYTHON)
    assert skill is not None
    assert skill.uri == PYTHON
    assert skill.label == "Python (computer programming)"
    assert skill.skill_type == "knowledge"


@pytest.mark.parametrize(
    "uri",
    [
        PYTHON.upper(),
        PYTHON + "/",
        PYTHON.replace("http:", "https:"),
        "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000",
        "",
    ],
)
def test_contains_only_exact_esco_skill_uris(uri: str) -> None:
    assert not skill_vocabulary().contains(uri)
    assert skill_vocabulary().get(uri) is None


def test_search_finds_python_first() -> None:
    results = skill_vocabulary().search("python")
    assert results[0].uri == PYTHON
    assert skill_vocabulary().search("PYTHON", 1)[0].uri == PYTHON


def test_search_finds_welding_skills() -> None:
    results = skill_vocabulary().search("welding", 10)
    assert len(results) == 10
    assert all("weld" in (s.label + " ".join(s.alt_labels)).lower() for s in results[:5])


def test_search_needs_every_word_as_a_prefix_of_some_word() -> None:
    index = LabelIndex(
        ["manage staff", "staff room", "managerial work", "Manager"], ["", "", "", "x"]
    )
    assert index.search("manag staf", 10) == [0]
    assert index.search("MANAG", 10) == [3, 0, 2]
    assert index.search("anage", 10) == []
    assert skill_vocabulary().search("manag staf", 1)[0].label == "manage staff"


def test_search_ranks_the_exact_label_first_then_whole_word_prefixes() -> None:
    results = skill_vocabulary().search("java", 5)
    assert results[0].label == "Java (computer programming)"
    results = skill_vocabulary().search("SQL", 3)
    assert [s.label for s in results[:2]] == ["SQL", "SQL Server"]


def test_search_finds_skills_by_their_alternative_labels() -> None:
    # "stowage" appears only in alternative labels of "stow cargo".
    labels = [s.label for s in skill_vocabulary().search("cargo stowage", 20)]
    assert "stow cargo" in labels


def test_search_with_no_words_finds_nothing() -> None:
    assert skill_vocabulary().search("") == []
    assert skill_vocabulary().search("  ,;  ") == []
    assert skill_vocabulary().search("zzqxv") == []


@pytest.mark.parametrize("limit", [0, -1, 101])
def test_search_rejects_a_limit_outside_one_to_hundred(limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        skill_vocabulary().search("python", limit)


def test_search_takes_a_few_milliseconds() -> None:
    vocabulary = skill_vocabulary()
    vocabulary.search("warm up")
    queries = ["python", "weld", "manage staff", "project management", "data", "customer service"]
    start = time.perf_counter()
    for query in queries * 5:
        vocabulary.search(query, 20)
    average = (time.perf_counter() - start) / (len(queries) * 5)
    assert average < 0.005


def test_ict_occupations_are_shipped() -> None:
    occupations = occupation_vocabulary()
    assert len(occupations) == 91
    developer = occupations.get(SOFTWARE_DEVELOPER)
    assert developer is not None and developer.label == "software developer"
    assert developer.essential_skills and developer.description
    assert occupations.contains(SOFTWARE_DEVELOPER)
    assert not occupations.contains(SOFTWARE_DEVELOPER.upper())


def test_occupation_search_finds_by_label_and_alternative_label() -> None:
    assert occupation_vocabulary().search("software developer", 1)[0].uri == SOFTWARE_DEVELOPER
    labels = [o.label for o in occupation_vocabulary().search("CISO", 5)]
    assert "ICT security administrator" in labels


def test_eqf_has_eight_levels_described_in_finnish_swedish_and_english() -> None:
    levels = eqf_levels()
    assert [level.level for level in levels] == list(range(1, 9))
    for level in levels:
        assert isinstance(level, EQFLevel)
        assert set(level.descriptions) == {"fi", "sv", "en"}
        assert all(text.strip() for text in level.descriptions.values())
    assert eqf_level(6).example("fi") == (
        "Esim. alemmat korkeakoulututkinnot ja ammattikorkeakoulututkinnot."
    )
    assert eqf_level(1).example("fi") is None


def test_eqf_description_falls_back_to_english() -> None:
    assert eqf_level(4).description("de") == eqf_level(4).description("en")
    assert eqf_level(4).description("sv-FI") == eqf_level(4).descriptions["sv"]


@pytest.mark.parametrize("level", [0, 9, -1])
def test_eqf_level_rejects_numbers_outside_one_to_eight(level: int) -> None:
    with pytest.raises(ValueError, match="EQF level"):
        eqf_level(level)
