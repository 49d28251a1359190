"""The pages of issue 16: goals with the gap and courses, and access for guidance services."""

import re

from tests.api.guidance_support import HELP_DESK, Demo, demo, ok, problem
from tests.api.web_support import Visitor, csrf_of

__all__ = ["demo"]

OFFICE = "demo-employment-office"


def signed_in(demo: Demo) -> Visitor:
    aino = demo.credentials.people[0]
    visitor = Visitor(demo.client)
    visitor.submit("/login", "/login", {"username": aino.username, "password": aino.password}, 303)
    return visitor


def test_a_person_searches_chooses_a_goal_and_sees_the_gap_and_the_courses(demo: Demo) -> None:
    visitor = signed_in(demo)
    found = visitor.page("/wallet/goals?q=help+desk").text
    assert f'name="occupation" value="{HELP_DESK}"' in found
    chosen = visitor.submit("/wallet/goals", "/wallet/goals", {"occupation": HELP_DESK}, 303)
    assert chosen.headers["location"] == f"/wallet/goals/{HELP_DESK}"
    gap = visitor.page(chosen.headers["location"]).text
    assert "<h1>ICT help desk agent</h1>" in gap
    assert "Skills your credentials prove (1)" in gap and "provide ICT support" in gap
    assert "Skills you still need (18)" in gap
    assert gap.index("IT-tukihenkilön osaamisala") < gap.index("Asiakaspalvelun perusteet")
    assert "Teaches 5 skills you still need" in gap and "26 weeks" in gap
    assert "ICT help desk agent" in visitor.page("/wallet/goals").text
    demo.client.get("/language?lang=fi&next=/wallet")
    finnish = visitor.page(f"/wallet/goals/{HELP_DESK}").text
    assert "Todistustesi osoittamat taidot (1)" in finnish and "26 viikkoa" in finnish


def test_a_form_without_its_csrf_token_changes_nothing(demo: Demo) -> None:
    visitor = signed_in(demo)
    refused = demo.client.post(
        "/wallet/goals", data={"occupation": HELP_DESK}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert ok(demo.client.get("/v1/wallet/goals", headers=demo.person(0)))["goals"] == []
    assert "You have no goals yet" in visitor.page("/wallet/goals").text


def test_access_is_given_with_consent_read_by_the_counsellor_and_withdrawn(demo: Demo) -> None:
    visitor = signed_in(demo)
    fields = {
        "organisation": OFFICE,
        "profile": "yes",
        "purpose": "Career guidance in spring",
        "until": "",
    }
    refused = visitor.submit("/wallet/grants", "/wallet/grants", fields, 422)
    assert 'href="#until"' in refused.text and 'href="#agree"' in refused.text
    page = visitor.page("/wallet/grants").text
    until = re.search(r'name="until" type="date" value="([0-9-]+)"', page)
    assert until
    given = visitor.submit(
        "/wallet/grants", "/wallet/grants", fields | {"until": until.group(1), "agree": "yes"}, 303
    )
    assert given.headers["location"] == "/wallet/grants?done=granted"
    page = visitor.page("/wallet/grants?done=granted").text
    assert "Access given." in page and "Esimerkkikaupungin työllisyyspalvelut" in page
    assert "grant-2026-12" in page
    office = demo.verifier(OFFICE)
    [grant] = ok(demo.client.get(f"/v1/verifiers/{OFFICE}/grants", headers=office))["grants"]
    ok(demo.client.get(f"/v1/verifiers/{OFFICE}/grants/{grant['id']}", headers=office))
    token = csrf_of(page)
    withdrawn = demo.client.post(
        f"/wallet/grants/{grant['id']}/withdraw",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    problem(
        demo.client.get(f"/v1/verifiers/{OFFICE}/grants/{grant['id']}", headers=office),
        410,
        "grant_withdrawn",
    )
    activity = visitor.page("/wallet/activity").text
    assert "A guidance service looked at what you gave it access to" in activity


def test_the_guidance_pages_need_a_signed_in_person(demo: Demo) -> None:
    for path in ("/wallet/goals", f"/wallet/goals/{HELP_DESK}", "/wallet/grants"):
        answer = demo.client.get(path, follow_redirects=False)
        assert answer.status_code == 303, (path, answer.status_code)
        assert answer.headers["location"].startswith("/login")
        assert "ICT help desk agent" not in answer.text
