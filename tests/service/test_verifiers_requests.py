"""Presentation requests: creating them, the wallet's view, answers, value constraints, replays."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from credentials.errors import QueryInvalid
from credentials.keys import PrivateKey, generate_key
from tests.service.test_verifiers_support import (
    BASE,
    NOW,
    QUALIFICATION,
    FakeFetcher,
    FixtureIssuer,
    make_issuer,
    pinned_entry_json,
    present,
    qualification_claims,
    skill_uris,
    sources_for,
    unique,
)
from verifiers.errors import (
    NonceReused,
    RequestAnswered,
    RequestExpired,
    RequestNotFound,
    VerifierInvalid,
)
from verifiers.language import Language
from verifiers.organisations import VerifierInfo, create_verifier
from verifiers.presentation_requests import (
    CreatedRequest,
    create_request,
    get_request,
    request_public_view,
)
from verifiers.report import VerificationReport
from verifiers.submissions import submit_request_response, verify_submission
from verifiers.tables import VerifierRequest
from verifiers.trust import add_trusted_issuer
from verifiers.trust_entries import entry_from_json

KEK = bytes(range(32))
SKILL_X, SKILL_Y, SKILL_Z = skill_uris(3)


@dataclass
class World:
    session: Session
    fetcher: FakeFetcher
    issuer: FixtureIssuer
    holder: PrivateKey
    verifier: VerifierInfo


@pytest.fixture
def world(session: Session) -> Iterator[World]:
    fetcher = FakeFetcher()
    issuer = make_issuer(fetcher)
    entry = entry_from_json(pinned_entry_json(issuer, vcts=[QUALIFICATION]))
    add_trusted_issuer(session, entry=entry, now=NOW)
    verifier = create_verifier(session, slug=unique("acme"), name="Acme", base_url=BASE, now=NOW)
    yield World(session, fetcher, issuer, generate_key("EdDSA"), verifier.verifier)


def ask(world: World, form: list[Any], *, language: Language = "en") -> CreatedRequest:
    return create_request(
        world.session,
        verifier=world.verifier,
        dcql_query=None,
        form=form,
        purpose="To check your qualification for the developer position.",
        expires_in=timedelta(hours=1),
        language=language,
        base_url=BASE,
        now=NOW,
    )


def answer(
    world: World, request: CreatedRequest, disclose: list[str], claims: dict[str, Any] | None = None
) -> VerificationReport:
    credential, _ = world.issuer.issue(world.holder, claims=claims)
    presentation = present(
        credential, world.holder, disclose=disclose, audience=request.audience, nonce=request.nonce
    )
    return submit_request_response(
        world.session,
        request_id=request.id,
        vp_token={"q1": [presentation]},
        sources=sources_for(world.fetcher),
        kek=KEK,
        base_url=BASE,
        now=NOW,
    )


def request_check(report: VerificationReport) -> tuple[str, str | None]:
    (check,) = report.checks
    assert check.check == "request_satisfied"
    return check.outcome, check.code


def test_request_has_a_random_nonce_the_audience_and_a_wallet_link(world: World) -> None:
    first = ask(world, [{"type": "qualification", "claims": ["title"]}])
    second = ask(world, [{"type": "qualification", "claims": ["title"]}])
    assert first.nonce != second.nonce and len(first.nonce) == 22
    assert first.audience == f"{BASE}/verifiers/{world.verifier.slug}"
    assert first.link == f"{BASE}/wallet/requests/{first.id}"
    assert first.query["credentials"][0]["meta"] == {"vct_values": [QUALIFICATION]}


def test_wallet_view_shows_verifier_name_purpose_query_nonce_and_audience(world: World) -> None:
    created = ask(world, [{"type": "qualification", "claims": ["title"]}])
    view = request_public_view(world.session, request_id=created.id, base_url=BASE, now=NOW)
    assert (view.verifier_name, view.purpose, view.nonce, view.audience) == (
        "Acme",
        created.purpose,
        created.nonce,
        created.audience,
    )
    assert view.query == created.query


def test_three_claims_asked_and_two_approved_passes_and_shows_exactly_those_two(
    world: World,
) -> None:
    created = ask(
        world, [{"type": "qualification", "claims": ["title", "eqf_level", "given_name"]}]
    )
    report = answer(world, created, ["title", "eqf_level"])
    assert report.verified
    assert request_check(report) == ("passed", None)
    assert set(report.presentations[0].claims) == {"title", "eqf_level"}


def test_answer_is_stored_sealed_and_readable_by_the_verifier(world: World) -> None:
    created = ask(world, [{"type": "qualification", "claims": ["title"]}], language="sv")
    answer(world, created, ["title"])
    state = get_request(
        world.session,
        verifier=world.verifier,
        request_id=created.id,
        kek=KEK,
        base_url=BASE,
        now=NOW,
    )
    assert state.status == "verified" and state.outcome is not None
    assert state.outcome["presentations"][0]["claims"] == {"title": qualification_claims()["title"]}
    assert state.outcome["language"] == "sv"
    row = world.session.get(VerifierRequest, created.id)
    assert row is not None and row.sealed_outcome is not None
    assert b"Bachelor" not in row.sealed_outcome


def test_eqf_at_least_four_is_satisfied_by_level_six(world: World) -> None:
    created = ask(world, [{"type": "qualification", "claims": [{"path": "eqf_level", "min": 4}]}])
    assert created.query["credentials"][0]["claims"][0]["values"] == [4, 5, 6, 7, 8]
    report = answer(world, created, ["eqf_level"])
    assert report.verified and request_check(report) == ("passed", None)


def test_eqf_at_least_four_is_not_satisfied_by_level_three(world: World) -> None:
    created = ask(world, [{"type": "qualification", "claims": [{"path": "eqf_level", "min": 4}]}])
    report = answer(world, created, ["eqf_level"], qualification_claims(eqf_level=3))
    assert not report.verified
    assert request_check(report) == ("failed", "request_value_not_allowed")
    assert report.checks[0].reason == (
        "A disclosed claim does not meet the requested condition: EQF level."
    )


def test_eqf_constraint_is_not_satisfied_by_withholding_the_level(world: World) -> None:
    created = ask(
        world, [{"type": "qualification", "claims": ["title", {"path": "eqf_level", "min": 4}]}]
    )
    report = answer(world, created, ["title"])
    assert request_check(report) == ("failed", "request_claim_missing")


def test_has_skill_is_satisfied_when_the_skill_is_disclosed(world: World) -> None:
    created = ask(world, [{"type": "qualification", "claims": [{"has_skill": SKILL_X}]}])
    report = answer(world, created, ["skills"], qualification_claims(skills=[SKILL_Y, SKILL_X]))
    assert report.verified and request_check(report) == ("passed", None)


def test_has_skill_is_not_satisfied_without_the_skill(world: World) -> None:
    created = ask(world, [{"type": "qualification", "claims": [{"has_skill": SKILL_X}]}])
    report = answer(world, created, ["skills"], qualification_claims(skills=[SKILL_Y, SKILL_Z]))
    assert not report.verified
    assert request_check(report) == ("failed", "request_value_not_allowed")


def test_presentation_of_another_type_does_not_satisfy_the_request(world: World) -> None:
    created = ask(world, [{"type": "competence", "claims": []}])
    report = answer(world, created, ["title"])
    assert request_check(report) == ("failed", "request_type_mismatch")


def test_answering_twice_is_a_replay(world: World) -> None:
    created = ask(world, [{"type": "qualification", "claims": ["title"]}])
    answer(world, created, ["title"])
    with pytest.raises(NonceReused) as raised:
        answer(world, created, ["title"])
    assert raised.value.status == 409


def test_answered_request_is_no_longer_open_to_the_wallet(world: World) -> None:
    created = ask(world, [{"type": "qualification", "claims": ["title"]}])
    answer(world, created, ["title"])
    with pytest.raises(RequestAnswered) as raised:
        request_public_view(world.session, request_id=created.id, base_url=BASE, now=NOW)
    assert raised.value.code == "verifier_request_answered" and raised.value.status == 409
    assert "expired" not in raised.value.detail


def test_expired_request_cannot_be_answered(world: World) -> None:
    created = ask(world, [{"type": "qualification", "claims": ["title"]}])
    credential, _ = world.issuer.issue(world.holder)
    presentation = present(
        credential, world.holder, disclose=["title"], audience=created.audience, nonce=created.nonce
    )
    with pytest.raises(RequestExpired):
        submit_request_response(
            world.session,
            request_id=created.id,
            vp_token={"q1": [presentation]},
            sources=sources_for(world.fetcher),
            kek=KEK,
            base_url=BASE,
            now=NOW + timedelta(hours=2),
        )
    state = get_request(
        world.session,
        verifier=world.verifier,
        request_id=created.id,
        kek=KEK,
        base_url=BASE,
        now=NOW + timedelta(hours=2),
    )
    assert state.status == "expired"


def test_verifier_cannot_read_another_verifiers_request(world: World) -> None:
    created = ask(world, [{"type": "qualification", "claims": ["title"]}])
    other = create_verifier(
        world.session, slug=unique("other"), name="Other", base_url=BASE, now=NOW
    )
    with pytest.raises(RequestNotFound) as raised:
        get_request(
            world.session,
            verifier=other.verifier,
            request_id=created.id,
            kek=KEK,
            base_url=BASE,
            now=NOW,
        )
    assert raised.value.status == 404


def test_verifier_answers_its_request_through_the_api_gate_with_a_bare_list(world: World) -> None:
    created = ask(world, [{"type": "qualification", "claims": ["title"]}])
    credential, _ = world.issuer.issue(world.holder)
    presentation = present(
        credential, world.holder, disclose=["title"], audience=created.audience, nonce=created.nonce
    )
    report = verify_submission(
        world.session,
        verifier=world.verifier,
        request_id=created.id,
        nonce=None,
        audience=None,
        vp_token=None,
        presentations=[presentation],
        sources=sources_for(world.fetcher),
        kek=KEK,
        language="en",
        base_url=BASE,
        now=NOW,
    )
    assert report.verified and report.request_id == created.id
    assert report.presentations[0].query_id == "q1"


def test_request_with_both_query_forms_is_invalid(world: World) -> None:
    with pytest.raises(QueryInvalid) as raised:
        create_request(
            world.session,
            verifier=world.verifier,
            dcql_query={"credentials": []},
            form=[{"type": "qualification"}],
            purpose="Why",
            expires_in=timedelta(hours=1),
            language="en",
            base_url=BASE,
            now=NOW,
        )
    assert raised.value.code == "presentation_query_invalid"


def test_request_lifetime_over_thirty_days_is_refused(world: World) -> None:
    with pytest.raises(VerifierInvalid):
        create_request(
            world.session,
            verifier=world.verifier,
            dcql_query=None,
            form=[{"type": "qualification"}],
            purpose="Why",
            expires_in=timedelta(days=31),
            language="en",
            base_url=BASE,
            now=NOW,
        )
