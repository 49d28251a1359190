"""Transactions begin and end at one visible level (docs/architecture.md, "Transactions").

Routers parse, call one function and return: they never commit, roll back or open a
transaction or connection. In ``api/flows`` the only place a transaction ends is
``api/flows/transaction.py``; every flow that writes to more than one service goes through it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRANSACTION_CALLS = {"commit", "rollback", "begin", "begin_nested", "flush", "connect"}


def _calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        if isinstance(node.func, ast.Attribute) and node.func.attr in TRANSACTION_CALLS:
            found.append(f"{where} .{node.func.attr}()")
        elif isinstance(node.func, ast.Name) and node.func.id == "Session":
            found.append(f"{where} Session()")
    return found


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("api/routers"), ids=lambda p: p.name)
def test_no_router_opens_commits_or_rolls_back_a_transaction(path: Path) -> None:
    assert _calls(path) == []


def test_flows_end_transactions_only_through_the_one_transaction_helper() -> None:
    flows = [p for p in _modules("api/flows") if p.name != "transaction.py"]
    assert flows, "api/flows holds the flows"
    # The demo seeding runs outside any request, so it opens its session; it ends nothing itself.
    ended = [call for path in flows for call in _calls(path) if not call.endswith("Session()")]
    assert ended == []


def test_the_scan_sees_a_commit_where_there_is_one() -> None:
    helper = ROOT / "api" / "flows" / "transaction.py"
    assert sorted(call.rsplit(" ", 1)[1] for call in _calls(helper)) == [".commit()", ".rollback()"]
