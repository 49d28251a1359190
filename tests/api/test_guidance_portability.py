"""The export holds goals, grants and consent receipts; an import restores the goals only
(a grant is consent to one service, given afresh where the wallet now lives)."""

from tests.api.guidance_support import ANALYST, HELP_DESK, Demo, demo, ok
from tests.api.test_guidance_grants import grant
from wallet.export_encryption import decrypt_export

__all__ = ["demo"]

PASSPHRASE = "a long export passphrase"


def test_an_import_restores_the_goals_and_not_the_grants_or_their_receipts(demo: Demo) -> None:
    aino = demo.person(0)
    for occupation in (HELP_DESK, ANALYST):
        body = {"occupation_id": occupation}
        ok(demo.client.post("/v1/wallet/goals", json=body, headers=aino), 201)
    made = ok(grant(demo, aino), 201)
    password = demo.credentials.people[0].password
    envelope = ok(
        demo.client.post(
            "/v1/wallet/export",
            json={"password": password, "passphrase": PASSPHRASE},
            headers=aino,
        )
    )
    exported = decrypt_export(envelope, passphrase=PASSPHRASE)
    assert [g["occupation"].rsplit("/", 1)[1] for g in exported["goals"]] == [HELP_DESK, ANALYST]
    assert [g["id"] for g in exported["grants"]] == [made["id"]]
    assert [r["subject_id"] for r in exported["consent_receipts"]] == [made["id"]]

    registered = demo.client.post(
        "/v1/auth/register",
        json={"username": "uusi@example.fi", "password": "a long new wallet passphrase"},
    )
    new = {"Authorization": f"Bearer {ok(registered, 201)['access_token']}"}
    body = {"passphrase": PASSPHRASE, "export": envelope}
    report = ok(demo.client.post("/v1/wallet/import", json=body, headers=new))
    assert report["rejected"] == []
    goals = ok(demo.client.get("/v1/wallet/goals", headers=new))["goals"]
    assert [g["occupation_id"] for g in goals] == [HELP_DESK, ANALYST]
    assert ok(demo.client.get("/v1/wallet/grants", headers=new))["grants"] == []
    assert ok(demo.client.get("/v1/wallet/consent-receipts", headers=new))["receipts"] == []
    again = ok(demo.client.post("/v1/wallet/import", json=body, headers=new))
    assert again["imported"] == 0
    goals = ok(demo.client.get("/v1/wallet/goals", headers=new))["goals"]
    assert len(goals) == 2
