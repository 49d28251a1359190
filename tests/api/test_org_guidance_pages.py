"""The counsellors' people pages and the educators' opportunity pages (issue 16), and who is
refused: signed out, another organisation's staff, the wrong role, a disabled organisation."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from issuers.opportunities import list_opportunities
from issuers.organisations import get_issuer, set_issuer_disabled
from tests.api.guidance_support import (
    ANALYST,
    HELP_DESK,
    PROVIDE_ICT_SUPPORT,
    SOLVE_ICT_PROBLEMS,
    TICKETING,
    Demo,
    demo,
    ok,
)
from tests.api.test_guidance_grants import credential_of, grant, reads_logged
from tests.api.web_support import Visitor, csrf_of
from tests.service.test_wallet_support import FAST_HASHING
from verifiers.organisations import set_verifier_disabled
from wallet.staff import create_staff_account

__all__ = ["demo"]

OFFICE = "demo-employment-office"
COLLEGE = "demo-college"
COUNSELLOR = "ohjaaja@demo-employment-office"
LIISA = "liisa@demo-college"
PASSWORD = "a long passphrase for odd roles"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def browser(demo: Demo) -> Iterator[Visitor]:
    with TestClient(demo.client.app, base_url="https://taito.test") as fresh:
        yield Visitor(fresh)


def sign_in(demo: Demo, visitor: Visitor, username: str) -> None:
    password = next(
        (s.password for s in demo.credentials.staff if s.username == username), PASSWORD
    )
    fields = {"username": username, "password": password}
    visitor.submit("/org/login", "/org/login", fields, 303)


def engine_of(demo: Demo) -> Engine:
    engine: Engine = demo.client.app.state.engine  # type: ignore[attr-defined]
    return engine


def odd_staff(demo: Demo, username: str, organisation: str, role: str) -> None:
    """A member whose role in the organisation is not the one the pages need."""
    with Session(engine_of(demo)) as session:
        create_staff_account(
            session,
            username=username,
            password=PASSWORD,
            name="Odd Role",
            hashing=FAST_HASHING,
            now=NOW,
            organisation=organisation,
            role=role,
        )


def aino_grants(demo: Demo) -> tuple[dict[str, str], str, str]:
    """Aino aims at help desk work and gives the office her profile and work certificate."""
    aino = demo.person(0)
    work = credential_of(demo, aino, "work_experience")
    ok(demo.client.post("/v1/wallet/goals", json={"occupation_id": HELP_DESK}, headers=aino), 201)
    ok(demo.client.post("/v1/wallet/skills", json={"uri": SOLVE_ICT_PROBLEMS}, headers=aino), 201)
    made = ok(grant(demo, aino, credential_ids=[work], label="Aino K."), 201)
    return aino, str(made["id"]), work


def test_the_counsellor_sees_the_people_a_verified_skill_and_the_gap_and_each_read_is_logged(
    demo: Demo, browser: Visitor
) -> None:
    aino, grant_id, work = aino_grants(demo)
    sign_in(demo, browser, COUNSELLOR)
    home = browser.page(f"/org/{OFFICE}").text
    assert f'href="/org/{OFFICE}/people"' in home
    listing = browser.page(f"/org/{OFFICE}/people").text
    assert "Career guidance at the employment office" in listing
    assert f'href="/org/{OFFICE}/people/{grant_id}">Aino K.</a>' in listing
    assert reads_logged(demo, aino) == []  # the list reads no one's data

    person = browser.page(f"/org/{OFFICE}/people/{grant_id}").text
    verified = re.search(
        r"provide ICT support</span> –\s*<span[^>]*>Verified</span> by ([^<]+)<", person
    )
    assert verified is not None and verified.group(1).strip()
    assert "solve ICT system problems</span> –" in person and "Declared by the person" in person
    assert '<h2 id="gap-1">Gap to <span lang="en">ICT help desk agent</span></h2>' in person
    assert "Missing skills (" in person and "IT-tukihenkilön osaamisala" in person
    assert "http://data.europa.eu" not in person and "in_person" not in person
    assert reads_logged(demo, aino) == [
        {
            "grant_id": grant_id,
            "organisation": reads_logged(demo, aino)[0]["organisation"],
            "read": ["profile", "gaps", work],
            "reads": 1,
        }
    ]

    search = browser.page(f"/org/{OFFICE}/people/{grant_id}?q=data+analyst").text
    assert f'href="/org/{OFFICE}/people/{grant_id}?occupation={ANALYST}"' in search
    chosen = browser.page(f"/org/{OFFICE}/people/{grant_id}?occupation={ANALYST}").text
    assert '<h2 id="gap-2">Gap to <span lang="en">data analyst</span></h2>' in chosen
    wrong = browser.page(f"/org/{OFFICE}/people/{grant_id}?occupation=not-one", 422).text
    assert 'id="q-error"' in wrong
    assert len(reads_logged(demo, aino)) == 4

    browser.client.get("/language?lang=fi&next=/")
    finnish = browser.page(f"/org/{OFFICE}/people/{grant_id}").text
    assert "Varmennettu" in finnish


def test_after_withdrawal_the_counsellor_sees_only_that_access_has_ended(
    demo: Demo, browser: Visitor
) -> None:
    aino, grant_id, _work = aino_grants(demo)
    sign_in(demo, browser, COUNSELLOR)
    browser.page(f"/org/{OFFICE}/people/{grant_id}")
    ok(demo.client.delete(f"/v1/wallet/grants/{grant_id}", headers=aino), 204)
    ended = browser.page(f"/org/{OFFICE}/people/{grant_id}", 410).text
    assert "Access has ended" in ended
    assert "provide ICT support" not in ended and "Career guidance" not in ended
    assert grant_id not in browser.page(f"/org/{OFFICE}/people").text
    assert len(reads_logged(demo, aino)) == 1
    browser.page(f"/org/{OFFICE}/people/gra_{'0' * 32}", 404)


def test_a_revoked_credential_is_no_longer_verified_on_the_next_load(
    demo: Demo, browser: Visitor
) -> None:
    _aino, grant_id, _work = aino_grants(demo)
    sign_in(demo, browser, COUNSELLOR)
    assert "Verified</span>" in browser.page(f"/org/{OFFICE}/people/{grant_id}").text
    demo.revoke_work_certificates()
    again = browser.page(f"/org/{OFFICE}/people/{grant_id}").text
    assert "Verified</span>" not in again and "Does not pass the checks" in again
    assert "Verified skills (0)" in again


def test_an_educator_adds_edits_and_removes_an_opportunity(demo: Demo, browser: Visitor) -> None:
    sign_in(demo, browser, LIISA)
    base = f"/org/{COLLEGE}/opportunities"
    assert f'href="{base}"' in browser.page(f"/org/{COLLEGE}").text
    assert "IT-tukihenkilön osaamisala" in browser.page(base).text
    refused = browser.submit(f"{base}/new", f"{base}/new", {"title": "", "step": "save"}, 422)
    for name in ("title", "skill_q", "amount", "mode", "link"):
        assert f'href="#{name}"' in refused.text, name
    searched = browser.submit(
        f"{base}/new",
        f"{base}/new",
        {"title": "Tikettikurssi", "skill_q": "ticketing", "step": "search"},
        200,
    )
    assert f'value="{TICKETING}"' in searched.text and 'value="Tikettikurssi"' in searched.text
    fields: dict[str, Any] = {
        "title": "Tikettikurssi",
        "provider": "Esimerkkiopisto",
        "description": "Tikettien käsittely.",
        "skill": [TICKETING, PROVIDE_ICT_SUPPORT],
        "eqf_level": "4",
        "amount": "6",
        "unit": "W",
        "mode": "online",
        "language": "fi",
        "link": "https://opisto.example.fi/tiketit",
        "step": "save",
    }
    added = browser.submit(f"{base}/new", f"{base}/new", fields, 303)
    assert added.headers["location"] == f"{base}?done=added"
    college = demo.issuer(COLLEGE)
    listed = ok(demo.client.get(f"/v1/issuers/{COLLEGE}/opportunities", headers=college))
    [new] = [o for o in listed["opportunities"] if o["title"] == "Tikettikurssi"]
    assert new["duration"] == "P6W" and sorted(new["skills"]) == sorted(
        [TICKETING, PROVIDE_ICT_SUPPORT]
    )
    page = browser.page(f"{base}?done=added").text
    assert "6 weeks" in page and "Online" in page and "Finnish" in page

    edit = browser.page(f"{base}/{new['id']}").text
    assert 'value="Tikettikurssi"' in edit and "checked" in edit
    browser.submit(
        f"{base}/{new['id']}",
        f"{base}/{new['id']}",
        fields | {"title": "Tiketit 2", "amount": "2", "unit": "M"},
        303,
    )
    listed = ok(demo.client.get(f"/v1/issuers/{COLLEGE}/opportunities", headers=college))
    [changed] = [o for o in listed["opportunities"] if o["id"] == new["id"]]
    assert changed["title"] == "Tiketit 2" and changed["duration"] == "P2M"

    confirm = browser.page(f"{base}/{new['id']}/remove").text
    assert "Remove Tiketit 2?" in confirm
    browser.submit(f"{base}/{new['id']}/remove", f"{base}/{new['id']}/remove", {}, 303)
    listed = ok(demo.client.get(f"/v1/issuers/{COLLEGE}/opportunities", headers=college))
    assert new["id"] not in [o["id"] for o in listed["opportunities"]]
    browser.page(f"{base}/{new['id']}", 404)


def _people_pages(grant_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("GET", f"/org/{OFFICE}/people", {}),
        ("GET", f"/org/{OFFICE}/people/{grant_id}", {}),
    ]


def _opportunity_pages(opportunity_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"/org/{COLLEGE}/opportunities"
    fields = {
        "title": "Intruder",
        "skill": [TICKETING],
        "amount": "1",
        "mode": "online",
        "language": "fi",
        "link": "https://x.example/",
        "step": "save",
    }
    return [
        ("GET", base, {}),
        ("GET", f"{base}/new", {}),
        ("POST", f"{base}/new", fields),
        ("GET", f"{base}/{opportunity_id}", {}),
        ("POST", f"{base}/{opportunity_id}", fields),
        ("GET", f"{base}/{opportunity_id}/remove", {}),
        ("POST", f"{base}/{opportunity_id}/remove", {}),
    ]


def _ask(visitor: Visitor, method: str, path: str, fields: dict[str, Any]) -> int:
    if method == "GET":
        response = visitor.client.get(path, follow_redirects=False)
    else:
        token = csrf_of(visitor.client.get("/login").text)
        response = visitor.client.post(
            path, data={"csrf_token": token, **fields}, follow_redirects=False
        )
    if response.status_code in (403, 404):
        assert "työllisyyspalvelut" not in response.text and "Career guidance" not in response.text
    return int(response.status_code)


def _state(demo: Demo, aino: dict[str, str]) -> tuple[object, ...]:
    with Session(engine_of(demo)) as session:
        college = get_issuer(session, slug=COLLEGE)
        opportunities = list_opportunities(session, issuer_id=college.id)
    return opportunities, len(reads_logged(demo, aino))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, 303),
        ("rekry@demo-employer", 404),
        ("admin@demo-university", 404),
        ("odd@demo-employment-office", 403),
        ("odd@demo-college", 403),
    ],
)
def test_every_page_refuses_those_without_the_right_and_changes_nothing(
    demo: Demo, browser: Visitor, who: str | None, expected: int
) -> None:
    aino, grant_id, _work = aino_grants(demo)
    college = demo.issuer(COLLEGE)
    [first, *_] = ok(demo.client.get(f"/v1/issuers/{COLLEGE}/opportunities", headers=college))[
        "opportunities"
    ]
    odd = {
        "odd@demo-employment-office": (OFFICE, "issuer_staff"),
        "odd@demo-college": (COLLEGE, "verifier_staff"),
    }
    if who in odd:
        odd_staff(demo, who, *odd[who])
    if who is not None:
        sign_in(demo, browser, who)
    pages = _people_pages(grant_id) + _opportunity_pages(first["id"])
    if who == "odd@demo-employment-office":
        pages = _people_pages(grant_id)  # a member of the office, not of the college
    if who == "odd@demo-college":
        pages = _opportunity_pages(first["id"])
    before = _state(demo, aino)
    for method, path, fields in pages:
        assert _ask(browser, method, path, fields) == expected, (who, method, path)
    assert _state(demo, aino) == before


def test_the_people_pages_are_only_a_guidance_services_and_opportunities_only_an_educators(
    demo: Demo, browser: Visitor
) -> None:
    sign_in(demo, browser, "rekry@demo-employer")
    browser.page("/org/demo-employer/people", 404)
    assert "/people" not in browser.page("/org/demo-employer").text


def test_a_disabled_organisation_refuses_its_staff_and_changes_nothing(
    demo: Demo,
) -> None:
    aino, grant_id, _work = aino_grants(demo)
    college = demo.issuer(COLLEGE)
    [first, *_] = ok(demo.client.get(f"/v1/issuers/{COLLEGE}/opportunities", headers=college))[
        "opportunities"
    ]
    with Session(engine_of(demo)) as session:
        set_verifier_disabled(
            session, slug=OFFICE, disabled=True, base_url="https://taito.test", now=NOW
        )
        set_issuer_disabled(session, slug=COLLEGE, disabled=True, now=NOW)
    before = _state(demo, aino)
    for username, pages in (
        (COUNSELLOR, _people_pages(grant_id)),
        (LIISA, _opportunity_pages(first["id"])),
    ):
        with TestClient(demo.client.app, base_url="https://taito.test") as fresh:
            visitor = Visitor(fresh)
            sign_in(demo, visitor, username)
            for method, path, fields in pages:
                assert _ask(visitor, method, path, fields) == 403, (username, path)
    assert _state(demo, aino) == before


def test_forms_without_their_csrf_token_are_refused_and_change_nothing(
    demo: Demo, browser: Visitor
) -> None:
    aino, _grant_id, _work = aino_grants(demo)
    college = demo.issuer(COLLEGE)
    [first, *_] = ok(demo.client.get(f"/v1/issuers/{COLLEGE}/opportunities", headers=college))[
        "opportunities"
    ]
    sign_in(demo, browser, LIISA)
    before = _state(demo, aino)
    for method, path, fields in _opportunity_pages(first["id"]):
        if method == "POST":
            for token in ({}, {"csrf_token": "forged"}):
                answer = browser.client.post(path, data={**fields, **token}, follow_redirects=False)
                assert answer.status_code == 403, path
    assert _state(demo, aino) == before


def test_odd_opportunity_fields_are_errors_at_the_field_and_a_long_description_is_kept_whole(
    demo: Demo, browser: Visitor
) -> None:
    sign_in(demo, browser, LIISA)
    base = f"/org/{COLLEGE}/opportunities"
    fields: dict[str, Any] = {
        "title": "Pitkä kuvaus",
        "provider": "Esimerkkiopisto",
        "description": "x" * 2001,
        "skill": [TICKETING, "http://data.europa.eu/esco/skill/not-a-skill"],
        "eqf_level": "9",
        "amount": "²",
        "unit": "W",
        "mode": "by post",
        "language": "FI",
        "link": "http://insecure.example/",
        "step": "save",
    }
    refused = browser.submit(f"{base}/new", f"{base}/new", fields, 422).text
    for name in ("description", "eqf_level", "amount", "mode", "language", "link"):
        assert f'href="#{name}"' in refused, name
    assert 'href="#skill_q"' not in refused  # the known skill counts; the unknown one is dropped
    fixed = fields | {
        "description": "y" * 1500,
        "eqf_level": "",
        "amount": "3",
        "mode": "blended",
        "language": "sv",
        "link": "https://opisto.example.fi/x",
    }
    browser.submit(f"{base}/new", f"{base}/new", fixed, 303)
    college = demo.issuer(COLLEGE)
    listed = ok(demo.client.get(f"/v1/issuers/{COLLEGE}/opportunities", headers=college))
    [made] = [o for o in listed["opportunities"] if o["title"] == "Pitkä kuvaus"]
    assert made["description"] == "y" * 1500 and made["skills"] == [TICKETING]
    assert made["eqf_level"] is None and made["language"] == "sv"
