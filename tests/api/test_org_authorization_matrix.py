"""The authorization matrix over every organisation and platform page, read from the app's routes.

Every route under ``/org/{slug}`` and ``/platform`` is found in the FastAPI app (so pages added
later are covered without editing this file), and the role it needs is read from its
dependencies (:mod:`api.web.org_access`: ``MemberDep``, ``IssuerStaffDep``, ``VerifierStaffDep``,
``AdminDep``, ``PlatformAdminDep``). A route with none of them fails the test, and the pages
known today must keep the role they have (:data:`KNOWN`). Each route is then asked, with real
ids in its path and a plausible form (which, posted by a platform admin, does change the
database), signed out, by another organisation's staff, by a member with the wrong role, for a
disabled organisation and (forms) without the CSRF token: each is refused, another
organisation's staff get the same page as for an organisation that does not exist, and the
database is the same afterwards (every row of every table, not only their counts). The
organisations' API endpoints refuse a revoked API key with 401 and change nothing.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session

from api.flows.organisations import (
    add_organisation_key,
    find_organisation,
    organisation_keys,
    revoke_organisation_key,
)
from issuers.organisations import create_issuer, set_issuer_disabled
from tests.api.org_routes import (
    app_routes,
    fill,
    guarded_routes,
    key_checks,
    required_role,
    unprotected,
)
from tests.api.web_support import Visitor, csrf_of
from tests.service.test_wallet_support import FAST_HASHING
from verifiers.organisations import create_verifier, set_verifier_disabled
from verifiers.trust import add_trusted_issuer
from verifiers.trust_entries import KeySource, TrustEntry
from wallet.staff import create_staff_account

PASSWORD = "kevätlukukausi alkaa pian"
NOW = datetime(2026, 3, 1, tzinfo=UTC)
BASE = "https://taito.test"
NAME = "Esimerkkiopisto"

TRUSTED = "https://luotettu.example.fi"
QUALIFICATION = f"{BASE}/types/qualification/v1"
COMPETENCE = f"{BASE}/types/competence/v1"

FORM: dict[str, Any] = {
    "role": "organisation_admin",
    "name": "intruder",
    "kind": "issuer",
    "identifier": TRUSTED,
    "display_name": "Intruder",
    "key_source": "issuer_metadata",
    "vct_values": [QUALIFICATION],
    "keep": [QUALIFICATION],
    "confirmed": "yes",
    "document": json.dumps(
        {
            "version": 1,
            "trusted_issuers": [
                {
                    "identifier": "https://intruder.example.fi",
                    "display_name": "Intruder",
                    "key_source": "issuer_metadata",
                    "vct_values": [QUALIFICATION],
                }
            ],
        }
    ),
}
"""Plausible fields for every form: posted by someone allowed, most of them change something."""

WRONG_ROLE: dict[str, tuple[str, ...]] = {
    "platform": ("admin",),
    "admin": ("clerk", "checker"),
    "issuer": ("checker",),
    "verifier": ("clerk",),
    "member": (),
}
"""Who holds a role at the college that the route does not allow."""

STAFF = (
    ("admin", "college", "organisation_admin"),
    ("clerk", "college", "issuer_staff"),
    ("checker", "college", "verifier_staff"),
    ("outsider", "employer", "organisation_admin"),
)


# --- the world -------------------------------------------------------------------------------


@dataclass
class World:
    engine: Engine
    app: FastAPI
    keys: dict[str, str]
    ids: dict[str, str]


@pytest.fixture
def world(clean_engine: Engine, client: TestClient) -> World:
    kek = client.app.state.kek  # type: ignore[attr-defined]
    with Session(clean_engine, expire_on_commit=False) as session:
        # The college both issues and checks, so each side's role has a wrong one beside it.
        college = create_issuer(
            session,
            name=NAME,
            slug="college",
            types=["qualification"],
            alg="EdDSA",
            kek=kek,
            now=NOW,
        )
        checking = create_verifier(session, slug="college", name=NAME, base_url=BASE, now=NOW)
        create_verifier(session, slug="employer", name="Rekrytalo Oy", base_url=BASE, now=NOW)
        accounts = {}
        for username, organisation, role in STAFF:
            accounts[username] = create_staff_account(
                session,
                username=username,
                password=PASSWORD,
                name=username.title(),
                hashing=FAST_HASHING,
                now=NOW,
                organisation=organisation,
                role=role,
            )
        create_staff_account(
            session,
            username="platform",
            password=PASSWORD,
            name="Platform",
            hashing=FAST_HASHING,
            now=NOW,
            platform_admin=True,
        )
        trusted = TrustEntry(
            identifier=TRUSTED,
            display_name="Luotettu oppilaitos",
            key_source=KeySource.ISSUER_METADATA,
            vct_values=(QUALIFICATION, COMPETENCE),
        )
        add_trusted_issuer(session, entry=trusted, now=NOW)
        found = find_organisation(session, slug="college", base_url=BASE)
        assert found is not None
        (key,) = [k for k in organisation_keys(session, found) if k.kind == "issuer"]
    app = client.app
    assert isinstance(app, FastAPI)
    # Real things each route could change, so that "nothing changed" means something.
    ids = {"account_id": accounts["clerk"], "key_id": key.id, "identifier": TRUSTED}
    keys = {"issuer": college.api_key, "verifier": checking.api_key}
    return World(clean_engine, app, keys, ids)


def snapshot(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, sorted: what "nothing changed" compares (counts alone would
    miss an update, such as a key's revocation time)."""
    with engine.connect() as connection:
        return {
            table: sorted(
                tuple(repr(value) for value in row)
                for row in connection.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            )
            for table in sorted(inspect(connection).get_table_names())
        }


def _browser(app: FastAPI) -> Iterator[Visitor]:
    with TestClient(app, base_url=BASE) as fresh:
        yield Visitor(fresh)


@pytest.fixture
def browser(world: World) -> Iterator[Visitor]:
    yield from _browser(world.app)


def sign_in(visitor: Visitor, username: str) -> None:
    visitor.submit("/org/login", "/org/login", {"username": username, "password": PASSWORD}, 303)


def ask(visitor: Visitor, method: str, path: str, *, csrf: bool = True) -> Any:
    """GET the page, or post the plausible form (with this browser's CSRF token if ``csrf``)."""
    if method == "GET":
        return visitor.client.get(path, follow_redirects=False)
    token = {"csrf_token": csrf_of(visitor.client.get("/login").text)} if csrf else {}
    return visitor.client.request(method, path, data={**FORM, **token}, follow_redirects=False)


def _normalised(body: str, slug: str) -> str:
    body = body.replace(slug, "SLUG")
    return re.sub(r'name="csrf_token" value="[^"]*"', "", body)


# --- the tests -------------------------------------------------------------------------------


def test_every_organisation_and_platform_route_has_an_access_dependency(world: World) -> None:
    assert guarded_routes(world.app), "no organisation page was found: the scan is broken"
    assert unprotected(world.app) == []


KNOWN: dict[tuple[str, str], str] = {
    ("GET", "/org/{slug}"): "member",
    ("GET", "/org/{slug}/staff"): "admin",
    ("POST", "/org/{slug}/staff/invite"): "admin",
    ("GET", "/org/{slug}/staff/{account_id}/remove"): "admin",
    ("POST", "/org/{slug}/staff/{account_id}/remove"): "admin",
    ("GET", "/org/{slug}/api-keys"): "admin",
    ("POST", "/org/{slug}/api-keys"): "admin",
    ("GET", "/org/{slug}/api-keys/{key_id}/revoke"): "admin",
    ("POST", "/org/{slug}/api-keys/{key_id}/revoke"): "admin",
    ("GET", "/org/{slug}/signing-keys"): "issuer",
    ("GET", "/org/{slug}/signing-keys/rotate"): "admin",
    ("POST", "/org/{slug}/signing-keys/rotate"): "admin",
    ("GET", "/platform/trust"): "platform",
    ("GET", "/platform/trust/add"): "platform",
    ("POST", "/platform/trust/add"): "platform",
    ("GET", "/platform/trust/narrow"): "platform",
    ("POST", "/platform/trust/narrow"): "platform",
    ("GET", "/platform/trust/remove"): "platform",
    ("POST", "/platform/trust/remove"): "platform",
    ("GET", "/platform/trust/export"): "platform",
    ("GET", "/platform/trust/import"): "platform",
    ("POST", "/platform/trust/import"): "platform",
    ("POST", "/platform/trust/import/apply"): "platform",
}
"""The role each page known today needs: reading it from the dependencies catches a missing
one; this table catches one weakened (an admin page given ``MemberDep``)."""


def test_the_scan_reads_the_role_each_known_page_needs(world: World) -> None:
    roles = {(m, p): required_role(route) for m, p, route in guarded_routes(world.app)}
    assert {key: roles.get(key) for key in KNOWN} == KNOWN


def test_a_page_without_an_access_dependency_is_reported() -> None:
    app = FastAPI()

    @app.get("/org/{slug}/open")
    def open_page(slug: str) -> str:
        return slug

    @app.post("/platform/open")
    def open_form() -> str:
        return ""

    assert unprotected(app) == ["GET /org/{slug}/open", "POST /platform/open"]


def test_the_snapshot_sees_an_update_that_keeps_every_count(world: World) -> None:
    before = snapshot(world.engine)
    with Session(world.engine) as session:
        organisation = find_organisation(session, slug="college", base_url=BASE)
        assert organisation is not None
        (key,) = [k for k in organisation_keys(session, organisation) if k.kind == "issuer"]
        revoke_organisation_key(session, organisation, key_id=key.id, now=NOW)
    after = snapshot(world.engine)
    assert {t: len(rows) for t, rows in after.items()} == {
        t: len(rows) for t, rows in before.items()
    }
    assert after != before


def test_the_plausible_forms_change_things_when_someone_allowed_posts_them(
    world: World, browser: Visitor
) -> None:
    # The refusals below compare the database before and after: that only means something if
    # the same requests, from someone allowed, would have changed it.
    sign_in(browser, "platform")
    changed = set()
    for method, path, route in guarded_routes(world.app):
        if method == "GET":
            continue
        before = snapshot(world.engine)
        ask(browser, method, fill(route, "college", world.ids))
        if snapshot(world.engine) != before:
            changed.add(path)
    assert {
        "/org/{slug}/staff/invite",
        "/org/{slug}/staff/{account_id}/remove",
        "/org/{slug}/api-keys",
        "/org/{slug}/api-keys/{key_id}/revoke",
        "/org/{slug}/signing-keys/rotate",
        "/platform/trust/narrow",
        "/platform/trust/remove",
        "/platform/trust/import/apply",
    } <= changed


def test_signed_out_every_page_sends_to_sign_in_and_every_form_is_refused(
    world: World, browser: Visitor
) -> None:
    before = snapshot(world.engine)
    for method, _path, route in guarded_routes(world.app):
        path = fill(route, "college", world.ids)
        answer = ask(browser, method, path)
        assert answer.status_code in (303, 403), (method, path, answer.status_code)
        if answer.status_code == 303:
            assert answer.headers["location"].startswith("/org/login"), (method, path)
        assert NAME not in answer.text
    assert snapshot(world.engine) == before


def test_another_organisations_staff_get_the_page_of_an_organisation_that_does_not_exist(
    world: World, browser: Visitor
) -> None:
    sign_in(browser, "outsider")
    before = snapshot(world.engine)
    for method, _path, route in guarded_routes(world.app):
        if required_role(route) == "platform":
            continue  # no organisation in the path: the wrong-role test covers it
        theirs = ask(browser, method, fill(route, "college", world.ids))
        nobodys = ask(browser, method, fill(route, "nowhere-oy", world.ids))
        assert theirs.status_code == nobodys.status_code == 404, (method, route.path)
        assert _normalised(theirs.text, "college") == _normalised(nobodys.text, "nowhere-oy")
        assert NAME not in theirs.text
    assert snapshot(world.engine) == before


@pytest.mark.parametrize("who", ["admin", "clerk", "checker"])
def test_a_member_with_the_wrong_role_is_refused(world: World, browser: Visitor, who: str) -> None:
    sign_in(browser, who)
    before = snapshot(world.engine)
    asked = 0
    for method, _path, route in guarded_routes(world.app):
        role = required_role(route)
        assert role is not None
        if who not in WRONG_ROLE[role]:
            continue
        asked += 1
        answer = ask(browser, method, fill(route, "college", world.ids))
        assert answer.status_code == 403, (who, method, route.path, answer.status_code)
    assert asked, who
    assert snapshot(world.engine) == before


def test_a_disabled_organisation_refuses_every_page_even_to_its_admin(
    world: World, browser: Visitor
) -> None:
    sign_in(browser, "admin")
    with Session(world.engine) as session:
        set_issuer_disabled(session, slug="college", disabled=True, now=NOW)
        set_verifier_disabled(session, slug="college", disabled=True, base_url=BASE, now=NOW)
    before = snapshot(world.engine)
    for method, _path, route in guarded_routes(world.app):
        if required_role(route) == "platform":
            continue
        answer = ask(browser, method, fill(route, "college", world.ids))
        assert answer.status_code == 403, (method, route.path, answer.status_code)
    assert snapshot(world.engine) == before


def test_every_form_without_its_csrf_token_is_refused_even_for_a_platform_admin(
    world: World, browser: Visitor
) -> None:
    sign_in(browser, "platform")
    before = snapshot(world.engine)
    forms = [(m, r) for m, _p, r in guarded_routes(world.app) if m != "GET"]
    assert forms
    for method, route in forms:
        answer = ask(browser, method, fill(route, "college", world.ids), csrf=False)
        assert answer.status_code == 403, (method, route.path, answer.status_code)
    assert snapshot(world.engine) == before
    assert browser.client.get("/org/college").status_code == 200  # still signed in


def test_every_organisation_api_endpoint_refuses_a_revoked_api_key(world: World) -> None:
    with Session(world.engine) as session:
        organisation = find_organisation(session, slug="college", base_url=BASE)
        assert organisation is not None
        revoked = {}
        for kind in ("issuer", "verifier"):
            secret = add_organisation_key(
                session, organisation, kind=kind, name=f"old {kind}", now=NOW
            )
            revoked[kind] = secret
        for key in [
            k for k in organisation_keys(session, organisation) if k.name.startswith("old ")
        ]:
            revoke_organisation_key(session, organisation, key_id=key.id, now=NOW)
    client = TestClient(world.app, base_url=BASE)
    live = {"Authorization": f"Bearer {world.keys['issuer']}"}
    assert client.get("/v1/issuers/college", headers=live).status_code == 200  # the key is it
    before = snapshot(world.engine)
    asked = 0
    for route in app_routes(world.app):
        for kind in key_checks(route):
            for method in sorted(route.methods - {"HEAD"}):
                path = fill(route, "college", world.ids)
                headers = {"Authorization": f"Bearer {revoked[kind]}", "Idempotency-Key": "k1"}
                body: dict[str, Any] | None = None if method in ("GET", "DELETE") else {}
                answer = client.request(method, path, headers=headers, json=body)
                assert answer.status_code == 401, (method, route.path, answer.status_code)
                asked += 1
    assert asked >= 10, asked
    assert snapshot(world.engine) == before
