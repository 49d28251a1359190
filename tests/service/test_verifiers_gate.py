"""The verification gate through the verifiers service: every check, its reason, and replays."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from credentials.keys import PrivateKey, generate_key
from credentials.sd_jwt_holder import create_presentation, open_sd_jwt
from tests.service.test_verifiers_support import (
    BASE,
    COMPETENCE,
    NOW,
    QUALIFICATION,
    FakeFetcher,
    FixtureIssuer,
    local_info,
    make_issuer,
    pinned_entry_json,
    present,
    sources_for,
    unique,
)
from verifiers.errors import AudienceNotOwn, NonceExpired, NonceReused, NonceUnknown
from verifiers.issuer_trust import LocalIssuerInfo
from verifiers.language import Language
from verifiers.nonces import issue_nonce
from verifiers.organisations import VerifierInfo, create_verifier
from verifiers.report import VerificationReport
from verifiers.submissions import verify_shared_presentations, verify_submission
from verifiers.trust import add_trusted_issuer
from verifiers.trust_entries import entry_from_json


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
    verifier = create_verifier(
        session, slug=unique("acme"), name="Acme Recruiting", base_url=BASE, now=NOW
    ).verifier
    yield World(session, fetcher, issuer, generate_key("EdDSA"), verifier)


def trust(world: World, *vcts: str) -> None:
    entry = entry_from_json(pinned_entry_json(world.issuer, vcts=vcts or (QUALIFICATION,)))
    add_trusted_issuer(world.session, entry=entry, now=NOW)


def verify(
    world: World,
    presentation: str,
    nonce: str,
    *,
    language: Language = "en",
    sources_local: tuple[LocalIssuerInfo, ...] = (),
) -> VerificationReport:
    return verify_submission(
        world.session,
        verifier=world.verifier,
        request_id=None,
        nonce=nonce,
        audience=world.verifier.client_id,
        vp_token=None,
        presentations=[presentation],
        sources=sources_for(world.fetcher, local=sources_local),
        kek=bytes(32),
        language=language,
        base_url=BASE,
        now=NOW,
    )


def fresh_presentation(
    world: World, *, disclose: tuple[str, ...] = ("title", "eqf_level"), audience: str | None = None
) -> tuple[str, str, int]:
    credential, index = world.issuer.issue(world.holder)
    nonce = issue_nonce(world.session, verifier=world.verifier, now=NOW).nonce
    presentation = present(
        credential,
        world.holder,
        disclose=disclose,
        audience=audience or world.verifier.client_id,
        nonce=nonce,
    )
    return presentation, nonce, index


def outcome(report: VerificationReport, check: str) -> tuple[str, str | None, str | None]:
    found = [c for c in report.presentations[0].checks if c.check == check]
    assert len(found) == 1
    return found[0].outcome, found[0].code, found[0].reason


def test_presentation_with_every_check_passed_shows_exactly_the_disclosed_claims(
    world: World,
) -> None:
    trust(world)
    presentation, nonce, _ = fresh_presentation(world)
    report = verify(world, presentation, nonce)
    assert report.verified
    checks = {c.check: c.outcome for c in report.presentations[0].checks}
    assert set(checks.values()) == {"passed"}
    assert set(checks) >= {
        "format",
        "issuer_trusted",
        "signature",
        "validity_period",
        "kb_signature",
        "kb_audience",
        "kb_nonce",
        "kb_freshness",
        "kb_sd_hash",
        "status",
        "schema",
    }
    shown = report.presentations[0]
    assert shown.claims == {
        "title": "Bachelor of Engineering, Information Technology",
        "eqf_level": 6,
    }
    assert {(c.path, c.label) for c in shown.labelled_claims} == {
        (("title",), "Qualification title"),
        (("eqf_level",), "EQF level"),
    }
    assert shown.issuer_name == "Omnia" and shown.type_name == "Qualification"


def test_claims_are_labelled_in_the_callers_language(world: World) -> None:
    trust(world)
    presentation, nonce, _ = fresh_presentation(world)
    report = verify(world, presentation, nonce, language="fi")
    assert {c.label for c in report.presentations[0].labelled_claims} == {
        "Tutkinnon nimi",
        "EQF-taso",
    }
    assert report.presentations[0].type_name == "Tutkinto"


def test_revoked_credential_fails_the_status_check_with_a_plain_language_reason(
    world: World,
) -> None:
    trust(world)
    presentation, nonce, index = fresh_presentation(world)
    world.issuer.set_status(index, 1)
    report = verify(world, presentation, nonce)
    assert not report.verified
    assert outcome(report, "status") == (
        "failed",
        "credential_revoked",
        "The issuer has revoked this credential.",
    )
    assert report.presentations[0].claims == {}


def test_revocation_reason_is_in_finnish_for_a_finnish_caller(world: World) -> None:
    trust(world)
    presentation, nonce, index = fresh_presentation(world)
    world.issuer.set_status(index, 1)
    report = verify(world, presentation, nonce, language="fi")
    assert outcome(report, "status")[2] == "Myöntäjä on peruuttanut tämän tunnisteen."


def test_suspended_credential_fails_the_status_check(world: World) -> None:
    trust(world)
    presentation, nonce, index = fresh_presentation(world)
    world.issuer.set_status(index, 2)
    assert outcome(verify(world, presentation, nonce), "status")[1] == "credential_suspended"


def test_unreachable_status_list_fails_the_status_check_closed(world: World) -> None:
    trust(world)
    presentation, nonce, _ = fresh_presentation(world)
    del world.fetcher.documents[world.issuer.status_uri]
    report = verify(world, presentation, nonce)
    assert not report.verified
    assert outcome(report, "status")[:2] == ("failed", "status_unavailable")


def test_status_list_signed_by_another_key_fails_the_status_check(world: World) -> None:
    trust(world)
    presentation, nonce, _ = fresh_presentation(world)
    world.issuer.key = generate_key("ES256")
    world.issuer.publish()
    assert outcome(verify(world, presentation, nonce), "status")[1] == "status_list_invalid"


def test_replaying_a_verified_presentation_is_refused_as_nonce_reused(world: World) -> None:
    trust(world)
    presentation, nonce, _ = fresh_presentation(world)
    assert verify(world, presentation, nonce).verified
    with pytest.raises(NonceReused) as raised:
        verify(world, presentation, nonce)
    assert raised.value.code == "nonce_reused" and raised.value.status == 409


def test_issuer_not_in_the_trust_registry_fails_the_trust_check(world: World) -> None:
    presentation, nonce, _ = fresh_presentation(world)
    report = verify(world, presentation, nonce)
    assert not report.verified
    assert outcome(report, "issuer_trusted") == (
        "failed",
        "issuer_unknown",
        "The issuer is unknown: it is not in the trust registry.",
    )
    assert outcome(report, "signature")[1] == "not_checked"


def test_issuer_trusted_only_for_another_type_fails_the_trust_check(world: World) -> None:
    trust(world, COMPETENCE)
    presentation, nonce, _ = fresh_presentation(world)
    report = verify(world, presentation, nonce)
    assert not report.verified
    assert outcome(report, "issuer_trusted") == (
        "failed",
        "issuer_not_trusted_for_type",
        "The issuer is known, but not trusted to issue this type of credential.",
    )
    assert outcome(report, "signature")[0] == "passed"


def test_presentation_for_another_verifiers_audience_fails(world: World) -> None:
    trust(world)
    other = f"{BASE}/verifiers/other"
    presentation, nonce, _ = fresh_presentation(world, audience=other)
    report = verify(world, presentation, nonce)
    assert not report.verified
    assert outcome(report, "kb_audience")[:2] == ("failed", "kb_aud_mismatch")
    assert outcome(report, "kb_nonce")[1] == "not_checked"


def test_presentation_for_another_audience_does_not_use_up_the_nonce(world: World) -> None:
    trust(world)
    credential, _ = world.issuer.issue(world.holder)
    nonce = issue_nonce(world.session, verifier=world.verifier, now=NOW).nonce
    wrong = present(
        credential, world.holder, disclose=["title"], audience="https://x.test", nonce=nonce
    )
    assert not verify(world, wrong, nonce).verified
    right = present(
        credential, world.holder, disclose=["title"], audience=world.verifier.client_id, nonce=nonce
    )
    assert verify(world, right, nonce).verified


def test_key_binding_jwt_older_than_five_minutes_fails_freshness(world: World) -> None:
    trust(world)
    credential, _ = world.issuer.issue(world.holder)
    nonce = issue_nonce(
        world.session, verifier=world.verifier, now=NOW - timedelta(minutes=1)
    ).nonce
    stale = present(
        credential,
        world.holder,
        disclose=["title"],
        audience=world.verifier.client_id,
        nonce=nonce,
        at=NOW - timedelta(minutes=6),
    )
    assert outcome(verify(world, stale, nonce), "kb_freshness")[:2] == ("failed", "kb_expired")


def test_presentation_without_key_binding_fails_the_kb_signature_check(world: World) -> None:
    trust(world)
    credential, _ = world.issuer.issue(world.holder)
    nonce = issue_nonce(world.session, verifier=world.verifier, now=NOW).nonce
    unbound = create_presentation(open_sd_jwt(credential), disclose=["title"], key_binding=None)
    report = verify(world, unbound.serialized, nonce)
    assert outcome(report, "kb_signature")[:2] == ("failed", "key_binding_required")


def test_presentation_signed_by_another_holder_key_fails_the_kb_signature_check(
    world: World,
) -> None:
    trust(world)
    credential, _ = world.issuer.issue(world.holder)
    nonce = issue_nonce(world.session, verifier=world.verifier, now=NOW).nonce
    genuine = present(
        credential, world.holder, disclose=["title"], audience=world.verifier.client_id, nonce=nonce
    )
    forged_kb = present(
        credential, world.holder, disclose=["title"], audience=world.verifier.client_id, nonce=nonce
    )
    sd_jwt = genuine.rsplit("~", 1)[0] + "~"
    thief = generate_key("EdDSA")
    header, payload, _ = forged_kb.rsplit("~", 1)[1].split(".")
    forged = sd_jwt + ".".join([header, payload, _sign(thief, f"{header}.{payload}")])
    assert outcome(verify(world, forged, nonce), "kb_signature")[0] == "failed"


def _sign(key: PrivateKey, text: str) -> str:
    from credentials.encoding import b64url_encode

    return b64url_encode(key.sign(text.encode("ascii")))


def test_expired_credential_fails_the_validity_period_check(world: World) -> None:
    trust(world)
    credential, _ = world.issuer.issue(
        world.holder, issued_at=NOW - timedelta(days=30), expires_at=NOW - timedelta(days=1)
    )
    nonce = issue_nonce(world.session, verifier=world.verifier, now=NOW).nonce
    presentation = present(
        credential, world.holder, disclose=["title"], audience=world.verifier.client_id, nonce=nonce
    )
    report = verify(world, presentation, nonce)
    assert outcome(report, "validity_period") == (
        "failed",
        "credential_expired",
        "The credential has expired.",
    )


def test_tampered_issuer_signature_fails_the_signature_check(world: World) -> None:
    trust(world)
    presentation, nonce, _ = fresh_presentation(world)
    jwt, rest = presentation.split("~", 1)
    header, payload, signature = jwt.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    report = verify(world, f"{header}.{payload}.{flipped}~{rest}", nonce)
    assert outcome(report, "signature")[:2] == ("failed", "signature_invalid")
    assert outcome(report, "status")[1] == "not_checked"


def test_garbage_fails_the_format_check_and_every_other_check(world: World) -> None:
    nonce = issue_nonce(world.session, verifier=world.verifier, now=NOW).nonce
    report = verify(world, "not-a-presentation", nonce)
    assert not report.verified
    assert outcome(report, "format")[0] == "failed"
    assert all(c.outcome == "failed" for c in report.presentations[0].checks)


def test_local_issuer_is_trusted_for_its_accredited_types_without_a_registry_entry(
    world: World,
) -> None:
    local = make_issuer(world.fetcher, identifier=unique(f"{BASE}/issuers/metropolia"))
    credential, _ = local.issue(world.holder)
    nonce = issue_nonce(world.session, verifier=world.verifier, now=NOW).nonce
    presentation = present(
        credential, world.holder, disclose=["title"], audience=world.verifier.client_id, nonce=nonce
    )
    report = verify(
        world, presentation, nonce, sources_local=(local_info(local, accredited=[QUALIFICATION]),)
    )
    assert report.verified
    assert report.presentations[0].issuer_name == "Metropolia"


def test_local_issuer_not_accredited_for_the_type_fails_the_trust_check(world: World) -> None:
    local = make_issuer(world.fetcher, identifier=unique(f"{BASE}/issuers/metropolia"))
    credential, _ = local.issue(world.holder)
    nonce = issue_nonce(world.session, verifier=world.verifier, now=NOW).nonce
    presentation = present(
        credential, world.holder, disclose=["title"], audience=world.verifier.client_id, nonce=nonce
    )
    report = verify(
        world, presentation, nonce, sources_local=(local_info(local, accredited=[COMPETENCE]),)
    )
    assert outcome(report, "issuer_trusted")[1] == "issuer_not_trusted_for_type"


def test_unknown_nonce_is_refused(world: World) -> None:
    trust(world)
    presentation, _, _ = fresh_presentation(world)
    with pytest.raises(NonceUnknown) as raised:
        verify(world, presentation, "never-issued-nonce")
    assert raised.value.code == "nonce_unknown"


def test_nonce_of_another_verifier_is_unknown_to_this_one(world: World) -> None:
    other = create_verifier(
        world.session, slug=unique("other"), name="Other", base_url=BASE, now=NOW
    ).verifier
    nonce = issue_nonce(world.session, verifier=other, now=NOW).nonce
    presentation, _, _ = fresh_presentation(world)
    with pytest.raises(NonceUnknown):
        verify(world, presentation, nonce)


def test_expired_nonce_is_refused_as_gone(world: World) -> None:
    trust(world)
    credential, _ = world.issuer.issue(world.holder)
    nonce = issue_nonce(
        world.session, verifier=world.verifier, now=NOW - timedelta(minutes=6)
    ).nonce
    presentation = present(
        credential, world.holder, disclose=["title"], audience=world.verifier.client_id, nonce=nonce
    )
    with pytest.raises(NonceExpired) as raised:
        verify(world, presentation, nonce)
    assert raised.value.status == 410


def test_audience_other_than_the_verifiers_own_is_refused(world: World) -> None:
    presentation, nonce, _ = fresh_presentation(world)
    with pytest.raises(AudienceNotOwn) as raised:
        verify_submission(
            world.session,
            verifier=world.verifier,
            request_id=None,
            nonce=nonce,
            audience=f"{BASE}/verifiers/other",
            vp_token=None,
            presentations=[presentation],
            sources=sources_for(world.fetcher),
            kek=bytes(32),
            language="en",
            base_url=BASE,
            now=NOW,
        )
    assert raised.value.code == "audience_not_own"


def test_share_view_verifies_live_and_consumes_nothing(world: World) -> None:
    trust(world)
    credential, index = world.issuer.issue(world.holder)
    audience, nonce = f"{BASE}/shares/abc", "share-nonce-1234567890"
    later = NOW + timedelta(days=3)
    presentation = present(
        credential, world.holder, disclose=["title"], audience=audience, nonce=nonce, at=later
    )
    world.issuer.publish(at=later)

    def view() -> VerificationReport:
        return verify_shared_presentations(
            world.session,
            presentations=[presentation],
            audience=audience,
            nonce=nonce,
            sources=sources_for(world.fetcher),
            language="en",
            base_url=BASE,
            now=later,
        )

    assert view().verified and view().verified
    world.issuer.set_status(index, 1, at=later)
    assert outcome(view(), "status")[1] == "credential_revoked"


TOP_LEVEL = ("given_name", "family_name", "title", "kind", "eqf_level", "date_awarded")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(chosen=st.sets(st.sampled_from(TOP_LEVEL), min_size=1))
def test_any_subset_of_disclosures_verifies_to_exactly_that_subset(
    world: World, chosen: set[str]
) -> None:
    if not world.session.info.get("trusted"):
        trust(world)
        world.session.info["trusted"] = True
    credential, _ = world.issuer.issue(world.holder)
    audience, nonce = f"{BASE}/shares/law", "law-nonce-0123456789ab"
    presentation = present(
        credential, world.holder, disclose=sorted(chosen), audience=audience, nonce=nonce
    )
    report = verify_shared_presentations(
        world.session,
        presentations=[presentation],
        audience=audience,
        nonce=nonce,
        sources=sources_for(world.fetcher),
        language="en",
        base_url=BASE,
        now=NOW,
    )
    assert report.verified
    assert set(report.presentations[0].claims) == chosen
