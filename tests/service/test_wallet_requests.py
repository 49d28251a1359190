"""Answering a verifier's DCQL request with only the approved claims."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from credentials.errors import QueryInvalid
from credentials.jws import parse_compact, payload_object
from credentials.sd_jwt import parse_disclosure, split_sd_jwt
from schemas import vct_for
from tests.service.test_wallet_support import (
    BASE_URL,
    KEK,
    NOW,
    PYTHON,
    TEAMWORK,
    IssuerFixture,
    PinnedChecker,
    committed_session,
    competence_claims,
    holder_jwk,
    qualification_with_skills,
    register_holder,
)
from wallet.activity import ActivityKind, list_activity
from wallet.credentials import receive_credential
from wallet.errors import (
    ApprovalInvalid,
    CredentialNotFound,
    PresentationRequestExpired,
)
from wallet.request_answers import Approval, PresentationRequest, answer_request, match_request

UNI = IssuerFixture("uni", "Haaga-Helia ammattikorkeakoulu")
AUDIENCE = f"{BASE_URL}/verifiers/rekry"
QUALIFICATION = vct_for("qualification", base_url=BASE_URL)


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _request(claims: list[dict[str, Any]], **extra: Any) -> PresentationRequest:
    query = {
        "credentials": [
            {
                "id": "degree",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [QUALIFICATION]},
                "claims": claims,
                **extra,
            }
        ]
    }
    return PresentationRequest(
        request_id="req_1",
        audience=AUDIENCE,
        nonce="n-0S6_WzA2Mj",
        query=query,
        purpose="Checking the degree for the developer position",
        verifier_name="Rekry Oy",
        expires_at=NOW + timedelta(minutes=10),
    )


THREE: list[dict[str, Any]] = [
    {"id": "title", "path": ["title"]},
    {"id": "level", "path": ["eqf_level"], "values": [6, 7, 8]},
    {"id": "date", "path": ["date_awarded"]},
]


def _wallet(session: Session) -> tuple[str, str, str]:
    holder = register_holder(session).holder_id
    jwk = holder_jwk(session, holder)
    ids = []
    for slug, claims in (
        ("qualification", qualification_with_skills()),
        ("competence", competence_claims()),
    ):
        ids.append(
            receive_credential(
                session,
                holder_id=holder,
                credential=UNI.issue(slug, claims, jwk),
                verify=PinnedChecker([UNI]),
                kek=KEK,
                base_url=BASE_URL,
                now=NOW,
            ).id
        )
    return holder, ids[0], ids[1]


def _disclosed(presentation: str) -> dict[str, Any]:
    parts = split_sd_jwt(presentation)
    found: dict[str, Any] = {}
    for encoded in parts.disclosures:
        disclosure = parse_disclosure(encoded)
        found[disclosure.name or f"[{len(found)}]"] = disclosure.value
    return found


def test_match_shows_the_fitting_credential_the_asked_claims_and_why(session: Session) -> None:
    holder, qualification, _ = _wallet(session)
    match = match_request(
        session,
        holder_id=holder,
        request=_request(THREE),
        kek=KEK,
        base_url=BASE_URL,
        lang="fi",
        now=NOW,
    )
    assert match.satisfiable and match.purpose.startswith("Checking the degree")
    (query,) = match.queries
    assert [(a.id, a.label) for a in query.asked] == [
        ("title", "Tutkinnon nimi"),
        ("level", "EQF-taso"),
        ("date", "Myöntämispäivä"),
    ]
    (candidate,) = query.candidates
    assert candidate.credential_id == qualification
    revealed = {c.id: [(r.path, r.value) for r in c.revealed] for c in candidate.claims}
    assert revealed["level"] == [(("eqf_level",), 6)]


def test_answer_holds_only_the_approved_claims_bound_to_the_request(session: Session) -> None:
    holder, qualification, _ = _wallet(session)
    request = _request(THREE)
    answer = answer_request(
        session,
        holder_id=holder,
        request=request,
        approvals=[Approval("degree", qualification, ("title", "level"))],
        kek=KEK,
        now=NOW,
    )
    (presentation,) = answer.vp_token["degree"]
    assert set(_disclosed(presentation)) == {"title", "eqf_level"}
    kb_jwt = split_sd_jwt(presentation).kb_jwt
    assert kb_jwt is not None
    kb = payload_object(parse_compact(kb_jwt))
    assert (kb["aud"], kb["nonce"]) == (AUDIENCE, request.nonce)
    latest = list_activity(session, holder_id=holder, kek=KEK)[0]
    assert latest.kind is ActivityKind.REQUEST_ANSWERED
    assert latest.details["audience"] == AUDIENCE


def test_value_constraint_not_met_leaves_no_candidate(session: Session) -> None:
    holder, _, _ = _wallet(session)
    request = _request([{"path": ["eqf_level"], "values": [7, 8]}])
    match = match_request(
        session, holder_id=holder, request=request, kek=KEK, base_url=BASE_URL, lang="en", now=NOW
    )
    assert not match.satisfiable


def test_asking_for_an_esco_skill_discloses_only_that_skill(session: Session) -> None:
    holder, qualification, _ = _wallet(session)
    request = _request([{"id": "skill", "path": ["skills", None, "uri"], "values": [TEAMWORK]}])
    answer = answer_request(
        session,
        holder_id=holder,
        request=request,
        approvals=[Approval("degree", qualification, ("skill",))],
        kek=KEK,
        now=NOW,
    )
    parts = split_sd_jwt(answer.vp_token["degree"][0])
    disclosures = [parse_disclosure(encoded) for encoded in parts.disclosures]
    assert [d.name for d in disclosures if d.name is not None] == ["skills"]
    elements = [d.value for d in disclosures if d.name is None]
    assert elements == [{"uri": TEAMWORK, "label": "Tiimityö"}]
    assert PYTHON not in str([d.value for d in disclosures])


def test_declining_answers_nothing_and_is_logged(session: Session) -> None:
    holder, _, _ = _wallet(session)
    answer = answer_request(
        session, holder_id=holder, request=_request(THREE), approvals=[], kek=KEK, now=NOW
    )
    assert answer.declined and answer.vp_token == {}
    latest = list_activity(session, holder_id=holder, kek=KEK)[0]
    assert latest.kind is ActivityKind.REQUEST_DECLINED


def test_a_credential_that_does_not_satisfy_the_query_is_refused(session: Session) -> None:
    holder, _, competence = _wallet(session)
    with pytest.raises(ApprovalInvalid) as caught:
        answer_request(
            session,
            holder_id=holder,
            request=_request(THREE),
            approvals=[Approval("degree", competence, ("title",))],
            kek=KEK,
            now=NOW,
        )
    assert caught.value.code == "approval_invalid" and caught.value.status == 422


def test_a_claim_the_request_does_not_ask_for_is_refused(session: Session) -> None:
    holder, qualification, _ = _wallet(session)
    with pytest.raises(ApprovalInvalid):
        answer_request(
            session,
            holder_id=holder,
            request=_request(THREE),
            approvals=[Approval("degree", qualification, ("grade",))],
            kek=KEK,
            now=NOW,
        )


def test_another_persons_credential_cannot_answer(session: Session) -> None:
    _, qualification, _ = _wallet(session)
    other = register_holder(session, "other@example.fi").holder_id
    with pytest.raises(CredentialNotFound):
        answer_request(
            session,
            holder_id=other,
            request=_request(THREE),
            approvals=[Approval("degree", qualification, ("title",))],
            kek=KEK,
            now=NOW,
        )


def test_expired_request_is_refused(session: Session) -> None:
    holder, _, _ = _wallet(session)
    with pytest.raises(PresentationRequestExpired) as caught:
        match_request(
            session,
            holder_id=holder,
            request=_request(THREE),
            kek=KEK,
            base_url=BASE_URL,
            lang="en",
            now=NOW + timedelta(minutes=10),
        )
    assert caught.value.status == 410


def test_malformed_query_is_refused(session: Session) -> None:
    holder, _, _ = _wallet(session)
    request = _request([{"path": []}])
    with pytest.raises(QueryInvalid) as caught:
        match_request(
            session,
            holder_id=holder,
            request=request,
            kek=KEK,
            base_url=BASE_URL,
            lang="en",
            now=NOW,
        )
    assert caught.value.code == "presentation_query_invalid"
