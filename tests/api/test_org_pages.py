"""Organisations' pages: staff sign-in, the admin's staff and key pages, and who is refused.

The authorization matrix: every organisation page and form, asked signed out, by another
organisation's staff, by the wrong role and for a disabled organisation, is refused; the refusal
names nothing of the organisation, and nothing changes.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from issuers.api_keys import list_api_keys
from issuers.custody import list_keys
from issuers.organisations import create_issuer, set_issuer_disabled
from tests.api.test_issuers_admin import admin as admin  # the admin-token fixture
from tests.api.web_support import Visitor, csrf_of
from tests.service.test_wallet_support import FAST_HASHING
from verifiers.organisations import create_verifier
from wallet.staff import create_staff_account, list_staff

PASSWORD = "kevätlukukausi alkaa pian"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


@dataclass
class Place:
    engine: Engine
    college_key: str
    college_id: str
    admin_id: str
    clerk_id: str


@pytest.fixture
def place(clean_engine: Engine, client: TestClient) -> Place:
    with Session(clean_engine, expire_on_commit=False) as session:
        college = create_issuer(
            session,
            name="Esimerkkiopisto",
            slug="college",
            types=["qualification"],
            alg="EdDSA",
            kek=client.app.state.kek,  # type: ignore[attr-defined]
            now=NOW,
        )
        create_verifier(
            session, slug="employer", name="Rekrytalo Oy", base_url="https://taito.test", now=NOW
        )
        staff = {}
        for username, organisation, role in (
            ("admin.college", "college", "organisation_admin"),
            ("clerk.college", "college", "issuer_staff"),
            ("recruiter", "employer", "verifier_staff"),
            ("admin.employer", "employer", "organisation_admin"),
        ):
            staff[username] = create_staff_account(
                session,
                username=username,
                password=PASSWORD,
                name=username.title(),
                hashing=FAST_HASHING,
                now=NOW,
                organisation=organisation,
                role=role,
            )
    return Place(
        clean_engine,
        college.api_key,
        college.account.id,
        staff["admin.college"],
        staff["clerk.college"],
    )


def _browser(client: TestClient) -> Iterator[Visitor]:
    with TestClient(client.app, base_url="https://taito.test") as fresh:
        yield Visitor(fresh)


@pytest.fixture
def browser(client: TestClient) -> Iterator[Visitor]:
    yield from _browser(client)


def sign_in(visitor: Visitor, username: str) -> str:
    answer = visitor.submit(
        "/org/login", "/org/login", {"username": username, "password": PASSWORD}, 303
    )
    location: str = answer.headers["location"]
    return location


def test_staff_sign_in_at_org_login_and_land_on_their_organisation(
    place: Place, browser: Visitor
) -> None:
    assert sign_in(browser, "clerk.college") == "/org"
    landing = browser.client.get("/org", follow_redirects=False)
    assert landing.status_code == 303 and landing.headers["location"] == "/org/college"
    home = browser.page("/org/college")
    assert "Esimerkkiopisto" in home.text and "Clerk.College" in home.text
    assert "/org/college/api-keys" not in home.text  # not an admin


def test_a_wrong_password_is_refused_at_the_field(place: Place, browser: Visitor) -> None:
    answer = browser.submit(
        "/org/login", "/org/login", {"username": "clerk.college", "password": "wrong one"}, 401
    )
    assert 'id="username-error"' in answer.text
    assert browser.client.get("/org/college", follow_redirects=False).status_code == 303


def test_an_admin_invites_someone_who_joins_once_and_is_then_removed(
    place: Place, browser: Visitor, client: TestClient
) -> None:
    sign_in(browser, "admin.college")
    invited = browser.submit(
        "/org/college/staff", "/org/college/staff/invite", {"role": "issuer_staff"}, 200
    )
    link = re.search(r"https://taito\.test/org/join\?token=(tsi_[\w-]+)", invited.text)
    assert link is not None
    for newcomer in _browser(client):
        join = f"/org/join?token={link.group(1)}"
        fields = {"token": link.group(1), "name": "Uusi Opettaja", "username": "uusi.opettaja"}
        newcomer.submit(join, "/org/join", {**fields, "password": PASSWORD}, 303)
        newcomer.page(join, 410)
        sign_in(newcomer, "uusi.opettaja")
        assert "Uusi Opettaja" in newcomer.page("/org/college").text
        with Session(place.engine) as session:
            (member,) = [
                m
                for m, _ in list_staff(session, organisation="college")
                if m.name == "Uusi Opettaja"
            ]
        browser.page(f"/org/college/staff/{member.id}/remove")
        browser.submit(
            f"/org/college/staff/{member.id}/remove",
            f"/org/college/staff/{member.id}/remove",
            {},
            303,
        )
        assert newcomer.client.get("/org/college").status_code == 404


def test_an_admin_adds_a_key_shown_once_and_revokes_it_after_a_confirmation(
    place: Place, browser: Visitor, client: TestClient
) -> None:
    sign_in(browser, "admin.college")
    created = browser.submit(
        "/org/college/api-keys", "/org/college/api-keys", {"name": "Opiskelijarekisteri"}, 200
    )
    secret = re.search(r"tik_[\w-]{43}", created.text)
    assert secret is not None
    bearer = {"Authorization": f"Bearer {secret.group(0)}"}
    assert client.get("/v1/issuers/college", headers=bearer).status_code == 200
    listing = browser.page("/org/college/api-keys")
    assert secret.group(0) not in listing.text and "Opiskelijarekisteri" in listing.text
    with Session(place.engine) as session:
        (key,) = [
            k for k in list_api_keys(session, issuer_id=place.college_id) if k.name != "first key"
        ]
    confirm = browser.page(f"/org/college/api-keys/{key.id}/revoke")
    assert "cannot be undone" in confirm.text
    browser.submit(
        f"/org/college/api-keys/{key.id}/revoke", f"/org/college/api-keys/{key.id}/revoke", {}, 303
    )
    assert client.get("/v1/issuers/college", headers=bearer).status_code == 401


def _pages(place: Place) -> list[tuple[str, str, dict[str, str]]]:
    """Every organisation page and form of the college (method, path, form fields)."""
    admin, clerk = place.admin_id, place.clerk_id
    return [
        ("GET", "/org/college", {}),
        ("GET", "/org/college/staff", {}),
        ("POST", "/org/college/staff/invite", {"role": "organisation_admin"}),
        ("GET", f"/org/college/staff/{clerk}/remove", {}),
        ("POST", f"/org/college/staff/{admin}/remove", {}),
        ("GET", "/org/college/api-keys", {}),
        ("POST", "/org/college/api-keys", {"name": "intruder"}),
        ("GET", "/org/college/api-keys/ikey_x/revoke", {}),
        ("POST", f"/org/college/api-keys/ikey_{place.college_id}/revoke", {}),
        ("GET", "/org/college/signing-keys", {}),
        ("GET", "/org/college/signing-keys/rotate", {}),
        ("POST", "/org/college/signing-keys/rotate", {}),
    ]


def _state(place: Place) -> tuple[object, ...]:
    with Session(place.engine) as session:
        staff = tuple(sorted((m.id, r) for m, r in list_staff(session, organisation="college")))
        keys = tuple(
            (k.id, k.revoked_at) for k in list_api_keys(session, issuer_id=place.college_id)
        )
        signing = tuple(k.kid for k in list_keys(session, issuer_id=place.college_id))
    return staff, keys, signing


def _ask(visitor: Visitor, method: str, path: str, fields: dict[str, str]) -> int:
    if method == "GET":
        response = visitor.client.get(path, follow_redirects=False)
    else:
        token = csrf_of(visitor.client.get("/login").text)  # this browser's own token
        response = visitor.client.post(
            path, data={"csrf_token": token, **fields}, follow_redirects=False
        )
    if response.status_code in (403, 404):
        assert "Esimerkkiopisto" not in response.text, path
    return int(response.status_code)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, {303}),
        ("recruiter", {404}),
        ("admin.employer", {404}),
        ("clerk.college", {403}),
    ],
)
def test_every_organisation_page_refuses_those_without_the_right_and_changes_nothing(
    place: Place, browser: Visitor, who: str | None, expected: set[int]
) -> None:
    if who is not None:
        sign_in(browser, who)
    before = _state(place)
    for method, path, fields in _pages(place):
        status = _ask(browser, method, path, fields)
        if who == "clerk.college" and path in ("/org/college", "/org/college/signing-keys"):
            assert status == 200  # the start page is every member's; issuer staff see keys
            continue
        assert status in expected, (who, method, path, status)
    assert _state(place) == before


def test_a_disabled_organisation_refuses_even_its_admin(place: Place, browser: Visitor) -> None:
    sign_in(browser, "admin.college")
    with Session(place.engine) as session:
        set_issuer_disabled(session, slug="college", disabled=True, now=NOW)
    before = _state(place)
    for method, path, fields in _pages(place):
        assert _ask(browser, method, path, fields) == 403, (method, path)
    assert _state(place) == before


def test_every_form_without_its_csrf_token_is_refused_and_changes_nothing(
    place: Place, browser: Visitor
) -> None:
    sign_in(browser, "admin.college")
    before = _state(place)
    forms = [p for p in _pages(place) if p[0] == "POST"] + [
        ("POST", "/org/logout", {}),
        ("POST", "/org/join", {"token": "tsi_x", "username": "x", "password": PASSWORD}),
        ("POST", "/org/login", {"username": "admin.college", "password": PASSWORD}),
    ]
    for _method, path, fields in forms:
        for token in ({}, {"csrf_token": "forged"}):
            response = browser.client.post(path, data={**fields, **token}, follow_redirects=False)
            assert response.status_code == 403, (path, response.status_code)
    assert _state(place) == before
    browser.page("/org/college")  # still signed in: the logout form was refused too


def test_issuer_staff_see_the_signing_keys_and_an_admin_rotates_after_a_confirmation(
    place: Place, browser: Visitor, client: TestClient
) -> None:
    for clerk in _browser(client):
        sign_in(clerk, "clerk.college")
        listing = clerk.page("/org/college/signing-keys")
        assert (
            "Signs new credentials" in listing.text and "/signing-keys/rotate" not in listing.text
        )
    sign_in(browser, "admin.college")
    confirm = browser.page("/org/college/signing-keys/rotate")
    assert "the old key stays published" in confirm.text
    browser.submit("/org/college/signing-keys/rotate", "/org/college/signing-keys/rotate", {}, 303)
    with Session(place.engine) as session:
        keys = list_keys(session, issuer_id=place.college_id)
    assert len(keys) == 2 and keys[0].retired_at is None and keys[1].retired_at is not None
    assert "still published" not in browser.page("/org/college/signing-keys").text


def test_staff_roles_and_invitations_are_given_only_for_an_organisation_that_exists(
    place: Place, client: TestClient, admin: dict[str, str]
) -> None:
    # A role made for a slug nobody has yet would open an organisation registered under it later.
    created = client.post(
        "/v1/admin/staff",
        json={
            "username": "squatter@example.fi",
            "password": "a long and unusual passphrase",
            "name": "Squatter",
            "organisation": "not-yet-registered",
            "role": "organisation_admin",
        },
        headers=admin,
    )
    assert created.status_code == 404 and created.json()["code"] == "organisation_not_found"
    invited = client.post(
        "/v1/admin/organisations/not-yet-registered/staff/invites",
        json={"role": "organisation_admin"},
        headers=admin,
    )
    assert invited.status_code == 404
    listed = client.get("/v1/admin/organisations/not-yet-registered/staff", headers=admin)
    assert listed.status_code == 404
