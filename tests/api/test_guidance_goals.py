"""Goal occupations and skill gaps on verified skills (issue 16), through the HTTP API."""

from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.api.guidance_support import (
    ANALYST,
    ASSIST_CUSTOMERS,
    HELP_DESK,
    PROVIDE_ICT_SUPPORT,
    SOLVE_ICT_PROBLEMS,
    Demo,
    demo,
    ok,
    problem,
)
from wallet.tables import WalletGoal

__all__ = ["demo"]

STATISTICS = "http://data.europa.eu/esco/skill/7ee4c2ea-b349-4bd2-81a3-ec31475d4833"


def uris(skills: list[dict[str, object]]) -> list[object]:
    return [s["uri"] for s in skills]


def test_occupations_are_searchable_and_name_their_essential_skills_by_uri(demo: Demo) -> None:
    found = ok(demo.client.get("/v1/occupations", params={"q": "help desk"}))["occupations"]
    assert found[0]["id"] in {HELP_DESK, "1242d99a-47f1-4a62-b884-33746db8a6ca"}
    assert HELP_DESK in [o["id"] for o in found]
    one = ok(demo.client.get(f"/v1/occupations/{HELP_DESK}"))
    assert one["label"] == "ICT help desk agent"
    assert len(one["essential_skills"]) == 19
    assert {"uri": PROVIDE_ICT_SUPPORT, "label": "provide ICT support"} in one["essential_skills"]
    assert len(ok(demo.client.get("/v1/occupations", params={"limit": 100}))["occupations"]) == 91
    problem(demo.client.get("/v1/occupations/not-an-occupation"), 404, "occupation_not_found")


def test_the_gap_for_aino_and_help_desk_agent_meets_ict_support_and_lists_the_rest(
    demo: Demo,
) -> None:
    aino = demo.person(0)
    gap = ok(demo.client.get(f"/v1/wallet/goals/{HELP_DESK}/gap", headers=aino))
    assert uris(gap["met"]) == [PROVIDE_ICT_SUPPORT]
    assert len(gap["met"][0]["attested_by"]) == 1
    assert gap["declared_only"] == []
    assert len(gap["missing"]) == 18
    assert {SOLVE_ICT_PROBLEMS, ASSIST_CUSTOMERS} <= set(uris(gap["missing"]))
    mikko = ok(demo.client.get(f"/v1/wallet/goals/{ANALYST}/gap", headers=demo.person(1)))
    assert uris(mikko["met"]) == [STATISTICS]
    assert len(mikko["met"][0]["attested_by"]) == 2


def test_a_declared_skill_stays_in_the_gap_marked_declared_only(demo: Demo) -> None:
    aino = demo.person(0)
    ok(demo.client.post("/v1/wallet/skills", json={"uri": SOLVE_ICT_PROBLEMS}, headers=aino), 201)
    gap = ok(demo.client.get(f"/v1/wallet/goals/{HELP_DESK}/gap", headers=aino))
    assert uris(gap["declared_only"]) == [SOLVE_ICT_PROBLEMS]
    assert SOLVE_ICT_PROBLEMS not in uris(gap["missing"])
    assert SOLVE_ICT_PROBLEMS not in uris(gap["met"])


def test_a_revoked_credentials_skill_drops_from_verified_at_the_next_read(demo: Demo) -> None:
    aino = demo.person(0)
    before = ok(demo.client.get(f"/v1/wallet/goals/{HELP_DESK}/gap", headers=aino))
    assert uris(before["met"]) == [PROVIDE_ICT_SUPPORT]
    demo.revoke_work_certificates()
    after = ok(demo.client.get(f"/v1/wallet/goals/{HELP_DESK}/gap", headers=aino))
    assert after["met"] == []
    assert PROVIDE_ICT_SUPPORT in uris(after["missing"])


def test_goals_are_saved_listed_and_removed_and_logged(demo: Demo) -> None:
    aino = demo.person(0)
    saved = ok(
        demo.client.post("/v1/wallet/goals", json={"occupation_id": HELP_DESK}, headers=aino), 201
    )
    assert saved["label"] == "ICT help desk agent"
    again = demo.client.post("/v1/wallet/goals", json={"occupation_id": HELP_DESK}, headers=aino)
    assert again.status_code == 201
    goals = ok(demo.client.get("/v1/wallet/goals", headers=aino))["goals"]
    assert [g["occupation_id"] for g in goals] == [HELP_DESK]
    assert ok(demo.client.get("/v1/wallet/goals", headers=demo.person(1)))["goals"] == []
    ok(demo.client.delete(f"/v1/wallet/goals/{HELP_DESK}", headers=aino), 204)
    assert ok(demo.client.get("/v1/wallet/goals", headers=aino))["goals"] == []
    problem(
        demo.client.delete(f"/v1/wallet/goals/{HELP_DESK}", headers=aino), 404, "goal_not_found"
    )
    kinds = [e["kind"] for e in ok(demo.client.get("/v1/wallet/activity", headers=aino))["entries"]]
    assert "goal_chosen" in kinds and "goal_removed" in kinds


def test_goal_rules_are_problems(demo: Demo) -> None:
    aino = demo.person(0)
    problem(
        demo.client.post("/v1/wallet/goals", json={"occupation_id": "nope"}, headers=aino),
        404,
        "occupation_not_found",
    )
    problem(demo.client.get("/v1/wallet/goals/nope/gap", headers=aino), 404, "occupation_not_found")


def test_goal_routes_need_a_live_wallet_token(demo: Demo) -> None:
    bad = {"Authorization": "Bearer tat_not-a-token"}
    for method, path in [
        ("GET", "/v1/wallet/goals"),
        ("POST", "/v1/wallet/goals"),
        ("DELETE", f"/v1/wallet/goals/{HELP_DESK}"),
        ("GET", f"/v1/wallet/goals/{HELP_DESK}/gap"),
    ]:
        for headers in ({}, bad, demo.issuer("demo-college")):
            answer = demo.client.request(
                method, path, headers=headers, json={"occupation_id": HELP_DESK}
            )
            assert answer.status_code == 401, (method, path, answer.text)


def test_erasing_a_wallet_erases_its_goals(demo: Demo, clean_engine: Engine) -> None:
    aino = demo.person(0)
    ok(demo.client.post("/v1/wallet/goals", json={"occupation_id": HELP_DESK}, headers=aino), 201)

    def goals() -> int:
        with Session(clean_engine) as session:
            return len(session.exec(select(WalletGoal)).all())

    assert goals() == 1
    password = demo.credentials.people[0].password
    ok(demo.client.post("/v1/wallet/erase", json={"password": password}, headers=aino))
    assert goals() == 0


def test_removing_a_goal_named_in_any_script_is_a_404_not_a_server_error(demo: Demo) -> None:
    # Found by the fuzz run: a non-ASCII goal id made the fingerprint raise (500).
    response = demo.client.delete("/v1/wallet/goals/%C2%AD-%C3%8A", headers=demo.person(0))
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
