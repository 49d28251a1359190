"""Issuer staff in the browser: the generated issuing form, the pickup offer, the register and
status changes with a confirmation, and who is refused each of those pages."""

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, col, func, select

from api.web import org_register_pages
from api.web.issue_form import FormField, field_id, form_fields
from api.web.language import Localizer
from issuers.organisations import create_issuer, set_issuer_disabled
from issuers.register import get_issued_credential
from issuers.status_history import status_history
from issuers.tables import IssuerCredential, IssuerOffer, IssuerStatusChange
from schemas import SLUGS, credential_type, example_claims
from tests.api.test_org_pages import (
    NOW,
    PASSWORD,
    Place,
    _browser,
    sign_in,
)
from tests.api.test_org_pages import browser as browser  # the signed-out browser fixture
from tests.api.test_org_pages import place as place  # the college and its staff
from tests.api.web_support import Visitor, csrf_of
from tests.service.test_issuers_support import holder_key
from tests.service.test_wallet_support import FAST_HASHING
from tools.web_harness import PYTHON, SQL
from wallet.staff import create_staff_account

QUALIFICATION = {
    "claim-given_name": "Aino",
    "claim-family_name": "Korhonen",
    "claim-title": "Tieto- ja viestintätekniikan perustutkinto",
    "claim-kind": "vocational_upper_secondary",
    "claim-eqf_level": "4",
    "claim-awarding_body-name": "Esimerkkiopisto",
    "claim-date_awarded": "2026-02-27",
}


@pytest.fixture
def college(place: Place) -> Place:
    """The place, with a verifier-staff member of the college too (the wrong role here)."""
    with Session(place.engine) as session:
        create_staff_account(
            session,
            username="checker.college",
            password=PASSWORD,
            name="Checker",
            hashing=FAST_HASHING,
            now=NOW,
            organisation="college",
            role="verifier_staff",
        )
    return place


@pytest.fixture
def clerk(college: Place, client: TestClient) -> Iterator[Visitor]:
    for visitor in _browser(client):
        sign_in(visitor, "clerk.college")
        yield visitor


def _issue_directly(client: TestClient, place: Place) -> str:
    """A qualification issued through the API to a holder key: a register entry."""
    claims = {
        "given_name": "Aino",
        "family_name": "Korhonen",
        "title": "Tutkinto",
        "kind": "bachelor",
        "awarding_body": {"name": "Esimerkkiopisto"},
        "date_awarded": "2026-02-27",
    }
    answer = client.post(
        "/v1/issuers/college/credentials",
        json={
            "type": "qualification",
            "claims": claims,
            "holder": {"jwk": holder_key().public.jwk},
        },
        headers={
            "Authorization": f"Bearer {place.college_key}",
            "Idempotency-Key": claims["title"],
        },
    )
    assert answer.status_code == 201, answer.text
    credential_id: str = answer.json()["id"]
    return credential_id


def _in(visitor: Visitor, path: str, language: str) -> Response:
    """The page at ``path`` as a browser asking for ``language`` sees it."""
    answer: Response = visitor.client.get(path, headers={"accept-language": language})
    assert answer.status_code == 200, (path, answer.status_code)
    return answer


def _offers(place: Place) -> int:
    with Session(place.engine) as session:
        return int(session.exec(select(func.count()).select_from(IssuerOffer)).one())


def test_the_form_of_every_type_is_generated_from_its_schema_with_labels_in_the_language() -> None:
    for slug in SLUGS:
        schema = credential_type(slug).schema
        fields = form_fields(slug, Localizer("fi"))
        names = {f.path[0] for f in fields}
        assert names == set(schema["properties"]), slug  # every top-level claim has a field
        for f in fields:
            assert f.required == (f.path[0] in schema["required"]), (slug, f.id)
    finnish = {f.id: f for f in form_fields("qualification", Localizer("fi"))}
    assert finnish["claim-given_name"].label == "Etunimet"
    assert finnish["claim-eqf_level"].kind == "level"
    assert [c.value for c in finnish["claim-eqf_level"].choices] == [str(n) for n in range(1, 9)]
    assert finnish["claim-kind"].kind == "choice"
    kinds = {c.value: c.label for c in finnish["claim-kind"].choices}
    assert kinds["bachelor"] != "bachelor"  # a label, never the enum value
    assert finnish["claim-skills"].kind == "skills"
    assert [c.id for c in finnish["claim-awarding_body"].children][:1] == [
        field_id(("awarding_body", "name"))
    ]
    swedish = {f.id: f for f in form_fields("qualification", Localizer("sv"))}
    assert swedish["claim-given_name"].label == "Förnamn"


def test_the_organisation_page_names_the_types_it_issues_in_the_page_language(
    clerk: Visitor,
) -> None:
    home = _in(clerk, "/org/college", "fi")
    assert "<dd>Tutkinto</dd>" in home.text and "qualification" not in home.text


def test_the_types_page_lists_the_accredited_types_by_their_names(clerk: Visitor) -> None:
    page = _in(clerk, "/org/college/issue", "fi")
    assert 'href="/org/college/issue/qualification"' in page.text
    assert "Tutkinto" in page.text
    assert "/issue/competence" not in page.text  # not accredited for it
    clerk.page("/org/college/issue/competence", 404)
    clerk.page("/org/college/issue/no_such_type", 404)


def test_the_skill_search_lists_esco_skills_by_label_and_keeps_what_was_filled_in(
    clerk: Visitor, college: Place
) -> None:
    form = clerk.page("/org/college/issue/qualification")
    assert 'id="claim-skills"' in form.text and 'name="claim-eqf_level"' in form.text
    found = clerk.client.post(
        "/org/college/issue/qualification",
        data={
            "csrf_token": csrf_of(form.text),
            **QUALIFICATION,
            "claim-skills-q": "Python",
            "action": "search:claim-skills",
        },
    )
    assert found.status_code == 200
    assert f'value="{PYTHON}"' in found.text  # a checkbox whose value is the URI ...
    assert re.search(r"<label[^>]*>(<span lang=\"en\">)?Python", found.text)  # ... labelled
    assert ">" + PYTHON + "<" not in found.text  # the URI itself is never shown
    assert 'value="Korhonen"' in found.text  # the form kept its values
    assert _offers(college) == 0


def test_an_offer_is_made_with_two_skills_and_shows_the_codes_links_and_qr(
    clerk: Visitor, college: Place
) -> None:
    form = clerk.page("/org/college/issue/qualification")
    attempt = re.search(r'name="attempt" value="([^"]+)"', form.text)
    assert attempt is not None
    fields = {
        "csrf_token": csrf_of(form.text),
        "attempt": attempt.group(1),
        **QUALIFICATION,
        "action": "issue",
    }
    made = clerk.client.post(
        "/org/college/issue/qualification",
        data={**fields, "claim-skills": [PYTHON, SQL]},
    )
    assert made.status_code == 200, made.text
    code = re.search(r'id="pickup-code">([A-Z0-9-]+)<', made.text)
    assert code is not None
    assert "openid-credential-offer://?credential_offer_uri=" in made.text
    assert f"/wallet/receive?code={code.group(1)}" in made.text
    assert made.text.count("<svg") == 2 and 'id="tx-code">' in made.text
    assert _offers(college) == 1
    again = clerk.client.post(
        "/org/college/issue/qualification",
        data={**fields, "claim-skills": [PYTHON, SQL]},
    )
    assert code.group(1) in again.text and _offers(college) == 1  # the same attempt: one offer


def test_errors_are_shown_at_their_fields_with_a_summary_and_nothing_is_made(
    clerk: Visitor, college: Place
) -> None:
    form = _in(clerk, "/org/college/issue/qualification", "en")
    answer = clerk.client.post(
        "/org/college/issue/qualification",
        data={
            "csrf_token": csrf_of(form.text),
            **QUALIFICATION,
            "claim-family_name": "",
            "claim-date_awarded": "2026-02-31",
            "claim-awarding_body-id": "1234567-8",
            "claim-credits-value": "many",
            "action": "issue",
        },
    )
    assert answer.status_code == 422
    assert 'class="error-summary"' in answer.text
    assert 'href="#claim-credits-value"' in answer.text
    assert 'aria-describedby="claim-credits-value-error"' in answer.text
    assert 'href="#claim-family_name"' in answer.text  # the service's errors show at once
    assert _offers(college) == 0
    fixed = clerk.client.post(
        "/org/college/issue/qualification",
        data={
            "csrf_token": csrf_of(form.text),
            **QUALIFICATION,
            "claim-family_name": "",
            "claim-date_awarded": "2026-02-31",
            "claim-awarding_body-id": "1234567-8",
            "claim-given_name": "Aino 131052-308T",
            "action": "issue",
        },
    )
    assert fixed.status_code == 422
    for field in ("claim-family_name", "claim-date_awarded", "claim-awarding_body-id"):
        assert f'href="#{field}"' in fixed.text, field
        assert f'id="{field}-error"' in fixed.text, field
    assert "Family name: fill this in" in fixed.text
    assert 'href="#claim-given_name"' in fixed.text  # the personal identity code
    assert "131052-308T" in fixed.text  # kept in the field for correcting, nowhere else
    assert _offers(college) == 0


def test_the_register_filters_by_type_status_and_date_and_finds_by_id(
    clerk: Visitor, college: Place, client: TestClient
) -> None:
    first, second = _issue_directly(client, college), _issue_directly_other(client, college)
    listing = clerk.page("/org/college/credentials")
    assert first in listing.text and second in listing.text
    assert "A. Korhonen" in listing.text and "E. Virtanen" in listing.text  # the summary only
    assert "Aino" not in listing.text and "Eero" not in listing.text
    today = clerk.page("/org/college/credentials?issued_from=2000-01-01&issued_to=2000-01-02")
    assert first not in today.text
    clerk.submit(
        f"/org/college/credentials/{first}/revoke",
        f"/org/college/credentials/{first}/revoke",
        {"reason": "Issued by mistake"},
        303,
    )
    revoked = clerk.page("/org/college/credentials?status=revoked")
    assert first in revoked.text and second not in revoked.text
    valid = clerk.page("/org/college/credentials?status=valid&type=qualification")
    assert second in valid.text and first not in valid.text
    found = clerk.client.get(f"/org/college/credentials?q={second}", follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"].endswith(second)
    missing = clerk.page("/org/college/credentials?q=nope&issued_from=31.5.", 422)
    assert 'href="#q"' in missing.text and 'href="#issued_from"' in missing.text


def _issue_directly_other(client: TestClient, place: Place) -> str:
    answer = client.post(
        "/v1/issuers/college/credentials",
        json={
            "type": "qualification",
            "claims": {
                "given_name": "Eero",
                "family_name": "Virtanen",
                "title": "Toinen tutkinto",
                "kind": "master",
                "awarding_body": {"name": "Esimerkkiopisto"},
                "date_awarded": "2026-02-27",
            },
            "holder": {"jwk": holder_key().public.jwk},
        },
        headers={"Authorization": f"Bearer {place.college_key}", "Idempotency-Key": "other"},
    )
    assert answer.status_code == 201, answer.text
    credential_id: str = answer.json()["id"]
    return credential_id


def test_suspend_reinstate_and_revoke_each_ask_once_with_a_reason_and_keep_a_history(
    clerk: Visitor, college: Place, client: TestClient
) -> None:
    credential_id = _issue_directly(client, college)
    base = f"/org/college/credentials/{credential_id}"
    confirm = clerk.page(f"{base}/suspend")
    assert 'name="reason"' in confirm.text and "A. Korhonen" in confirm.text
    refused = clerk.submit(f"{base}/suspend", f"{base}/suspend", {"reason": "  "}, 422)
    assert 'href="#reason"' in refused.text
    with Session(college.engine) as session:
        entry = get_issued_credential(
            session, issuer_id=college.college_id, credential_id=credential_id
        )
    assert entry.status == "valid"  # the refused form changed nothing
    clerk.submit(f"{base}/suspend", f"{base}/suspend", {"reason": "Checking the grade"}, 303)
    clerk.page(f"{base}/suspend", 404)  # already suspended
    clerk.submit(f"{base}/reinstate", f"{base}/reinstate", {"reason": "Grade was right"}, 303)
    token = csrf_of(clerk.page(f"{base}/revoke").text)
    for _twice in range(2):  # the same form sent twice: one change
        sent = clerk.client.post(
            f"{base}/revoke",
            data={"csrf_token": token, "reason": "Issued by mistake"},
            follow_redirects=False,
        )
        assert sent.status_code == 303 and sent.headers["location"] == base
    for action in ("revoke", "suspend", "reinstate"):
        clerk.page(f"{base}/{action}", 404)  # revoked stays revoked
    page = _in(clerk, base, "en")
    assert "Revoked" in page.text and "Issued by mistake" in page.text
    assert "A. Korhonen" in page.text and "Aino" not in page.text
    assert "Checking the grade" in page.text and "Clerk.College" in page.text
    kek = client.app.state.kek  # type: ignore[attr-defined]
    with Session(college.engine) as session:
        history = status_history(
            session, issuer_id=college.college_id, credential_id=credential_id, kek=kek
        )
        sealed = session.exec(
            select(IssuerStatusChange.sealed_note).where(
                col(IssuerStatusChange.credential_id) == credential_id
            )
        ).all()
    assert [h.status for h in history] == ["suspended", "valid", "revoked"]
    assert [h.reason for h in history][-1] == "Issued by mistake"
    assert all(s is not None and b"mistake" not in s for s in sealed)  # sealed at rest
    api = client.get(
        f"/v1/issuers/college/credentials/{credential_id}",
        headers={"Authorization": f"Bearer {college.college_key}"},
    )
    assert api.json()["status"] == "revoked"


def test_a_status_change_through_the_api_is_in_the_history_too(
    clerk: Visitor, college: Place, client: TestClient
) -> None:
    credential_id = _issue_directly(client, college)
    changed = client.post(
        f"/v1/issuers/college/credentials/{credential_id}/status",
        json={"status": "suspended", "reason": "Asked by the registrar"},
        headers={"Authorization": f"Bearer {college.college_key}"},
    )
    assert changed.status_code == 200
    page = _in(clerk, f"/org/college/credentials/{credential_id}", "en")
    assert "Through the API" in page.text and "Asked by the registrar" in page.text
    too_long = client.post(
        f"/v1/issuers/college/credentials/{credential_id}/status",
        json={"status": "revoked", "reason": "x" * 501},
        headers={"Authorization": f"Bearer {college.college_key}"},
    )
    assert too_long.status_code == 422
    assert _in(clerk, f"/org/college/credentials/{credential_id}", "en").text.count("<tr>") == 2


def _state(place: Place) -> tuple[Any, ...]:
    with Session(place.engine) as session:
        offers = session.exec(select(func.count()).select_from(IssuerOffer)).one()
        statuses = tuple(session.exec(select(IssuerCredential.id, IssuerCredential.status)).all())
        changes = session.exec(select(func.count()).select_from(IssuerStatusChange)).one()
    return offers, statuses, changes


def _pages(credential_id: str) -> list[tuple[str, str, dict[str, str]]]:
    base = f"/org/college/credentials/{credential_id}"
    issue_fields = {**QUALIFICATION, "action": "issue"}
    return [
        ("GET", "/org/college/issue", {}),
        ("GET", "/org/college/issue/qualification", {}),
        ("POST", "/org/college/issue/qualification", issue_fields),
        ("GET", "/org/college/credentials", {}),
        ("GET", base, {}),
        ("GET", f"{base}/revoke", {}),
        ("GET", f"{base}/suspend", {}),
        ("POST", f"{base}/revoke", {"reason": "intruder"}),
        ("POST", f"{base}/suspend", {"reason": "intruder"}),
    ]


def _ask(visitor: Visitor, method: str, path: str, fields: dict[str, str]) -> int:
    if method == "GET":
        response = visitor.client.get(path, follow_redirects=False)
    else:
        token = csrf_of(visitor.client.get("/login").text)
        response = visitor.client.post(
            path, data={"csrf_token": token, **fields}, follow_redirects=False
        )
    if response.status_code in (403, 404):
        assert "Esimerkkiopisto" not in response.text, path
    return int(response.status_code)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, 303),  # to the sign-in page
        ("recruiter", 404),  # another organisation's staff
        ("admin.employer", 404),
        ("checker.college", 403),  # verifier staff of the college: the wrong role
    ],
)
def test_every_issuing_page_refuses_those_without_the_right_and_changes_nothing(
    college: Place, browser: Visitor, client: TestClient, who: str | None, expected: int
) -> None:
    credential_id = _issue_directly(client, college)
    if who is not None:
        sign_in(browser, who)
    before = _state(college)
    for method, path, fields in _pages(credential_id):
        status = _ask(browser, method, path, fields)
        assert status == expected, (who, method, path, status)
        if who is None:
            assert (
                browser.client.get(path, follow_redirects=False)
                .headers["location"]
                .startswith("/org/login")
            )
    assert _state(college) == before


def test_a_disabled_organisation_refuses_its_issuer_staff_every_issuing_page(
    college: Place, clerk: Visitor, client: TestClient
) -> None:
    credential_id = _issue_directly(client, college)
    with Session(college.engine) as session:
        set_issuer_disabled(session, slug="college", disabled=True, now=NOW)
    before = _state(college)
    for method, path, fields in _pages(credential_id):
        assert _ask(clerk, method, path, fields) == 403, (method, path)
    assert _state(college) == before


def test_issuing_forms_without_their_csrf_token_are_refused(
    college: Place, clerk: Visitor, client: TestClient
) -> None:
    credential_id = _issue_directly(client, college)
    before = _state(college)
    for method, path, fields in _pages(credential_id):
        if method != "POST":
            continue
        for token in ({}, {"csrf_token": "forged"}):
            answer = clerk.client.post(path, data={**fields, **token}, follow_redirects=False)
            assert answer.status_code == 403, path
    assert _state(college) == before


def test_another_issuers_credential_is_not_found(college: Place, client: TestClient) -> None:
    credential_id = _issue_directly(client, college)
    for visitor in _browser(client):
        sign_in(visitor, "admin.college")
        visitor.page(f"/org/college/credentials/{credential_id}")
        visitor.page("/org/college/credentials/icred_nope", 404)
        visitor.page("/org/college/credentials/icred_nope/revoke", 404)


def _form_of(fields: tuple[FormField, ...], claims: dict[str, Any]) -> dict[str, Any]:
    """The form a clerk fills in to issue ``claims`` (skills picked by their URIs)."""
    data: dict[str, Any] = {}
    for leaf in (leaf for group in fields for leaf in group.leaves):
        value: Any = claims
        for name in leaf.path:
            value = value.get(name) if isinstance(value, dict) else None
        if value is None:
            continue
        if leaf.kind == "skills":
            data[leaf.id] = [skill["uri"] for skill in value]
        elif leaf.kind == "skill":
            data[leaf.id] = value["uri"]
        elif leaf.kind == "lines":
            data[leaf.id] = "\n".join(value)
        else:
            data[leaf.id] = str(value)
    return data


def test_every_type_has_a_form_that_issues_its_example(college: Place, client: TestClient) -> None:
    with Session(college.engine) as session:
        create_issuer(
            session,
            name="Kaikki tyypit",
            slug="academy",
            types=list(SLUGS),
            alg="EdDSA",
            kek=client.app.state.kek,  # type: ignore[attr-defined]
            now=NOW,
        )
        create_staff_account(
            session,
            username="clerk.academy",
            password=PASSWORD,
            name="Clerk",
            hashing=FAST_HASHING,
            now=NOW,
            organisation="academy",
            role="issuer_staff",
        )
    for visitor in _browser(client):
        sign_in(visitor, "clerk.academy")
        for slug in SLUGS:
            form = _in(visitor, f"/org/academy/issue/{slug}", "en")
            fields = form_fields(slug, Localizer("en"))
            for leaf in (leaf for group in fields for leaf in group.leaves):
                assert f'id="{leaf.id}"' in form.text, (slug, leaf.id)
            made = visitor.client.post(
                f"/org/academy/issue/{slug}",
                data={
                    "csrf_token": csrf_of(form.text),
                    **_form_of(fields, example_claims(slug)),
                    "action": "issue",
                },
            )
            assert made.status_code == 200, (
                slug,
                re.findall(r"<li><a href=\"#[^<]+</a>", made.text),
            )
            assert 'id="pickup-code"' in made.text, slug


def test_the_register_pages_with_a_link_to_older_credentials_keeping_the_filters(
    clerk: Visitor, college: Place, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(org_register_pages, "PAGE_SIZE", 1)
    older, newer = _issue_directly(client, college), _issue_directly_other(client, college)
    first = clerk.page("/org/college/credentials?status=valid")
    assert newer in first.text and older not in first.text
    link = re.search(r'href="(/org/college/credentials\?[^"]+)">Older credentials<', first.text)
    assert link is not None and "status=valid" in link.group(1)
    second = clerk.page(html.unescape(link.group(1)))
    assert older in second.text and newer not in second.text
    assert "Older credentials" not in second.text and "Back to the newest" in second.text
    clerk.page("/org/college/credentials?cursor=not-a-cursor", 400)


def test_a_validity_end_must_be_a_real_day_after_today(clerk: Visitor, college: Place) -> None:
    form = clerk.page("/org/college/issue/qualification")
    for typed in ("31.5.2024", "2020-01-01"):
        refused = clerk.client.post(
            "/org/college/issue/qualification",
            data={
                "csrf_token": csrf_of(form.text),
                **QUALIFICATION,
                "valid_until": typed,
                "action": "issue",
            },
        )
        assert refused.status_code == 422, typed
        assert 'href="#valid_until"' in refused.text and 'id="valid_until-error"' in refused.text
    assert _offers(college) == 0
    made = clerk.client.post(
        "/org/college/issue/qualification",
        data={
            "csrf_token": csrf_of(form.text),
            **QUALIFICATION,
            "valid_until": "2099-12-31",
            "action": "issue",
        },
    )
    assert made.status_code == 200 and _offers(college) == 1
