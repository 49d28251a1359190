"""The people's pages over HTTP: headers, sessions, CSRF, languages and the main flows.

The real browser tells the story in ``tests/browser``; these tests pin the rules each response
and each form must keep, for every page and every form.
"""

import html
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from credentials.keys import generate_key
from tests.api import test_end_to_end
from tests.api.test_end_to_end import BASE_URL, World, bearer, ok, qualification
from tests.api.web_support import PASSWORD, Visitor, csrf_of, offer_code, receive

world = test_end_to_end.world  # the fixture of the end-to-end tests

PERSONAL_PAGES = [
    "/wallet",
    "/wallet/receive",
    "/wallet/profile",
    "/wallet/shares",
    "/wallet/shares/new",
    "/wallet/activity",
    "/wallet/settings",
]


@pytest.fixture
def person(world: World) -> Iterator[Visitor]:
    with TestClient(world.client.app, base_url=BASE_URL) as client:
        visitor = Visitor(client)
        visitor.register("maija@example.fi")
        yield visitor


def _share(person: Visitor, credential_id: str, claims: list[str]) -> tuple[str, str]:
    """Share ``claims`` (by label) of a credential with anyone; the share id and link."""
    page = person.submit(
        "/wallet/shares/new",
        "/wallet/shares/new",
        {"step": "claims", "credential": credential_id},
        200,
    ).text
    offered = re.findall(r'name="claim" value="([^"]+)">\s*<label[^>]*><strong>([^<]+)', page)
    values = [html.unescape(value) for value, label in offered if html.unescape(label) in claims]
    assert len(values) == len(claims), offered
    fields = {
        "credential": credential_id,
        "claim": values,
        "audience": "anyone",
        "purpose": "My application",
    }
    token = csrf_of(page)
    who = person.client.post(
        "/wallet/shares/new", data={"csrf_token": token, "step": "who", **fields}
    )
    expires = re.search(r'name="expires" value="([^"]+)"', who.text)
    assert who.status_code == 200 and expires, who.text
    fields["expires"] = expires.group(1)
    preview = person.client.post(
        "/wallet/shares/new", data={"csrf_token": token, "step": "preview", **fields}
    )
    assert preview.status_code == 200, preview.text
    assert "This is exactly what the recipient will see." in preview.text
    done = person.client.post(
        "/wallet/shares/new",
        data={"csrf_token": token, "step": "create", **fields},
    )
    assert done.status_code == 200, done.text
    link = re.search(r'id="share-link">([^<]+)<', done.text)
    share_id = re.search(r'href="/wallet/shares/(shr_[^"]+)"', done.text) or re.search(
        r'href="/wallet/shares/([^"/]+)">', done.text
    )
    assert link and share_id
    return share_id.group(1), link.group(1)


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
    share_id, link = _share(person, credential_id, ["Qualification title"])
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


def test_a_share_made_in_pages_shows_exactly_the_ticked_claims_and_410_once_withdrawn(
    world: World, person: Visitor
) -> None:
    credential_id = receive(person, offer_code(world, "share-page"))
    share_id, link = _share(person, credential_id, ["Qualification title", "EQF level"])
    assert link.startswith(f"{BASE_URL}/s/")
    with TestClient(world.client.app, base_url=BASE_URL) as viewer:
        report = viewer.get(link.removeprefix(BASE_URL))
        assert report.status_code == 200
        assert "Verified: every check passed." in report.text
        shown = re.findall(r'<th scope="row">([^<]+)</th>', report.text)
        assert sorted(shown) == ["EQF level", "Qualification title"]
        assert "Korhonen" not in report.text
        # The same link as JSON for programs, from the API.
        token = link.rsplit("/", 1)[1]
        assert ok(viewer.get(f"/v1/shares/{token}"))["report"]["verified"] is True
        person.submit(f"/wallet/shares/{share_id}", f"/wallet/shares/{share_id}/withdraw", {}, 303)
        gone = viewer.get(link.removeprefix(BASE_URL), headers={"Accept-Language": "fi"})
        assert gone.status_code == 410 and '<html lang="fi">' in gone.text
        assert "Jakaja on perunut tämän jaon." in gone.text
    views = person.page(f"/wallet/shares/{share_id}").text
    assert "Anyone who has the link" in views and "Withdrawn on" in views


def test_the_receive_page_takes_a_code_from_a_link_and_reads_it_loosely(
    world: World, person: Visitor
) -> None:
    code = offer_code(world, "loose")
    filled = person.page(f"/wallet/receive?code={code}")
    assert f'value="{code}"' in filled.text
    credential_id = receive(person, " " + code.lower().replace("-", " ") + " ")
    detail = person.page(f"/wallet/credentials/{credential_id}?received=1").text
    assert "It passed every check." in detail and "EQF level" in detail
    again = person.submit("/wallet/receive", "/wallet/receive", {"code": code}, 410)
    assert "This code has already been used" in again.text and 'href="#code"' in again.text


def test_signing_out_everywhere_ends_the_api_tokens_too(world: World, person: Visitor) -> None:
    tokens = ok(
        world.client.post(
            "/v1/auth/login", json={"username": "maija@example.fi", "password": PASSWORD}
        )
    )
    api = bearer(tokens["access_token"])
    assert world.client.get("/v1/wallet/credentials", headers=api).status_code == 200
    person.submit("/wallet/settings", "/logout", {"everywhere": "1"}, 303)
    assert world.client.get("/v1/wallet/credentials", headers=api).status_code == 401
    assert person.client.get("/wallet", follow_redirects=False).status_code == 303


def test_export_and_erase_ask_for_the_password_again(world: World, person: Visitor) -> None:
    receive(person, offer_code(world, "erase"))
    wrong = person.submit("/wallet/settings", "/wallet/settings/export", {"export-password": "no"})
    assert wrong.status_code == 401 and 'href="#export-password"' in wrong.text
    exported = person.submit(
        "/wallet/settings", "/wallet/settings/export", {"export-password": PASSWORD}, 200
    )
    assert exported.headers["cache-control"] == "no-store"
    assert len(json.loads(exported.text)["credentials"]) == 1
    unconfirmed = person.submit(
        "/wallet/settings",
        "/wallet/settings/erase",
        {"confirm": "yes", "erase-password": PASSWORD},
        422,
    )
    assert 'href="#confirm"' in unconfirmed.text
    erased = person.submit(
        "/wallet/settings",
        "/wallet/settings/erase",
        {"confirm": "erase", "erase-password": PASSWORD},
        200,
    )
    assert "Your wallet is erased" in erased.text
    assert person.client.get("/wallet", follow_redirects=False).status_code == 303
    gone = world.client.post(
        "/v1/auth/login", json={"username": "maija@example.fi", "password": PASSWORD}
    )
    assert gone.status_code == 401


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
        "WalletToken",
        "IssuerKey",
        "VerifierKey",
        "AdminToken",
    }
    assert schema["paths"]["/v1/wallet/credentials"]["get"]["security"] == [{"WalletToken": []}]
    assert "/wallet" not in schema["paths"]


def test_a_refused_credential_is_shown_with_the_reason_of_each_failed_check(
    world: World, person: Visitor
) -> None:
    # A credential bound to somebody else's key: this wallet refuses it, and says why.
    stranger = generate_key("ES256").public
    issued = world.issue({"jwk": dict(stranger.jwk)}, qualification(), "not-mine")
    refused = person.submit(
        "/wallet/receive", "/wallet/receive", {"code": issued["pickup_code"]}, 422
    )
    assert "Why the credential was refused" in refused.text
    assert "Bound to this wallet" in refused.text
    assert person.page("/wallet").text.count('class="card"') == 0
    # The code was not burnt by the refusal: trying again is refused again, not "used".
    again = person.submit("/wallet/receive", "/wallet/receive", {"code": issued["pickup_code"]})
    assert again.status_code == 422 and "Bound to this wallet" in again.text


def test_skills_are_added_from_an_esco_search_marked_as_ones_own_and_removed(
    person: Visitor,
) -> None:
    found = person.page("/wallet/profile?q=python").text
    uri = re.search(r'name="uri" value="([^"]+)"', found)
    assert uri and "Python (computer programming)" in found
    person.submit("/wallet/profile", "/wallet/profile/skills", {"uri": uri.group(1)}, 303)
    profile = person.page("/wallet/profile").text
    assert '<span class="tag">Added by you</span>' in profile
    remove = re.search(r'action="(/wallet/profile/skills/[^"/]+/remove)"', profile)
    assert remove
    person.submit("/wallet/profile", remove.group(1), {}, 303)
    assert 'class="tag"' not in person.page("/wallet/profile").text
    refused = person.submit(
        "/wallet/profile", "/wallet/profile/skills", {"uri": "https://example.com/x"}, 422
    )
    assert "Choose a skill from the search results" in refused.text


def test_the_activity_log_is_paged_newest_first(world: World, person: Visitor) -> None:
    for number in range(3):
        receive(person, offer_code(world, f"activity-{number}"))
    uri = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
    for _ in range(12):
        person.submit("/wallet/profile", "/wallet/profile/skills", {"uri": uri}, 303)
        remove = re.search(
            r'action="(/wallet/profile/skills/[^"/]+/remove)"', person.page("/wallet/profile").text
        )
        assert remove
        person.submit("/wallet/profile", remove.group(1), {}, 303)
    first = person.page("/wallet/activity").text
    assert first.count("<tr><td>") == 25
    older = re.search(r'href="(/wallet/activity\?before=\d+)"', first)
    assert older
    second = person.page(older.group(1)).text
    assert "You opened your wallet" in second and "You opened your wallet" not in first
    assert 'href="/wallet/activity"' in second


def test_the_password_is_changed_only_with_the_current_one(person: Visitor) -> None:
    wrong = person.submit(
        "/wallet/settings",
        "/wallet/settings/password",
        {"current-password": "not it at all", "new-password": "a brand new passphrase"},
        401,
    )
    assert 'href="#current-password"' in wrong.text
    person.submit(
        "/wallet/settings",
        "/wallet/settings/password",
        {"current-password": PASSWORD, "new-password": "a brand new passphrase"},
        200,
    )
    with TestClient(person.client.app, base_url=BASE_URL) as other:
        visitor = Visitor(other)
        visitor.submit(
            "/login", "/login", {"username": "maija@example.fi", "password": PASSWORD}, 401
        )
        visitor.submit(
            "/login",
            "/login",
            {"username": "maija@example.fi", "password": "a brand new passphrase"},
            303,
        )


def test_a_wallet_file_is_imported_with_every_credential_checked_again(
    world: World, person: Visitor
) -> None:
    receive(person, offer_code(world, "import"))
    exported = person.submit(
        "/wallet/settings", "/wallet/settings/export", {"export-password": PASSWORD}, 200
    ).content
    with TestClient(person.client.app, base_url=BASE_URL) as other:
        visitor = Visitor(other)
        visitor.register("second@example.fi")
        token = csrf_of(visitor.page("/wallet/settings").text)
        imported = other.post(
            "/wallet/settings/import",
            data={"csrf_token": token},
            files={"file": ("taito-wallet-export.json", exported, "application/json")},
        )
        assert imported.status_code == 200 and "1 credential was imported." in imported.text
        assert visitor.page("/wallet").text.count('class="card"') == 1
        broken = other.post(
            "/wallet/settings/import",
            data={"csrf_token": token},
            files={"file": ("x.json", b"not json", "application/json")},
        )
        assert broken.status_code == 422 and 'href="#file"' in broken.text
