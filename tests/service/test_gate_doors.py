"""One gate for every door: the same failure fails with the same code at every door whose policy
says it must, and the only differences between doors are those written in ``verifiers/policy.py``.

Each door is called through its own public entry point (the functions the API and the CLI call)
with a token that fails one check at a time; what each door must report is derived from its
:class:`~verifiers.policy.DoorPolicy`, never written per door.
"""

import contextlib
import io
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from api.cli import build_parser, main
from api.cli import verify as cli_verify
from credentials.did_jwk import encode_did_jwk
from credentials.kb_jwt import create_kb_jwt
from credentials.keys import PrivateKey, generate_key
from credentials.sd_jwt_holder import create_presentation, open_sd_jwt
from credentials.vc_jose import issue_vc_jwt
from tests.service.test_verifiers_support import (
    BASE,
    COMPETENCE,
    QUALIFICATION,
    FakeFetcher,
    FixtureIssuer,
    make_issuer,
    pinned_entry_json,
    present,
    qualification_claims,
    sources_for,
    unique,
)
from verifiers.errors import CredentialRejected, NonceReused, ResponseRejected, ResponseReplayed
from verifiers.kept_answers import seal_answer, verify_answer_again
from verifiers.nonces import issue_nonce
from verifiers.organisations import VerifierInfo, create_verifier
from verifiers.policy import (
    CLI_CREDENTIAL,
    CLI_PRESENTATION,
    DOORS,
    KEPT_ANSWER,
    OPENID4VP_RESPONSE,
    REQUEST_ANSWER,
    SHARE_VIEW,
    VERIFICATION_API,
    WALLET_RECEIPT,
    DoorPolicy,
    KeyBinding,
    NonceUse,
    StatusRule,
    TrustSource,
    offline,
)
from verifiers.presentation_requests import CreatedRequest, create_request, load_request
from verifiers.receiving import check_received_credential
from verifiers.report import VerificationReport
from verifiers.submissions import (
    receive_authorization_response,
    submit_request_response,
    verify_shared_presentations,
    verify_submission,
)
from verifiers.trust import add_trusted_issuer
from verifiers.trust_entries import entry_from_json


# The CLI reads the wall clock, so this module's world lives at the real time.
def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


NOW = _now()
KEK = bytes(range(32))
CLI_AUDIENCE = "https://employer.example"
OPENID4VP_CLIENT_ID = "x509_hash:Uvo3HtuIxuhC92rShpgqcT3YXwrqRxWEviRiA0OZszk"
STALE = timedelta(minutes=10)
FAILURES = (
    "none",
    "signature",
    "expiry",
    "status",
    "unknown_issuer",
    "untrusted_type",
    "binding",
    "audience",
    "nonce",
    "stale_key_binding",
    "repeated_disclosure",
    "vc_jwt",
)
Failed = tuple[str, str] | None
"""The first failed check and its code, or ``None`` when every check passed."""


@dataclass
class World:
    session: Session
    fetcher: FakeFetcher
    issuer: FixtureIssuer
    holder: PrivateKey
    verifier: VerifierInfo
    tmp: Path


@pytest.fixture
def world(session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    # The wall clock moves on during a long run: each test's world starts now (a KB-JWT made at
    # import time would be older than the CLI's 5 minutes by the time a late test runs).
    monkeypatch.setattr(sys.modules[__name__], "NOW", _now())
    fetcher = FakeFetcher()
    issuer = make_issuer(fetcher)
    issuer.publish(at=NOW)
    entry = entry_from_json(pinned_entry_json(issuer, vcts=(QUALIFICATION,)))
    add_trusted_issuer(session, entry=entry, now=NOW)
    verifier = create_verifier(
        session, slug=unique("acme"), name="Acme Recruiting", base_url=BASE, now=NOW
    ).verifier
    monkeypatch.setattr(cli_verify, "make_fetcher", lambda: fetcher)
    # The tokens are made at NOW (set when this module was imported); a long test run must not
    # age their KB-JWTs past the 5-minute window.
    monkeypatch.setattr(cli_verify, "wall_clock", lambda: NOW)
    yield World(session, fetcher, issuer, generate_key("EdDSA"), verifier, tmp_path)


def expected_failure(policy: DoorPolicy, failure: str) -> Failed:
    """What ``policy`` makes of ``failure``: derived from the policy's fields only."""
    key_binding = policy.key_binding is not KeyBinding.REFUSED
    registry = policy.trust is TrustSource.REGISTRY
    if failure == "signature":
        return ("signature", "signature_invalid")
    if failure == "repeated_disclosure":
        return ("format", "disclosure_duplicate")
    if failure == "vc_jwt":
        # A sound vc+jwt, bound to the holder by its subject id, but with no Key Binding.
        return None if "vc+jwt" in policy.formats else ("format", "format_not_accepted")
    if failure == "expiry":
        return ("validity_period", "credential_expired")
    if failure == "status":
        required = policy.status is StatusRule.REQUIRED
        return ("status", "credential_revoked") if required else None
    if failure == "unknown_issuer":
        # A pinned key is trusted for whatever issuer: another issuer's signature fails.
        unknown = ("issuer_trusted", "issuer_unknown")
        return unknown if registry else ("signature", "signature_invalid")
    if failure == "untrusted_type":
        return ("issuer_trusted", "issuer_not_trusted_for_type") if registry else None
    if failure == "binding":
        if policy.holder_binding:
            return ("holder_binding", "holder_binding_mismatch")
        return ("kb_signature", "kb_invalid")
    if failure == "audience":
        return ("kb_audience", "kb_aud_mismatch") if key_binding else None
    if failure == "nonce":
        return ("kb_nonce", "kb_nonce_mismatch") if key_binding else None
    if failure == "stale_key_binding":
        too_old = key_binding and policy.max_kb_age is not None and policy.max_kb_age < STALE
        return ("kb_freshness", "kb_expired") if too_old else None
    return None


def _credential(world: World, failure: str) -> str:
    issuer = world.issuer
    if failure == "signature":
        impostor = generate_key("ES256", kid=issuer.key.kid)
        issuer = FixtureIssuer(issuer.identifier, impostor, world.fetcher, issuer.status_uri)
    elif failure == "unknown_issuer":
        issuer = make_issuer(world.fetcher)
    bound_to = generate_key("EdDSA") if failure == "binding" else world.holder
    credential, index = issuer.issue(
        bound_to,
        vct=COMPETENCE if failure == "untrusted_type" else QUALIFICATION,
        issued_at=NOW - timedelta(days=2),
        expires_at=NOW - timedelta(hours=1) if failure == "expiry" else NOW + timedelta(days=30),
    )
    if failure == "status":
        world.issuer.set_status(index, 1, at=NOW)
    return credential


def token_for(world: World, policy: DoorPolicy, failure: str, audience: str, nonce: str) -> str:
    """The token a door receives: a presentation where Key Binding may come, else the credential."""
    token = _token(world, policy, failure, audience, nonce)
    if failure == "repeated_disclosure":
        # The same Disclosure twice (RFC 9901 §7.1 step 4) in what the door receives.
        parts = token.split("~")
        token = "~".join([parts[0], parts[1], *parts[1:]])
    return token


def _vc_jwt(world: World) -> str:
    credential: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", QUALIFICATION],
        "issuer": world.issuer.identifier,
        "validFrom": (NOW - timedelta(days=1)).isoformat().replace("+00:00", "Z"),
        "credentialSubject": {"id": encode_did_jwk(world.holder.public), **qualification_claims()},
    }
    return issue_vc_jwt(credential, key=world.issuer.key, issued_at=NOW - timedelta(days=1))


def _token(world: World, policy: DoorPolicy, failure: str, audience: str, nonce: str) -> str:
    if failure == "vc_jwt":
        return _vc_jwt(world)
    credential = _credential(world, failure)
    if policy.key_binding is KeyBinding.REFUSED:
        return credential
    if failure == "binding":
        # The holder's own key signs the KB-JWT of a credential bound to another key: the core's
        # holder refuses to, so the presentation is put together by hand.
        held = create_presentation(open_sd_jwt(credential), disclose=["title"], key_binding=None)
        kb_jwt = create_kb_jwt(
            held.serialized,
            holder_key=world.holder,
            audience=audience,
            nonce=nonce,
            issued_at=NOW,
            sd_alg="sha-256",
        )
        return held.serialized + kb_jwt
    return present(
        credential,
        world.holder,
        disclose=("title", "eqf_level"),
        audience="https://elsewhere.example" if failure == "audience" else audience,
        nonce="not-our-nonce" if failure == "nonce" else nonce,
        at=NOW - STALE if failure == "stale_key_binding" else NOW,
    )


def _first_failed(report: VerificationReport) -> Failed:
    failed = [c for c in report.presentations[0].checks if c.outcome == "failed"]
    return (failed[0].check, failed[0].code or "") if failed else None


def _submit(world: World, token: str, nonce: str) -> VerificationReport:
    return verify_submission(
        world.session,
        verifier=world.verifier,
        request_id=None,
        nonce=nonce,
        audience=world.verifier.client_id,
        vp_token=None,
        presentations=[token],
        sources=sources_for(world.fetcher),
        kek=KEK,
        language="en",
        base_url=BASE,
        now=NOW,
    )


def _verification_api(world: World, policy: DoorPolicy, failure: str) -> Failed:
    nonce = issue_nonce(world.session, verifier=world.verifier, now=NOW).nonce
    token = token_for(world, policy, failure, world.verifier.client_id, nonce)
    return _first_failed(_submit(world, token, nonce))


def _new_request(world: World) -> CreatedRequest:
    return create_request(
        world.session,
        verifier=world.verifier,
        dcql_query=None,
        form=[{"type": "qualification"}],
        purpose="To check your qualification.",
        expires_in=timedelta(hours=1),
        language="en",
        base_url=BASE,
        now=NOW,
    )


def _answer(world: World, created: CreatedRequest, token: str) -> VerificationReport:
    return submit_request_response(
        world.session,
        request_id=created.id,
        vp_token={"q1": [token]},
        sources=sources_for(world.fetcher),
        kek=KEK,
        base_url=BASE,
        now=NOW,
    )


def _request_answer(world: World, policy: DoorPolicy, failure: str) -> Failed:
    created = _new_request(world)
    token = token_for(world, policy, failure, created.audience, created.nonce)
    return _first_failed(_answer(world, created, token))


def _kept_answer(world: World, policy: DoorPolicy, failure: str) -> Failed:
    """The answer kept as it arrived (whatever its report said then), verified again now."""
    created = _new_request(world)
    token = token_for(world, policy, failure, created.audience, created.nonce)
    row = load_request(world.session, request_id=created.id, verifier_id=world.verifier.id)
    row.sealed_answer = seal_answer(row, [("q1", token)], audience=created.audience, kek=KEK)
    world.session.add(row)
    report = verify_answer_again(
        world.session,
        verifier=world.verifier,
        request_id=created.id,
        sources=sources_for(world.fetcher),
        kek=KEK,
        language="en",
        base_url=BASE,
        now=NOW,
    )
    return _first_failed(report)


def _openid4vp(world: World, created: CreatedRequest, token: str) -> VerificationReport:
    return receive_authorization_response(
        world.session,
        verifier=world.verifier,
        client_id=OPENID4VP_CLIENT_ID,
        state=created.id,
        vp_token=json.dumps({"q1": [token]}),
        encrypted=False,
        sources=sources_for(world.fetcher),
        kek=KEK,
        base_url=BASE,
        now=NOW,
    )


def _openid4vp_response(world: World, policy: DoorPolicy, failure: str) -> Failed:
    """The door refuses what is not verified; the failed checks come with the refusal."""
    created = _new_request(world)
    token = token_for(world, policy, failure, OPENID4VP_CLIENT_ID, created.nonce)
    try:
        report = _openid4vp(world, created, token)
    except ResponseRejected as refused:
        failed = refused.problem_extra["errors"][0]
        return (failed["check"], failed["code"])
    return _first_failed(report)


def _share_view(world: World, policy: DoorPolicy, failure: str) -> Failed:
    audience, nonce = world.verifier.client_id, "share-nonce-" + unique("n")
    report = verify_shared_presentations(
        world.session,
        presentations=[token_for(world, policy, failure, audience, nonce)],
        audience=audience,
        nonce=nonce,
        sources=sources_for(world.fetcher),
        language="en",
        base_url=BASE,
        now=NOW,
    )
    return _first_failed(report)


def _wallet_receipt(world: World, policy: DoorPolicy, failure: str) -> Failed:
    try:
        check_received_credential(
            world.session,
            token_for(world, policy, failure, "", ""),
            holder_jwk=world.holder.public.jwk,
            sources=sources_for(world.fetcher),
            language="en",
            base_url=BASE,
            now=NOW,
        )
    except CredentialRejected as rejected:
        return (rejected.failed[0]["check"], rejected.failed[0]["code"])
    return None


def _command_line(world: World, policy: DoorPolicy, failure: str) -> Failed:
    path, key = world.tmp / "token.txt", world.tmp / "issuer.jwk"
    path.write_text(token_for(world, policy, failure, CLI_AUDIENCE, "n-cli"))
    key.write_text(json.dumps(world.issuer.key.public.jwk))
    argv = ["verify", str(path), "--issuer-key", str(key), "--aud", CLI_AUDIENCE]
    argv += ["--nonce", "n-cli"]
    argv += ["--no-key-binding"] if policy.key_binding is KeyBinding.OPTIONAL else []
    argv += ["--offline"] if policy.status is StatusRule.SKIPPED else []
    args = build_parser(offline_only=True).parse_args(argv)
    assert cli_verify.door_policy(args) == policy
    output = _run_cli(argv)
    error = output.get("error")
    return (error["check"], error["code"]) if error else None


def _run_cli(argv: list[str]) -> dict[str, Any]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(argv)
    output: dict[str, Any] = json.loads(buffer.getvalue())
    assert code == (0 if output["verified"] else 1)
    return output


DoorCall = Callable[[World, DoorPolicy, str], Failed]
CALLS: dict[str, DoorCall] = {
    VERIFICATION_API.door: _verification_api,
    REQUEST_ANSWER.door: _request_answer,
    OPENID4VP_RESPONSE.door: _openid4vp_response,
    SHARE_VIEW.door: _share_view,
    KEPT_ANSWER.door: _kept_answer,
    WALLET_RECEIPT.door: _wallet_receipt,
    CLI_PRESENTATION.door: _command_line,
    CLI_CREDENTIAL.door: _command_line,
    offline(CLI_PRESENTATION).door: _command_line,
}
POLICIES = (*DOORS, offline(CLI_PRESENTATION))


def test_every_door_of_the_policy_file_is_exercised_here() -> None:
    assert {policy.door for policy in POLICIES} == set(CALLS)


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("policy", POLICIES, ids=lambda policy: policy.door)
def test_each_door_fails_a_bad_token_with_the_code_its_policy_implies(
    world: World, policy: DoorPolicy, failure: str
) -> None:
    assert CALLS[policy.door](world, policy, failure) == expected_failure(policy, failure)


@pytest.mark.parametrize(
    "policy",
    [policy for policy in POLICIES if policy not in (REQUEST_ANSWER, OPENID4VP_RESPONSE)],
    ids=lambda policy: policy.door,
)
def test_a_replayed_token_is_refused_exactly_where_the_nonce_is_single_use(
    world: World, policy: DoorPolicy
) -> None:
    """(Answers to a request have tests of their own below: a request is answered once.)"""
    if policy.trust is TrustSource.PINNED_KEY:
        # The command line leaves tracking the nonce to its caller.
        assert policy.nonce is NonceUse.CALLER
        assert _command_line(world, policy, "none") is None
        assert _command_line(world, policy, "none") is None
        return
    if policy.nonce is NonceUse.SINGLE_USE:
        nonce = issue_nonce(world.session, verifier=world.verifier, now=NOW).nonce
        token = token_for(world, policy, "none", world.verifier.client_id, nonce)
        assert _submit(world, token, nonce).verified
        with pytest.raises(NonceReused):
            _submit(world, token, nonce)
        return
    call = CALLS[policy.door]
    assert call(world, policy, "none") is None
    assert call(world, policy, "none") is None


def test_an_answered_request_refuses_a_second_answer(world: World) -> None:
    assert REQUEST_ANSWER.nonce is NonceUse.SINGLE_USE
    created = _new_request(world)
    token = token_for(world, REQUEST_ANSWER, "none", created.audience, created.nonce)
    assert _answer(world, created, token).verified
    with pytest.raises(NonceReused):
        _answer(world, created, token)


def test_an_answered_openid4vp_request_refuses_a_replayed_response(world: World) -> None:
    assert OPENID4VP_RESPONSE.nonce is NonceUse.SINGLE_USE
    created = _new_request(world)
    token = token_for(world, OPENID4VP_RESPONSE, "none", OPENID4VP_CLIENT_ID, created.nonce)
    assert _openid4vp(world, created, token).verified
    with pytest.raises(ResponseReplayed):
        _openid4vp(world, created, token)
