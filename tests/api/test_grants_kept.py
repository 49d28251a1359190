"""Making and withdrawing grants in a loop cannot grow a wallet's grants without end."""

import pytest

from tests.api.guidance_support import Demo, demo, ok
from tests.api.test_guidance_grants import grant
from wallet import grants

__all__ = ["demo"]


def test_a_new_grant_beyond_those_kept_removes_the_oldest_ended_one(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(grants, "MAX_GRANTS_KEPT", 2)
    aino = demo.person(0)
    made = []
    for _ in range(3):
        made.append(ok(grant(demo, aino), 201)["id"])
        ok(demo.client.delete(f"/v1/wallet/grants/{made[-1]}", headers=aino), 204)
    live = ok(grant(demo, aino), 201)["id"]
    mine = ok(demo.client.get("/v1/wallet/grants", headers=aino))["grants"]
    assert sorted(g["id"] for g in mine) == sorted([made[-1], live])
