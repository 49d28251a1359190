"""A credential type as spreadsheet columns, and a row back into claims (schemas.columns)."""

import pytest

from schemas import SLUGS, validate_claims
from schemas.columns import column_of, columns, row_claims, split_list, template_row

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


@pytest.mark.parametrize("slug", SLUGS)
def test_every_types_example_as_a_row_reads_back_into_valid_claims(slug: str) -> None:
    table = columns(slug)
    assert table[0].name == "given_name" and table[0].required
    assert len({column.name for column in table}) == len(table)
    assert validate_claims(slug, row_claims(template_row(slug, table), table)) == []


def test_objects_become_dotted_columns_and_lists_one_column() -> None:
    kinds = {column.name: (column.kind, column.required) for column in columns("qualification")}
    assert kinds["awarding_body.name"] == ("text", True)
    assert kinds["awarding_body.id"] == ("text", False)
    assert kinds["credits.value"] == ("number", False)
    assert kinds["eqf_level"] == ("integer", False)
    assert kinds["date_awarded"] == ("date", True)
    assert kinds["learning_outcomes"] == ("list", False)
    assert kinds["skills"] == ("skills", False)
    assert {c.name: c.kind for c in columns("competence")}["skill"] == "skill"


def test_cells_as_finnish_spreadsheets_write_them_become_claims() -> None:
    table = columns("qualification")
    claims = row_claims(
        {
            "given_name": " Aino ",
            "date_awarded": "31.5.2024",
            "credits.value": "37,5",
            "credits.unit": "ects",
            "eqf_level": "4",
            "skills": f"{PYTHON};ccd0a1d9-afda-43d9-b901-96344886e14d\nSQL",
            "learning_outcomes": "Osaa yhden asian; osaa toisen",
            "grade": "",
        },
        table,
    )
    assert claims["given_name"] == "Aino" and "grade" not in claims
    assert claims["date_awarded"] == "2024-05-31"
    assert claims["credits"] == {"value": 37.5, "unit": "ects"} and claims["eqf_level"] == 4
    assert [skill["uri"] for skill in claims["skills"]][:2] == [PYTHON, PYTHON]
    assert claims["skills"][2]["uri"].startswith("http://data.europa.eu/esco/skill/")
    assert claims["learning_outcomes"] == ["Osaa yhden asian", "osaa toisen"]


def test_a_cell_that_does_not_convert_is_kept_for_validation_to_word() -> None:
    table = columns("qualification")
    claims = row_claims({"eqf_level": "neljä", "date_awarded": "31.2.2024"}, table)
    assert claims == {"eqf_level": "neljä", "date_awarded": "31.2.2024"}


def test_a_violation_points_back_to_its_column_and_item() -> None:
    table = columns("qualification")
    assert column_of("/eqf_level", table) == ("eqf_level", None)
    assert column_of("/awarding_body/name", table) == ("awarding_body.name", None)
    assert column_of("/awarding_body", table) == ("awarding_body.name", None)
    assert column_of("/skills/2/uri", table) == ("skills", 3)
    assert column_of("", table) == (None, None)
    assert split_list(" a ;; b\r\nc ") == ["a", "b", "c"]
