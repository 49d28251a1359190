"""The pages' foundation over HTTP: security headers, sessions, CSRF on every form, languages,
the API docs. The real browser tells the story in ``tests/browser``."""

import re

import pytest
from fastapi.testclient import TestClient

from tests.api import test_end_to_end, web_support
from tests.api.test_end_to_end import BASE_URL, World, ok
from tests.api.web_support import (
    PASSWORD,
    Visitor,
    csrf_of,
    offer_code,
    receive,
    share_claims,
)

world = test_end_to_end.world  # the fixture of the end-to-end tests
person = web_support.person  # a signed-in browser

PERSONAL_PAGES = [
    "/wallet",
    "/wallet/receive",
    "/wallet/profile",
    "/wallet/shares",
    "/wallet/shares/new",
    "/wallet/activity",
    "/wallet/settings",
]


def test_every_page_carries_the_security_headers_and_personal_pages_are_not_stored(
    person: Visitor,
) -> None:
    for path in ["/", "/login", "/register", "/logout", *PERSONAL_PAGES]:
        response = person.page(path)
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"] == "no-store"
        assert "<script>" not in response.text and " style=" not in response.text


def test_pages_of_a_person_need_a_session_and_send_others_to_sign_in(world: World) -> None:
    with TestClient(world.client.app, base_url=BASE_URL) as stranger:
        for path in PERSONAL_PAGES:
            response = stranger.get(path, follow_redirects=False)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login?next=")
        # A forged session cookie is no session.
        stranger.cookies.set("taito_session", "tws_" + "A" * 43)
        assert stranger.get("/wallet", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_random_http_only_same_site_lax_and_secure(world: World) -> None:
    with TestClient(world.client.app, base_url=BASE_URL) as client:
        token = csrf_of(client.get("/register").text)
        answer = client.post(
            "/register",
            data={"csrf_token": token, "username": "cookie@example.fi", "password": PASSWORD},
            follow_redirects=False,
        )
        cookies = answer.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("taito_session="))
        assert re.match(r"taito_session=tws_[A-Za-z0-9_-]{43};", session)
        for attribute in ("HttpOnly", "Path=/", "SameSite=lax", "Secure"):
            assert attribute in session
        # The CSRF seed was replaced at sign-in (no fixation of a token set before).
        assert any(c.startswith("taito_csrf=") for c in cookies)


def test_cookies_are_not_secure_only_on_a_development_instance_over_plain_http(
    world: World,
) -> None:
    with TestClient(world.client.app, base_url="http://127.0.0.1:8000") as client:
        response = client.get("/login")
        seed = next(c for c in response.headers.get_list("set-cookie") if "taito_csrf" in c)
        assert "Secure" not in seed and "HttpOnly" in seed


def test_a_wrong_password_is_refused_with_an_error_linked_to_the_field(person: Visitor) -> None:
    with TestClient(person.client.app, base_url=BASE_URL) as other:
        visitor = Visitor(other)
        answer = visitor.submit(
            "/login", "/login", {"username": "maija@example.fi", "password": "wrong password"}
        )
        assert answer.status_code == 401
        assert 'href="#username"' in answer.text and 'aria-invalid="true"' in answer.text
        assert "taito_session" not in answer.headers.get("set-cookie", "")
        good = visitor.submit(
            "/login",
            "/login",
            {"username": "maija@example.fi", "password": PASSWORD, "next": "/wallet/profile"},
            303,
        )
        assert good.headers["location"] == "/wallet/profile"


def test_sign_in_goes_only_to_pages_of_this_site(person: Visitor) -> None:
    with TestClient(person.client.app, base_url=BASE_URL) as other:
        visitor = Visitor(other)
        for target in ("https://evil.example/", "//evil.example", "/\\evil"):
            answer = visitor.submit(
                "/login",
                "/login",
                {"username": "maija@example.fi", "password": PASSWORD, "next": target},
                303,
            )
            assert answer.headers["location"] == "/wallet"
            other.cookies.clear()
        switched = other.get("/language?lang=sv&next=https://evil.example/", follow_redirects=False)
        assert switched.headers["location"] == "/"


def test_the_first_visit_follows_accept_language_and_the_choice_is_remembered(
    world: World,
) -> None:
    with TestClient(world.client.app, base_url=BASE_URL) as client:
        page = client.get("/", headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"})
        assert '<html lang="sv">' in page.text and "Logga in" in page.text
        for code, name in (("fi", "Suomeksi"), ("sv", "På svenska"), ("en", "In English")):
            assert f'lang="{code}" hreflang="{code}"' in page.text and name in page.text
        client.get("/language?lang=fi&next=/login")
        again = client.get("/login", headers={"Accept-Language": "sv"})
        assert '<html lang="fi">' in again.text and "Kirjaudu sisään" in again.text


FORMS = [
    ("/login", {"username": "maija@example.fi", "password": PASSWORD}),
    ("/register", {"username": "someone@example.fi", "password": PASSWORD}),
    ("/logout", {"everywhere": "1"}),
    ("/wallet/receive", {"code": "{code}"}),
    ("/wallet/shares/new", {"step": "claims", "credential": "{credential}"}),
    ("/wallet/shares/{share}/withdraw", {}),
    ("/wallet/profile/skills", {"uri": "{skill}"}),
    ("/wallet/settings/password", {"current-password": PASSWORD, "new-password": "x" * 12}),
    ("/wallet/settings/export", {"export-password": PASSWORD}),
    ("/wallet/settings/import", {}),
    ("/wallet/settings/erase", {"confirm": "ERASE", "erase-password": PASSWORD}),
]


@pytest.mark.parametrize("token", [None, "", "0" * 64, "forged"])
def test_every_form_refuses_a_missing_or_wrong_csrf_token_and_changes_nothing(
    world: World, person: Visitor, token: str | None
) -> None:
    credential_id = receive(person, offer_code(world, f"csrf-{token}"))
    share_id, link = share_claims(person, credential_id, ["Qualification title"])
    skill = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
    code = offer_code(world, f"csrf-2-{token}")
    before = person.page("/wallet/activity").text
    for action, fields in FORMS:
        path = action.replace("{share}", share_id)
        data = {
            name: value.format(code=code, credential=credential_id, skill=skill)
            for name, value in fields.items()
        }
        if token is not None:
            data["csrf_token"] = token
        answer = person.client.post(path, data=data, follow_redirects=False)
        assert answer.status_code == 403, path
        assert answer.headers["content-type"].startswith("text/html")
    # Nothing changed: still signed in, the same activity, the share open, the code unused.
    assert person.page("/wallet/activity").text == before
    assert person.page(link.removeprefix(BASE_URL)).status_code == 200
    assert receive(person, code)


def test_the_api_docs_work_offline_with_authorize_for_every_bearer_scheme(world: World) -> None:
    docs = world.client.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text):
        assert world.client.get(asset).status_code == 200, asset
    redoc = world.client.get("/redoc")
    for asset in re.findall(r'src="(/static/[^"]+)"', redoc.text):
        assert world.client.get(asset).status_code == 200, asset
    schema = ok(world.client.get("/openapi.json"))
    assert set(schema["components"]["securitySchemes"]) == {
        "wallet_access_token",
        "issuer_api_key",
        "verifier_api_key",
        "admin_token",
    }
    wallet_door = schema["paths"]["/v1/wallet/credentials"]["get"]["security"]
    assert wallet_door == [{"wallet_access_token": []}]
    assert "/wallet" not in schema["paths"]
