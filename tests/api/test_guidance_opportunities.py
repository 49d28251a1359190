"""Learning opportunities educators publish, and the ones a person's gap lists first (issue 16)."""

from typing import Any

from api.demo.data import (
    ASSIST_CUSTOMERS,
    PRIORITISE_REQUESTS,
    SOLVE_ICT_PROBLEMS,
    SUPPORT_USERS,
    TASK_RECORDS,
    TICKETING,
)
from tests.api.guidance_support import HELP_DESK, Demo, demo, ok, problem

__all__ = ["demo"]

COURSE: dict[str, Any] = {
    "title": "Help desk in a week",
    "provider": "Esimerkkikaupungin ammattiopisto",
    "description": "Tickets and users.",
    "skills": [TICKETING],
    "eqf_level": 4,
    "duration": "P1W",
    "mode": "online",
    "language": "fi",
    "link": "https://ammattiopisto.example.fi/help-desk",
}


def test_the_gap_lists_the_demo_courses_that_teach_the_missing_skills_best_first(
    demo: Demo,
) -> None:
    gap = ok(demo.client.get(f"/v1/wallet/goals/{HELP_DESK}/gap", headers=demo.person(0)))
    listed = gap["opportunities"]
    assert [o["title"] for o in listed] == [
        "IT-tukihenkilön osaamisala",
        "Asiakaspalvelun perusteet",
        "Ärendehanteringssystem i IT-stöd",
    ]
    first = listed[0]
    assert first["issuer_slug"] == "demo-college"
    assert first["closes_missing"] == [
        SOLVE_ICT_PROBLEMS,
        PRIORITISE_REQUESTS,
        TASK_RECORDS,
        TICKETING,
        SUPPORT_USERS,
    ]
    assert ASSIST_CUSTOMERS in listed[1]["closes_missing"]
    missing = {s["uri"] for s in gap["missing"]}
    assert all(set(o["closes_missing"]) <= missing for o in listed)


def test_equal_opportunities_are_ranked_by_title_then_id_and_withdrawn_ones_vanish(
    demo: Demo,
) -> None:
    college = demo.issuer("demo-college")
    made = [
        ok(
            demo.client.post(
                "/v1/issuers/demo-college/opportunities", json=COURSE, headers=college
            ),
            201,
        )
        for _ in range(2)
    ]
    aino = demo.person(0)
    titles = [
        o["id"]
        for o in ok(demo.client.get(f"/v1/wallet/goals/{HELP_DESK}/gap", headers=aino))[
            "opportunities"
        ]
        if o["title"] == COURSE["title"]
    ]
    assert titles == sorted(m["id"] for m in made)
    for found in made:
        ok(
            demo.client.delete(
                f"/v1/issuers/demo-college/opportunities/{found['id']}", headers=college
            ),
            204,
        )
    after = ok(demo.client.get(f"/v1/wallet/goals/{HELP_DESK}/gap", headers=aino))
    assert COURSE["title"] not in [o["title"] for o in after["opportunities"]]


def test_an_educator_publishes_lists_and_withdraws_its_own_opportunities(demo: Demo) -> None:
    college = demo.issuer("demo-college")
    made = ok(
        demo.client.post("/v1/issuers/demo-college/opportunities", json=COURSE, headers=college),
        201,
    )
    assert made["skills"] == [TICKETING] and made["issuer_name"] == COURSE["provider"]
    own = ok(demo.client.get("/v1/issuers/demo-college/opportunities", headers=college))
    assert made["id"] in [o["id"] for o in own["opportunities"]]
    assert len(own["opportunities"]) == 4
    university = demo.issuer("demo-university")
    theirs = ok(demo.client.get("/v1/issuers/demo-university/opportunities", headers=university))
    assert made["id"] not in [o["id"] for o in theirs["opportunities"]]
    problem(
        demo.client.delete(
            f"/v1/issuers/demo-university/opportunities/{made['id']}", headers=university
        ),
        404,
        "opportunity_not_found",
    )


def test_an_educator_revises_its_own_opportunity_and_no_one_elses(demo: Demo) -> None:
    college = demo.issuer("demo-college")
    path = "/v1/issuers/demo-college/opportunities"
    made = ok(demo.client.post(path, json=COURSE, headers=college), 201)
    change = {"title": "Help desk in two weeks", "duration": "P2W", "skills": [SUPPORT_USERS]}
    revised = ok(demo.client.put(f"{path}/{made['id']}", json=COURSE | change, headers=college))
    assert (revised["id"], revised["created_at"]) == (made["id"], made["created_at"])
    assert revised["title"] == change["title"] and revised["skills"] == [SUPPORT_USERS]
    problem(
        demo.client.put(
            f"{path}/{made['id']}", json=COURSE | {"duration": "two weeks"}, headers=college
        ),
        422,
        "opportunity_invalid",
    )
    university = demo.issuer("demo-university")
    problem(
        demo.client.put(
            f"/v1/issuers/demo-university/opportunities/{made['id']}",
            json=COURSE,
            headers=university,
        ),
        404,
        "opportunity_not_found",
    )
    [again] = [
        o
        for o in ok(demo.client.get(path, headers=college))["opportunities"]
        if o["id"] == made["id"]
    ]
    assert again == revised


def test_opportunities_with_unknown_skills_or_bad_fields_are_refused_and_nothing_is_stored(
    demo: Demo,
) -> None:
    college = demo.issuer("demo-college")
    path = "/v1/issuers/demo-college/opportunities"
    refused: list[dict[str, Any]] = [
        {"skills": ["http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000"]},
        {"skills": [TICKETING, TICKETING]},
        {"duration": "ten weeks"},
        {"link": "http://insecure.example/"},
        {"language": "FI"},
        {"title": "   "},
    ]
    for change in refused:
        problem(
            demo.client.post(path, json=COURSE | change, headers=college),
            422,
            "opportunity_invalid",
        )
    invalid: list[dict[str, Any]] = [
        {"mode": "by post"},
        {"eqf_level": 9},
        {"skills": []},
        {"extra": 1},
    ]
    for change in invalid:
        problem(
            demo.client.post(path, json=COURSE | change, headers=college), 422, "validation_failed"
        )
    assert len(ok(demo.client.get(path, headers=college))["opportunities"]) == 3


def test_opportunity_routes_need_the_issuers_own_key(demo: Demo) -> None:
    path = "/v1/issuers/demo-college/opportunities"
    routes = [("GET", path), ("POST", path), ("DELETE", f"{path}/opp_x"), ("PUT", f"{path}/opp_x")]
    for method, url in routes:
        for headers in ({}, {"Authorization": "Bearer tik_wrong"}, demo.person(0)):
            answer = demo.client.request(method, url, headers=headers, json=COURSE)
            assert answer.status_code == 401, (method, url, answer.text)
        other = demo.client.request(
            method, url, headers=demo.issuer("demo-university"), json=COURSE
        )
        problem(other, 404, "issuer_not_found")
        verifier = demo.client.request(
            method, url, headers=demo.verifier("demo-employer"), json=COURSE
        )
        assert verifier.status_code == 401
