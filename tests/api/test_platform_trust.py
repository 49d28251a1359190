"""The trust registry pages for platform admins: view, add, narrow, remove, export and import.

Each change goes through the same service functions as ``/v1/admin/trust``; narrowing and
removing ask first, an import shows its changes before it writes, and a document with problems
names each entry and field and changes nothing. Who is refused:
tests/api/test_org_authorization_matrix.py.
"""

import html
import json
import re

import pytest
from sqlmodel import Session

from tests.api.test_org_pages import NOW, PASSWORD, Place, sign_in
from tests.api.test_org_pages import browser as browser  # the fixture
from tests.api.test_org_pages import place as place  # the fixture
from tests.api.web_support import Visitor, csrf_of
from tests.service.test_wallet_support import FAST_HASHING
from verifiers.trust import export_trust_registry, list_trusted_issuers
from wallet.staff import create_staff_account

BASE = "https://taito.test"
COLLEGE = f"{BASE}/issuers/college"
QUALIFICATION = f"{BASE}/types/qualification/v1"
COMPETENCE = f"{BASE}/types/competence/v1"
OTHER = "https://oppilaitos.example.fi"


def add_platform_admin(place: Place) -> None:
    with Session(place.engine) as session:
        create_staff_account(
            session,
            username="platform",
            password=PASSWORD,
            name="Pirkko Alusta",
            hashing=FAST_HASHING,
            now=NOW,
            platform_admin=True,
        )


@pytest.fixture
def operator(place: Place, browser: Visitor) -> Visitor:
    add_platform_admin(place)
    sign_in(browser, "platform")
    return browser


def _entries(place: Place) -> dict[str, tuple[str, ...]]:
    with Session(place.engine) as session:
        return {s.entry.identifier: s.entry.vct_values for s in list_trusted_issuers(session)}


def _add(operator: Visitor, **fields: object) -> int:
    answer = operator.submit("/platform/trust/add", "/platform/trust/add", dict(fields))
    return int(answer.status_code)


def test_a_platform_admin_reaches_the_registry_from_org_and_sees_the_local_issuers(
    operator: Visitor,
) -> None:
    landing = operator.page("/org")
    assert 'href="/platform/trust"' in landing.text
    registry = operator.page("/platform/trust")
    assert "Esimerkkiopisto" in registry.text and COLLEGE in registry.text
    assert "Qualification" in registry.text  # the type's label, not its vct
    assert 'aria-current="page"' in registry.text


def test_adding_an_entry_lists_it_and_a_bad_one_is_shown_at_its_fields(
    operator: Visitor, place: Place
) -> None:
    bad = operator.submit(
        "/platform/trust/add",
        "/platform/trust/add",
        {"identifier": "not a uri", "display_name": "", "key_source": "jwks_url"},
        422,
    )
    for name in ("identifier", "display_name", "key_url", "vct_values"):
        assert f'id="{name}-error"' in bad.text, name
    assert _entries(place) == {}
    fields = {
        "identifier": OTHER,
        "display_name": "Esimerkkioppilaitos",
        "key_source": "issuer_metadata",
        "vct_values": [QUALIFICATION],
        "other_types": "https://example.fi/types/badge\n",
    }
    assert _add(operator, **fields) == 303
    assert _entries(place) == {OTHER: (QUALIFICATION, "https://example.fi/types/badge")}
    again = operator.submit("/platform/trust/add", "/platform/trust/add", fields, 422)
    assert "already in the registry" in again.text
    registry = operator.page("/platform/trust")
    assert (
        "Esimerkkioppilaitos" in registry.text and "https://example.fi/types/badge" in registry.text
    )


def test_an_entry_never_widens_a_local_issuer_beyond_its_accreditation(
    operator: Visitor, place: Place
) -> None:
    fields = {
        "identifier": COLLEGE,
        "display_name": "Esimerkkiopisto",
        "key_source": "local",
        "vct_values": [QUALIFICATION, COMPETENCE],
    }
    assert _add(operator, **fields) == 303
    registry = operator.page("/platform/trust").text
    assert "Listed but not trusted, because the issuer is not accredited for them: Competence" in (
        registry
    )


def test_narrowing_asks_first_drops_types_and_never_adds_one(
    operator: Visitor, place: Place
) -> None:
    fields = {
        "identifier": OTHER,
        "display_name": "Esimerkkioppilaitos",
        "key_source": "issuer_metadata",
        "vct_values": [QUALIFICATION, COMPETENCE],
    }
    assert _add(operator, **fields) == 303
    form = f"/platform/trust/narrow?identifier={OTHER}"
    assert "Keep trusting it for" in operator.page(form).text
    confirm = operator.submit(
        form, "/platform/trust/narrow", {"identifier": OTHER, "keep": [QUALIFICATION]}, 200
    )
    assert "will no longer be accepted" in confirm.text and "Competence" in confirm.text
    assert _entries(place)[OTHER] == (QUALIFICATION, COMPETENCE)  # not yet
    widen = {
        "identifier": OTHER,
        "keep": [QUALIFICATION, "https://example.fi/more"],
        "confirmed": "yes",
    }
    operator.submit(form, "/platform/trust/narrow", widen, 422)
    nothing = {"identifier": OTHER, "confirmed": "yes"}
    operator.submit(form, "/platform/trust/narrow", nothing, 422)
    assert _entries(place)[OTHER] == (QUALIFICATION, COMPETENCE)
    done = {"identifier": OTHER, "keep": [QUALIFICATION], "confirmed": "yes"}
    operator.submit(form, "/platform/trust/narrow", done, 303)
    assert _entries(place)[OTHER] == (QUALIFICATION,)


def test_removing_an_entry_asks_first(operator: Visitor, place: Place) -> None:
    fields = {
        "identifier": OTHER,
        "display_name": "Esimerkkioppilaitos",
        "key_source": "issuer_metadata",
        "vct_values": [QUALIFICATION],
    }
    assert _add(operator, **fields) == 303
    confirm = operator.page(f"/platform/trust/remove?identifier={OTHER}")
    assert "will no longer be accepted" in confirm.text and OTHER in _entries(place)
    operator.submit(
        f"/platform/trust/remove?identifier={OTHER}",
        "/platform/trust/remove",
        {"identifier": OTHER},
        303,
    )
    assert _entries(place) == {}
    operator.page(f"/platform/trust/remove?identifier={OTHER}", 404)


def _document(*entries: dict[str, object]) -> str:
    return json.dumps({"version": 1, "trusted_issuers": list(entries)})


def _entry(identifier: str, *vcts: str, name: str = "Oppilaitos") -> dict[str, object]:
    return {
        "identifier": identifier,
        "display_name": name,
        "key_source": "issuer_metadata",
        "vct_values": list(vcts),
    }


def test_export_is_the_registry_document_and_an_import_is_previewed_before_it_applies(
    operator: Visitor, place: Place
) -> None:
    kept = _entry(OTHER, QUALIFICATION)
    assert _add(operator, **{**kept, "vct_values": [QUALIFICATION]}) == 303
    exported = operator.page("/platform/trust/export")
    assert exported.headers["content-type"].startswith("application/json")
    assert "attachment" in exported.headers["content-disposition"]
    with Session(place.engine) as session:
        assert exported.json() == export_trust_registry(session)

    token = csrf_of(operator.page("/platform/trust/import").text)
    uploaded = operator.client.post(
        "/platform/trust/import",
        data={"csrf_token": token},
        files={"file": ("registry.json", exported.content, "application/json")},
    )
    assert uploaded.status_code == 200 and "Unchanged (1)" in uploaded.text

    second = "https://korkeakoulu.example.fi"
    document = _document(_entry(OTHER, QUALIFICATION, name="Uusi nimi"), _entry(second, COMPETENCE))
    preview = operator.submit(
        "/platform/trust/import",
        "/platform/trust/import",
        {"document": document, "replace": "yes"},
        200,
    )
    assert "Added (1)" in preview.text and "Changed (1)" in preview.text
    assert _entries(place) == {OTHER: (QUALIFICATION,)}  # nothing written yet
    token = csrf_of(preview.text)
    carried = re.search(r'name="document" value="([^"]*)"', preview.text)
    assert carried is not None
    applied = operator.client.post(
        "/platform/trust/import/apply",
        data={"csrf_token": token, "document": html.unescape(carried.group(1)), "replace": "yes"},
        follow_redirects=False,
    )
    assert applied.status_code == 303
    assert _entries(place) == {OTHER: (QUALIFICATION,), second: (COMPETENCE,)}


def test_an_import_with_problems_names_each_entry_and_field_and_changes_nothing(
    operator: Visitor, place: Place
) -> None:
    broken = {**_entry("https://third.example.fi", QUALIFICATION), "key_source": "jwks_url"}
    document = _document(_entry(OTHER, QUALIFICATION), broken)
    answer = operator.submit(
        "/platform/trust/import", "/platform/trust/import", {"document": document}, 422
    )
    assert "Entry 2 (https://third.example.fi)" in answer.text and "key_url" in answer.text
    assert "Entry 1" not in answer.text
    too_large = _document(_entry(OTHER, QUALIFICATION, name="x" * 70_000))
    token = csrf_of(operator.page("/platform/trust/import").text)
    answer = operator.client.post(
        "/platform/trust/import",
        data={"csrf_token": token},
        files={"file": ("registry.json", too_large.encode(), "application/json")},
    )
    assert answer.status_code == 422 and "at most 64 KB" in answer.text
    pasted = operator.client.post(
        "/platform/trust/import", data={"csrf_token": token, "document": too_large}
    )
    assert pasted.status_code in (400, 413, 422)  # a form field is bounded before the page
    apply = operator.submit(
        "/platform/trust/import", "/platform/trust/import/apply", {"document": document}, 422
    )
    assert "Entry 2" in apply.text
    assert _entries(place) == {}


def test_the_org_home_names_the_issued_types_in_the_page_language(
    place: Place, browser: Visitor
) -> None:
    sign_in(browser, "admin.college")
    home = browser.page("/org/college", 200, **{"Accept-Language": "fi"})
    assert "Tutkinto" in home.text and ">qualification<" not in home.text


def test_signed_out_the_registry_asks_for_a_staff_sign_in_and_comes_back(
    place: Place, browser: Visitor
) -> None:
    add_platform_admin(place)
    away = browser.client.get("/platform/trust", follow_redirects=False)
    assert away.status_code == 303
    assert away.headers["location"] == "/org/login?next=%2Fplatform%2Ftrust"
    back = browser.submit(
        "/org/login?next=/platform/trust",
        "/org/login",
        {"username": "platform", "password": PASSWORD, "next": "/platform/trust"},
        303,
    )
    assert back.headers["location"] == "/platform/trust"
