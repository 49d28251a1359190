"""Routers parse, call one function, return; flows compose; transactions end at one level.

docs/architecture.md, "Flows" and "Transactions": routers never commit, roll back or open a
transaction or connection, and reach at most one service (composing services is a flow's job).
In ``api/flows`` the only place a transaction ends is ``api/flows/transaction.py``.
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
    found = sorted(call.rsplit(" ", 1)[1] for call in _calls(helper))
    # transaction(), end_reads(), in_own_session()
    assert found == [".commit()", ".rollback()", ".rollback()", "Session()"]


SERVICES = ("issuers", "wallet", "verifiers")
# GET /v1/shares/{token} is being moved into api/flows/share_view.py on its own branch.
COMPOSING_ROUTERS_BEING_MOVED = {"shares.py"}


def _services_imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".", 1)[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".", 1)[0] for alias in node.names)
    return found & set(SERVICES)


@pytest.mark.parametrize(
    "path",
    [p for p in _modules("api/routers") if p.name not in COMPOSING_ROUTERS_BEING_MOVED],
    ids=lambda p: p.name,
)
def test_a_router_reaches_at_most_one_service(path: Path) -> None:
    assert len(_services_imported(path)) <= 1


def test_the_service_scan_sees_a_flow_composing_services() -> None:
    pickup = ROOT / "api" / "flows" / "pickup.py"
    assert _services_imported(pickup) == {"issuers", "wallet"}
