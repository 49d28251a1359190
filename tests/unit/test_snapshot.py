"""The snapshot keeps values only while the state version they were read under is current."""

from credentials.snapshot import Snapshot


def new_snapshot(max_bytes: int = 1000) -> Snapshot[str, str | None]:
    return Snapshot(
        max_entries=10, max_bytes=max_bytes, size_of=lambda key, value: len(value or "") + 1
    )


def test_a_kept_value_is_served_without_loading_while_the_version_is_unchanged() -> None:
    snapshot = new_snapshot()
    loads: list[str] = []

    def load() -> str:
        loads.append("a")
        return "alpha"

    for _ in range(3):
        assert snapshot.read("a", version="v1", load=load) == "alpha"
    assert loads == ["a"]


def test_a_new_version_drops_every_kept_value() -> None:
    snapshot = new_snapshot()
    snapshot.read("a", version="v1", load=lambda: "old")
    assert snapshot.read("a", version="v2", load=lambda: "new") == "new"
    assert snapshot.read("a", version="v2", load=lambda: "unused") == "new"


def test_a_missing_version_row_differs_from_every_written_version() -> None:
    snapshot = new_snapshot()
    snapshot.read("a", version="v1", load=lambda: "old")
    assert snapshot.read("a", version=None, load=lambda: "afresh") == "afresh"


def test_what_a_request_of_an_older_version_read_is_not_kept_for_the_newer_one() -> None:
    snapshot = new_snapshot()

    def slow_load() -> str:
        snapshot.observe("v2")  # another request saw the change meanwhile
        return "read before the change"

    snapshot.read("a", version="v1", load=slow_load)
    assert snapshot.read("a", version="v2", load=lambda: "after the change") == "after the change"


def test_nothing_found_is_kept_too() -> None:
    snapshot = new_snapshot()
    loads: list[str] = []

    def load() -> None:
        loads.append("a")

    for _ in range(2):
        assert snapshot.read("a", version="v1", load=load) is None
    assert loads == ["a"]


def test_a_snapshot_stays_within_its_byte_budget() -> None:
    snapshot = new_snapshot(max_bytes=25)
    for key in "abcdef":
        snapshot.read(key, version="v1", load=lambda: "x" * 9)
    assert snapshot.size_bytes <= 25
    assert len(snapshot) == 2
