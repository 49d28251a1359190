"""The ESCO vocabulary build tool, run on a small hand-made extract."""

import csv
import gzip
import json
from pathlib import Path

import pytest

from tools.build_vocab import main
from tools.esco_labels import LabelDeriver

P = "http://data.europa.eu/esco/skill/"
SKILLS = [
    {
        "uri": P + "00000000-0000-0000-0000-000000000001",
        "preferred_label": "",
        "skill_type": "",
        "alt_labels": "",
        "search_text": "sell hair products selling hair products sell hair product sell products "
        "for hair Sell hair care products such as shampoo.",
    },
    {
        "uri": P + "00000000-0000-0000-0000-000000000002",
        "preferred_label": "",
        "skill_type": "",
        "alt_labels": "",
        "search_text": "construction methods construction procedures construction approaches "
        "The various techniques and methods to erect buildings.",
    },
    {
        "uri": P + "00000000-0000-0000-0000-000000000003",
        "preferred_label": "Haskell",
        "skill_type": "knowledge",
        "alt_labels": "Haskell techniques",
        "search_text": "Haskell Haskell techniques The techniques of programming in Haskell.",
    },
    {
        "uri": P + "00000000-0000-0000-0000-000000000004",
        "preferred_label": "",
        "skill_type": "",
        "alt_labels": "",
        "search_text": "interpret technical texts read technical texts Read and understand "
        "technical texts.",
    },
]
OCCUPATIONS = [
    {
        "uri": "http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-00000000000a",
        "preferred_label": "software analyst",
        "alt_labels": "programmer analyst; software analyst; software analysts",
        "description": "Software analysts elicit requirements.",
        "essential_skill_labels": "interpret technical texts; Haskell",
    }
]


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_build_tool_writes_compact_vocabulary_files(tmp_path: Path) -> None:
    _write(tmp_path / "skills.csv", SKILLS)
    _write(tmp_path / "occupations_ict.csv", OCCUPATIONS)
    out = tmp_path / "out"
    assert main([str(tmp_path), str(out)]) == 0
    doc = json.loads(gzip.decompress((out / "esco_skills.json.gz").read_bytes()))
    assert doc["prefix"] == P
    labels = {row[0][-1]: (row[1], row[2], row[3]) for row in doc["skills"]}
    assert labels == {
        "1": ("sell hair products", "", ""),
        "2": ("construction methods", "", ""),
        "3": ("Haskell", "knowledge", "Haskell techniques"),
        "4": ("interpret technical texts", "", ""),
    }
    occupations = json.loads((out / "esco_occupations_ict.json").read_text("utf-8"))
    (only,) = occupations["occupations"]
    assert only["label"] == "software analyst"
    assert only["alt_labels"] == ["programmer analyst", "software analysts"]
    assert only["essential_skills"] == ["interpret technical texts", "Haskell"]


def test_build_tool_output_is_reproducible(tmp_path: Path) -> None:
    _write(tmp_path / "skills.csv", SKILLS)
    _write(tmp_path / "occupations_ict.csv", OCCUPATIONS)
    main([str(tmp_path), str(tmp_path / "a")])
    main([str(tmp_path), str(tmp_path / "b")])
    for name in ("esco_skills.json.gz", "esco_occupations_ict.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_build_tool_needs_a_source_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (
            "tend asbestos blower use blower tending asbestos blower Tend the blower.",
            "tend asbestos blower",
        ),
        (
            "European integration European cohesion The process of integration.",
            "European integration",
        ),
        (
            "interact verbally in Polish speak Polish Communicate orally in Polish.",
            "interact verbally in Polish",
        ),
        ("French ability to comprehend spoken French The French language.", "French"),
        ("carry out audits conduct audits carrying out audits Perform audits.", "carry out audits"),
    ],
)
def test_label_is_recovered_from_search_text(text: str, label: str) -> None:
    deriver = LabelDeriver([text, "conduct x", "perform y conducting y performing y"], [])
    assert deriver.derive_label(text) == label


def test_keywords_keep_the_alternative_label_words_but_not_the_description() -> None:
    deriver = LabelDeriver([SKILLS[0]["search_text"]], [])
    words = deriver.keywords(SKILLS[0]["search_text"], "sell hair products").split()
    assert "selling" in words and "product" in words
    assert "shampoo" not in words and "hair" not in words
