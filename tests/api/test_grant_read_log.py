"""A guidance service reading a grant again and again: every read counted, the log kept small."""

from datetime import UTC, datetime, timedelta

from api.routers import wallet_deps
from tests.api.guidance_support import Demo, demo, ok
from tests.api.test_guidance_grants import grant, read, reads_logged
from wallet.activity import COUNTED_LOG_INTERVAL, LOGGED_SINGLY

__all__ = ["demo"]


def test_reads_beyond_the_first_ten_of_a_grant_are_counted_and_logged_once_a_day(
    demo: Demo,
) -> None:
    aino = demo.person(0)
    made = ok(grant(demo, aino), 201)
    for _ in range(LOGGED_SINGLY + 15):
        ok(read(demo, made["id"]))
    logged = reads_logged(demo, aino)
    assert [entry["reads"] for entry in logged] == [1] * LOGGED_SINGLY
    assert all(entry["read"][:2] == ["profile", "gaps"] for entry in logged)

    later = datetime.now(UTC) + COUNTED_LOG_INTERVAL + timedelta(minutes=1)
    overrides = demo.client.app.dependency_overrides  # type: ignore[attr-defined]
    overrides[wallet_deps.current_time] = lambda: later
    try:
        ok(read(demo, made["id"]))
    finally:
        del overrides[wallet_deps.current_time]
    newest = reads_logged(demo, aino)[0]
    assert newest["reads"] == 16 and "first_read_at" in newest
    assert sum(entry["reads"] for entry in reads_logged(demo, aino)) == LOGGED_SINGLY + 16
