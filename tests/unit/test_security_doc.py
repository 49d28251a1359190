"""``docs/security.md`` tells the truth about the doors: its table is the policy file's."""

from tools.door_table import BEGIN, DOCUMENT, END, render_door_table
from verifiers.policy import DOORS


def test_the_door_table_in_docs_security_is_the_one_the_policy_file_gives() -> None:
    document = DOCUMENT.read_text(encoding="utf-8")
    written = document[document.index(BEGIN) + len(BEGIN) : document.index(END)].strip()
    assert written == render_door_table()


def test_every_door_has_a_written_reason() -> None:
    table = render_door_table().splitlines()[2:]
    assert len(table) == len(DOORS)
    assert all(not row.endswith("| . |") for row in table)
