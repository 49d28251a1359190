"""The verifier staff's pages: ask, wait, read the report, verify again, check, the history.

Also the API's list of a verifier's requests and its "verify again", and the authorization
matrix of every page: signed out, another organisation's staff, the wrong role, a disabled
organisation are refused, nothing of the organisation is revealed and nothing changes.
"""

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from api.web.org_verify_pages import share_token
from tests.api.test_end_to_end import (
    ADMIN,
    BASE_URL,
    PYTHON,
    World,
    bearer,
    ok,
    receive_by_pickup,
)
from tests.api.test_end_to_end import (
    world as world,  # the fixture
)
from tests.api.test_foundation import assert_problem
from tests.api.web_support import Visitor, csrf_of
from verifiers.organisations import set_verifier_disabled
from verifiers.tables import VerifierNonce, VerifierRequest
from wallet.shares.viewing import present_share

STAFF_PASSWORD = "a long staff passphrase for tests"
STAFF = {
    "recruiter": ("employer", "verifier_staff"),
    "admin.employer": ("employer", "organisation_admin"),
    "clerk": ("college", "issuer_staff"),
    "stranger": ("other", "verifier_staff"),
    "issuing.hr": ("employer", "issuer_staff"),
}


@pytest.fixture
def staffed(world: World) -> World:
    for username, (organisation, role) in STAFF.items():
        ok(
            world.client.post(
                "/v1/admin/staff",
                json={
                    "username": username,
                    "password": STAFF_PASSWORD,
                    "name": username.title(),
                    "organisation": organisation,
                    "role": role,
                },
                headers=ADMIN,
            ),
            201,
        )
    return world


def _visitor(world: World) -> Iterator[Visitor]:
    with TestClient(world.client.app, base_url=BASE_URL) as fresh:
        yield Visitor(fresh)


@pytest.fixture
def staff(staffed: World) -> Iterator[Visitor]:
    yield from _visitor(staffed)


def sign_in(visitor: Visitor, username: str) -> None:
    fields = {"username": username, "password": STAFF_PASSWORD}
    visitor.submit("/org/login", "/org/login", fields, 303)


def ask_in_page(visitor: Visitor, *, skill: str = PYTHON) -> str:
    """Employer staff ask for a qualification at EQF 4 or higher with one skill; its id."""
    answer = visitor.submit(
        "/org/employer/requests/new",
        "/org/employer/requests/new",
        {
            "type": "qualification",
            "claim-qualification": ["title", "eqf_level"],
            "eqf_min": "4",
            "skill": skill,
            "purpose": "Your application for the developer job",
            "expires": "24",
        },
        303,
    )
    location: str = answer.headers["location"]
    assert location.startswith("/org/employer/requests/req_")
    return location.rsplit("/", 1)[1]


def answer_everything(world: World, request_id: str, credential_id: str) -> None:
    shown = ok(world.client.get(f"/v1/wallet/requests/{request_id}", headers=world.person))
    (query,) = shown["queries"]
    claim_ids = [asked["id"] for asked in query["asked"]]
    answer = ok(
        world.client.post(
            f"/v1/wallet/requests/{request_id}/response",
            json={
                "approvals": [
                    {
                        "query_id": query["query_id"],
                        "credential_id": credential_id,
                        "claim_ids": claim_ids,
                    }
                ]
            },
            headers=world.person,
        )
    )
    assert answer["outcome"]["verified"] is True, answer


def revoke_all(world: World) -> None:
    register = ok(
        world.client.get("/v1/issuers/college/credentials", headers=bearer(world.issuer_key))
    )
    for item in register["items"]:
        ok(
            world.client.post(
                f"/v1/issuers/college/credentials/{item['id']}/status",
                json={"status": "revoked"},
                headers=bearer(world.issuer_key),
            )
        )


def test_staff_ask_the_person_answers_the_report_passes_and_after_revocation_fails_in_finnish(
    staffed: World, staff: Visitor
) -> None:
    world = staffed
    credential_id = receive_by_pickup(world)
    sign_in(staff, "recruiter")
    form = staff.page("/org/employer/requests/new?q=python").text
    assert f'value="{PYTHON}"' in form and "Python (computer programming)" in form
    request_id = ask_in_page(staff)
    shown = staff.page(f"/org/employer/requests/{request_id}")
    assert shown.headers["refresh"] == "5" and "Stop updating" in shown.text
    still = staff.page(f"/org/employer/requests/{request_id}?updates=off")
    assert "refresh" not in still.headers and "Update this page automatically" in still.text
    waiting = shown.text
    assert f"{BASE_URL}/wallet/requests/{request_id}" in waiting and "<svg" in waiting
    asked = ok(
        world.client.get(
            f"/v1/verifiers/employer/requests/{request_id}", headers=bearer(world.verifier_key)
        )
    )
    assert asked["purpose"] == "Your application for the developer job"
    (credential,) = asked["dcql_query"]["credentials"]
    paths = [claim["path"] for claim in credential["claims"]]
    assert ["eqf_level"] in paths and ["skills", None, "uri"] in paths

    answer_everything(world, request_id, credential_id)
    answered = staff.page(f"/org/employer/requests/{request_id}")
    assert "refresh" not in answered.headers
    report = answered.text
    assert "Verified: every check passed." in report and "Failed</span>" not in report
    assert "Qualification title" in report and "EQF level" in report
    assert "Python (computer programming)" in report and PYTHON not in report
    assert "eqf_level" not in report
    assert "Met</span>: EQF level at least 4" in report
    assert "Met</span>: Shows the skill: Python (computer programming)" in report

    revoke_all(world)
    page = staff.page(f"/org/employer/requests/{request_id}").text
    again = staff.client.post(
        f"/org/employer/requests/{request_id}/verify-again",
        data={"csrf_token": csrf_of(page)},
        headers={"Accept-Language": "fi"},
    )
    assert again.status_code == 200, again.text
    assert "Myöntäjä on peruuttanut tämän tunnisteen." in again.text
    assert "Ei varmennettu" in again.text
    # The kept outcome is what the person answered; only the new check shows the revocation.
    state = ok(
        world.client.get(
            f"/v1/verifiers/employer/requests/{request_id}", headers=bearer(world.verifier_key)
        )
    )
    assert state["status"] == "verified"
    api_again = ok(
        world.client.post(
            f"/v1/verifiers/employer/requests/{request_id}/verify-again",
            headers={**bearer(world.verifier_key), "Accept-Language": "sv"},
        )
    )
    assert api_again["verified"] is False and api_again["language"] == "sv"
    status_check = [c for c in api_again["presentations"][0]["checks"] if c["check"] == "status"]
    assert status_check[0]["code"] == "credential_revoked"


def share_with(world: World, credential_id: str, audience: str) -> tuple[str, str]:
    """The person shares the title and EQF level with ``audience``; the share id and link."""
    created = ok(
        world.client.post(
            "/v1/wallet/shares",
            json={
                "credentials": [
                    {"credential_id": credential_id, "claims": [["title"], ["eqf_level"]]}
                ],
                "audience": audience,
                "purpose": "My application",
            },
            headers=world.person,
        ),
        201,
    )
    return created["id"], created["url"]


def presentation_for(world: World, engine: Engine, share_id: str, nonce: str) -> str:
    """What the person's wallet presents of the share for ``nonce`` (its KB-JWT names it)."""
    kek = world.client.app.state.kek  # type: ignore[attr-defined]
    with Session(engine) as session:
        made = present_share(
            session, share_id=share_id, nonce=nonce, kek=kek, now=datetime.now(UTC)
        )
        session.commit()
    (presentation,) = made.presentations
    return presentation


def one_time_code(staff: Visitor) -> str:
    shown = staff.submit("/org/employer/verify", "/org/employer/verify/code", {}, 200).text
    found = re.search(r'id="nonce">([^<]+)<', shown)
    assert found is not None
    return found.group(1)


def test_staff_check_a_pasted_or_uploaded_presentation_once_through_the_gate(
    staffed: World, staff: Visitor, clean_engine: Engine
) -> None:
    world = staffed
    credential_id = receive_by_pickup(world)
    share_id, _link = share_with(world, credential_id, world.verifier_client_id)
    sign_in(staff, "recruiter")
    token = presentation_for(world, clean_engine, share_id, one_time_code(staff))
    checked = staff.submit("/org/employer/verify", "/org/employer/verify", {"presentation": token})
    assert checked.status_code == 200, checked.text
    assert "Verified: every check passed." in checked.text
    assert "Qualification title" in checked.text and "Tieto- ja viestintätekniikan" in checked.text
    replayed = staff.submit("/org/employer/verify", "/org/employer/verify", {"presentation": token})
    assert replayed.status_code == 422 and "has been checked already" in replayed.text

    upload = presentation_for(world, clean_engine, share_id, one_time_code(staff))
    page = staff.page("/org/employer/verify").text
    uploaded = staff.client.post(
        "/org/employer/verify",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("presentation.txt", upload.encode(), "text/plain")},
    )
    assert uploaded.status_code == 200 and "Verified: every check passed." in uploaded.text
    too_big = staff.client.post(
        "/org/employer/verify",
        data={"csrf_token": csrf_of(page)},
        files={"file": ("big.txt", b"a" * (64 * 1024 + 1), "text/plain")},
    )
    assert too_big.status_code == 422 and 'id="presentation-error"' in too_big.text

    unknown = presentation_for(world, clean_engine, share_id, "a-nonce-nobody-issued")
    refused = staff.submit(
        "/org/employer/verify", "/org/employer/verify", {"presentation": unknown}
    )
    assert refused.status_code == 422 and "not made for a code" in refused.text
    garbage = staff.submit("/org/employer/verify", "/org/employer/verify", {"presentation": "x~y"})
    assert garbage.status_code == 422


def test_staff_open_a_share_link_made_for_them_and_no_one_else_can(
    staffed: World, staff: Visitor
) -> None:
    world = staffed
    credential_id = receive_by_pickup(world)
    share_id, link = share_with(world, credential_id, world.verifier_client_id)
    sign_in(staff, "recruiter")
    opened = staff.submit("/org/employer/verify", "/org/employer/verify/share", {"link": link})
    assert opened.status_code == 200, opened.text
    assert "Verified: every check passed." in opened.text and "My application" in opened.text
    for stranger in _visitor(world):
        sign_in(stranger, "stranger")
        refused = stranger.submit("/org/other/verify", "/org/other/verify/share", {"link": link})
        assert refused.status_code == 422 and "does not open for your organisation" in refused.text
        assert "Tieto- ja viestintätekniikan" not in refused.text
    views = ok(world.client.get(f"/v1/wallet/shares/{share_id}", headers=world.person))
    assert views["view_count"] == 1
    _anyone_id, anyone = share_with(world, credential_id, "anyone")
    opened = staff.submit("/org/employer/verify", "/org/employer/verify/share", {"link": anyone})
    assert opened.status_code == 200 and "Verified: every check passed." in opened.text
    withdrawn = world.client.delete(f"/v1/wallet/shares/{share_id}", headers=world.person)
    assert withdrawn.status_code == 204
    gone = staff.submit("/org/employer/verify", "/org/employer/verify/share", {"link": link})
    assert gone.status_code == 422 and "withdrawn" in gone.text


def test_the_history_lists_requests_newest_first_in_pages(staffed: World, staff: Visitor) -> None:
    world = staffed
    sign_in(staff, "recruiter")
    first, second = ask_in_page(staff), ask_in_page(staff)
    listing = staff.page("/org/employer/requests").text
    assert listing.index(second) < listing.index(first)
    assert "Waiting for an answer" in listing
    key = bearer(world.verifier_key)
    page = ok(world.client.get("/v1/verifiers/employer/requests?limit=1", headers=key))
    assert [item["id"] for item in page["items"]] == [second] and page["next_cursor"]
    rest = ok(
        world.client.get(
            "/v1/verifiers/employer/requests",
            params={"limit": 1, "cursor": page["next_cursor"]},
            headers=key,
        )
    )
    assert [item["id"] for item in rest["items"]] == [first] and rest["next_cursor"] is None
    assert rest["items"][0]["status"] == "pending"
    assert set(rest["items"][0]) == {
        "id",
        "status",
        "purpose",
        "created_at",
        "expires_at",
        "answered_at",
    }
    assert_problem(
        world.client.get("/v1/verifiers/employer/requests?cursor=bm90LWEtZGF0ZQ", headers=key),
        400,
        "page_invalid",
    )
    assert (
        world.client.get("/v1/verifiers/employer/requests?limit=0", headers=key).status_code == 422
    )
    assert (
        world.client.get("/v1/verifiers/employer/requests?limit=101", headers=key).status_code
        == 422
    )
    others = ok(world.client.get("/v1/verifiers/other/requests", headers=bearer(world.other_key)))
    assert others["items"] == []
    assert_problem(
        world.client.post(f"/v1/verifiers/employer/requests/{first}/verify-again", headers=key),
        409,
        "verifier_answer_not_kept",
    )
    assert_problem(
        world.client.post(
            f"/v1/verifiers/other/requests/{first}/verify-again", headers=bearer(world.other_key)
        ),
        404,
        "verifier_request_not_found",
    )


def test_the_list_endpoint_refuses_without_the_verifiers_own_live_key(
    staffed: World, staff: Visitor
) -> None:
    world = staffed
    sign_in(staff, "recruiter")
    request_id = ask_in_page(staff)
    path = "/v1/verifiers/employer/requests"
    assert_problem(world.client.get(path), 401, "unauthenticated")
    assert_problem(
        world.client.get(path, headers=bearer(world.other_key)), 404, "verifier_not_found"
    )
    assert_problem(
        world.client.post(f"{path}/{request_id}/verify-again", headers=bearer(world.other_key)),
        404,
        "verifier_not_found",
    )
    assert_problem(
        world.client.get(path, headers=bearer(world.issuer_key)), 401, "verifier_key_invalid"
    )
    # The admin revokes the key in the page; the key stops working for the list at once.
    for admin in _visitor(world):
        sign_in(admin, "admin.employer")
        keys = admin.page("/org/employer/api-keys").text
        key_id = re.search(r"/org/employer/api-keys/(vkey_[\w-]+)/revoke", keys)
        assert key_id is not None
        revoke = f"/org/employer/api-keys/{key_id.group(1)}/revoke"
        admin.submit(revoke, revoke, {}, 303)
    assert_problem(
        world.client.get(path, headers=bearer(world.verifier_key)), 401, "verifier_key_invalid"
    )


def _pages(request_id: str) -> list[tuple[str, str, dict[str, object]]]:
    """Every verifier page and form of the employer (method, path, form fields)."""
    ask: dict[str, object] = {
        "type": "qualification",
        "claim-qualification": ["title"],
        "purpose": "An intruder's request",
    }
    return [
        ("GET", "/org/employer/requests/new", {}),
        ("GET", "/org/employer/requests/new?q=python", {}),
        ("POST", "/org/employer/requests/new", ask),
        ("GET", "/org/employer/requests", {}),
        ("GET", f"/org/employer/requests/{request_id}", {}),
        ("POST", f"/org/employer/requests/{request_id}/verify-again", {}),
        ("GET", "/org/employer/verify", {}),
        ("POST", "/org/employer/verify/code", {}),
        ("POST", "/org/employer/verify", {"presentation": "x~y~"}),
        ("POST", "/org/employer/verify/share", {"link": "https://taito.test/s/abc"}),
    ]


def _state(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        requests = session.exec(select(func.count()).select_from(VerifierRequest)).one()
        nonces = session.exec(select(func.count()).select_from(VerifierNonce)).one()
    return int(requests), int(nonces)


def _ask(visitor: Visitor, method: str, path: str, fields: dict[str, object]) -> int:
    if method == "GET":
        response = visitor.client.get(path, follow_redirects=False)
    else:
        token = csrf_of(visitor.client.get("/login").text)  # this browser's own token
        response = visitor.client.post(
            path, data={"csrf_token": token, **fields}, follow_redirects=False
        )
    if response.status_code in (403, 404):
        assert "Rekry Oy" not in response.text and "An intruder" not in response.text, path
    return int(response.status_code)


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 303), ("stranger", 404), ("clerk", 404), ("issuing.hr", 403)],
)
def test_every_verifier_page_refuses_those_without_the_right_and_changes_nothing(
    staffed: World, staff: Visitor, clean_engine: Engine, who: str | None, expected: int
) -> None:
    for recruiter in _visitor(staffed):
        sign_in(recruiter, "recruiter")
        request_id = ask_in_page(recruiter)
    if who is not None:
        sign_in(staff, who)
    before = _state(clean_engine)
    for method, path, fields in _pages(request_id):
        assert _ask(staff, method, path, fields) == expected, (who, method, path)
    assert _state(clean_engine) == before


def test_a_disabled_organisation_refuses_its_verifier_pages_even_to_its_admin(
    staffed: World, staff: Visitor, clean_engine: Engine
) -> None:
    sign_in(staff, "admin.employer")
    request_id = ask_in_page(staff)
    with Session(clean_engine) as session:
        set_verifier_disabled(
            session, slug="employer", disabled=True, base_url=BASE_URL, now=datetime.now(UTC)
        )
    before = _state(clean_engine)
    for method, path, fields in _pages(request_id):
        assert _ask(staff, method, path, fields) == 403, (method, path)
    assert _state(clean_engine) == before


@pytest.mark.parametrize(
    ("link", "token"),
    [
        ("https://taito.test/s/abc_DEF-123", "abc_DEF-123"),
        ("  https://taito.test/s/abc?x=1#frag ", "abc"),
        ("abc-123", "abc-123"),
        ("https://taito.test/s/", None),
        ("https://taito.test/s/a b", None),
        ("https://taito.test/s/" + "a" * 129, None),
        ("https://taito.test/s/../wallet", None),
    ],
)
def test_a_pasted_share_link_gives_its_token_or_nothing(link: str, token: str | None) -> None:
    assert share_token(link) == token
