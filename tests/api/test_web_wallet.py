"""The people's pages over HTTP: receiving, sharing, skills, activity, settings."""

import json
import re

from fastapi.testclient import TestClient

from credentials.keys import generate_key
from tests.api import test_end_to_end, web_support
from tests.api.test_end_to_end import BASE_URL, World, bearer, ok, qualification
from tests.api.web_support import (
    PASSWORD,
    Visitor,
    csrf_of,
    offer_code,
    receive,
    share_claims,
)
from wallet.export_encryption import decrypt_export

world = test_end_to_end.world  # the fixture of the end-to-end tests
person = web_support.person  # a signed-in browser

PASSPHRASE = "a long passphrase for the file"


def test_a_share_made_in_pages_shows_exactly_the_ticked_claims_and_410_once_withdrawn(
    world: World, person: Visitor
) -> None:
    credential_id = receive(person, offer_code(world, "share-page"))
    share_id, link = share_claims(person, credential_id, ["Qualification title", "EQF level"])
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
    wrong = person.submit(
        "/wallet/settings",
        "/wallet/settings/export",
        {"export-password": "no", "export-passphrase": PASSPHRASE},
    )
    assert wrong.status_code == 403 and 'href="#export-password"' in wrong.text
    weak = person.submit(
        "/wallet/settings",
        "/wallet/settings/export",
        {"export-password": PASSWORD, "export-passphrase": "short"},
    )
    assert weak.status_code == 422 and 'href="#export-passphrase"' in weak.text
    exported = person.submit(
        "/wallet/settings",
        "/wallet/settings/export",
        {"export-password": PASSWORD, "export-passphrase": PASSPHRASE},
        200,
    )
    assert exported.headers["cache-control"] == "no-store"
    envelope = json.loads(exported.text)
    assert "credentials" not in envelope and "Korhonen" not in exported.text
    assert len(decrypt_export(envelope, passphrase=PASSPHRASE)["credentials"]) == 1
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
        403,
    )
    assert 'href="#current-password"' in wrong.text
    person.submit(
        "/wallet/settings",
        "/wallet/settings/password",
        {"current-password": PASSWORD, "new-password": "a brand new passphrase"},
        200,
    )
    # Every other session ended; this browser was given a new one.
    assert person.page("/wallet").status_code == 200
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
        "/wallet/settings",
        "/wallet/settings/export",
        {"export-password": PASSWORD, "export-passphrase": PASSPHRASE},
        200,
    ).content
    with TestClient(person.client.app, base_url=BASE_URL) as other:
        visitor = Visitor(other)
        visitor.register("second@example.fi")
        token = csrf_of(visitor.page("/wallet/settings").text)
        wrong = other.post(
            "/wallet/settings/import",
            data={"csrf_token": token, "import-passphrase": "not the passphrase at all"},
            files={"file": ("taito-wallet-export.json", exported, "application/json")},
        )
        assert wrong.status_code == 422 and 'href="#import-passphrase"' in wrong.text
        assert visitor.page("/wallet").text.count('class="card"') == 0
        imported = other.post(
            "/wallet/settings/import",
            data={"csrf_token": token, "import-passphrase": PASSPHRASE},
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


def test_another_persons_credential_share_and_skill_are_not_there_for_you(
    world: World, person: Visitor
) -> None:
    credential_id = receive(person, offer_code(world, "theirs"))
    share_id, link = share_claims(person, credential_id, ["EQF level"])
    with TestClient(person.client.app, base_url=BASE_URL) as other:
        intruder = Visitor(other)
        intruder.register("intruder@example.fi")
        for path in (f"/wallet/credentials/{credential_id}", f"/wallet/shares/{share_id}"):
            page = intruder.page(path, 404)
            assert "Korhonen" not in page.text and "EQF" not in page.text
        withdrawn = intruder.submit(
            "/wallet/shares", f"/wallet/shares/{share_id}/withdraw", {}, 404
        )
        assert withdrawn.headers["content-type"].startswith("text/html")
        assert intruder.page("/wallet").text.count('class="card"') == 0
    # The owner's share is untouched.
    assert person.page(link.removeprefix(BASE_URL)).status_code == 200


def test_declining_a_request_sends_nothing(world: World, person: Visitor) -> None:
    receive(person, offer_code(world, "decline"))
    asked = ok(
        world.client.post(
            "/v1/verifiers/employer/requests",
            json={
                "credentials": [{"id": "degree", "type": "qualification", "claims": ["title"]}],
                "purpose": "Checking the qualification",
            },
            headers=bearer(world.verifier_key),
        ),
        201,
    )
    path = f"/wallet/requests/{asked['id']}"
    shown = person.page(path).text
    assert "Rekry Oy asks for your credentials" in shown and "Checking the qualification" in shown
    nothing = person.submit(path, path, {"action": "some"}, 422)
    assert 'href="#approve-0-0-0"' in nothing.text
    declined = person.submit(path, path, {"action": "decline"}, 200)
    assert "Nothing was sent to Rekry Oy." in declined.text
    state = ok(
        world.client.get(
            f"/v1/verifiers/employer/requests/{asked['id']}", headers=bearer(world.verifier_key)
        )
    )
    assert state["status"] == "pending" and state["outcome"] is None
    assert "You declined a request" in person.page("/wallet/activity").text
