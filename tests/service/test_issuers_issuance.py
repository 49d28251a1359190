"""Issuing one credential: every type, both formats, the refusals, and Idempotency-Key."""

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from credentials.did_jwk import encode_did_jwk
from credentials.did_key import encode_did_key
from credentials.dids import did_resolver
from credentials.sd_jwt import split_sd_jwt
from credentials.vc_jose import verify_vc_jwt
from issuers.custody import published_keys
from issuers.errors import (
    ClaimsInvalid,
    CredentialTypeUnknown,
    DisclosableInvalid,
    HolderBindingInvalid,
    IdempotencyInProgress,
    IdempotencyKeyMissing,
    IdempotencyKeyReused,
    PersonalIdentityCode,
    TypeNotAccredited,
    ValidityInvalid,
)
from issuers.identifiers import issuer_did, issuer_identifier
from issuers.issuance import issue_credential
from issuers.issuance_input import CredentialRequest, HolderBinding
from issuers.publishing import issuer_did_document
from issuers.register import get_issued_credential
from issuers.tables import IssuerCredential, IssuerIdempotency
from schemas import SLUGS, vct_for
from tests.service.test_issuers_support import (
    ALGORITHMS,
    BASE_URL,
    HETU,
    NOW,
    SAMPLE_CLAIMS,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
    verify_issued,
)

KEK = new_kek()


def _issue(session: Session, issuer: Any, request: CredentialRequest, key: str = "k-1") -> Any:
    return issue_credential(
        session,
        issuer=issuer,
        request=request,
        idempotency_key=key,
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )


@pytest.mark.parametrize("slug", SLUGS)
def test_issues_an_sd_jwt_vc_of_each_type_that_verifies_with_the_published_key(
    session: Session, slug: str
) -> None:
    created = make_issuer(session, KEK, alg="ES256" if slug == "competence" else "EdDSA")
    holder = holder_key()
    issued = _issue(session, created.account, request_for(slug, holder.public))
    identifier = issuer_identifier(BASE_URL, created.account.slug)
    verified = verify_issued(session, created.account.id, identifier, issued.credential)
    assert verified.vct == vct_for(slug, base_url=BASE_URL)
    assert verified.issuer == identifier
    assert verified.holder_jwk is not None and verified.holder_jwk["x"] == holder.public.jwk["x"]
    assert verified.status == {"status_list": issued.status}
    assert verified.claims["given_name"] == "Aino"
    entry = get_issued_credential(session, issuer_id=created.account.id, credential_id=issued.id)
    assert (entry.status_list_id, entry.status_index) == (
        issued.status["uri"].rsplit("/", 1)[1],
        issued.status["idx"],
    )


def test_type_defaults_make_every_top_level_claim_and_skill_disclosable(session: Session) -> None:
    created = make_issuer(session, KEK)
    issued = _issue(session, created.account, request_for("qualification", holder_key().public))
    verified = verify_issued(
        session,
        created.account.id,
        issuer_identifier(BASE_URL, created.account.slug),
        issued.credential,
    )
    disclosed = set(verified.disclosed_paths)
    assert {"given_name", "title", "skills", "skills[0]", "skills[1]"} <= disclosed
    assert "iss" not in disclosed and "vct" not in disclosed


def test_explicit_disclosable_paths_replace_the_defaults(session: Session) -> None:
    created = make_issuer(session, KEK)
    request = request_for(
        "qualification", holder_key().public, disclosable=("given_name", ("skills", None))
    )
    issued = _issue(session, created.account, request)
    verified = verify_issued(
        session,
        created.account.id,
        issuer_identifier(BASE_URL, created.account.slug),
        issued.credential,
    )
    assert set(verified.disclosed_paths) == {"given_name", "skills[0]", "skills[1]"}


def test_rejects_a_disclosable_path_that_names_no_claim(session: Session) -> None:
    created = make_issuer(session, KEK)
    request = request_for("qualification", holder_key().public, disclosable=("nothing_here",))
    with pytest.raises(DisclosableInvalid) as caught:
        _issue(session, created.account, request)
    assert caught.value.code == "disclosable_invalid"


def test_issues_a_vc_jwt_that_verifies_against_the_did_web_document(session: Session) -> None:
    created = make_issuer(session, KEK)
    holder = holder_key("EdDSA")
    issued = _issue(
        session, created.account, request_for("competence", holder.public, fmt="vc+jwt")
    )
    did = issuer_did(BASE_URL, created.account.slug)
    document = issuer_did_document(session, slug=created.account.slug, base_url=BASE_URL, now=NOW)

    def fetch(url: str) -> bytes:
        assert url == f"{BASE_URL}/issuers/{created.account.slug}/did.json"
        import json

        return json.dumps(document).encode()

    verified = verify_vc_jwt(
        issued.credential,
        resolve_issuer_key=did_resolver(fetch),
        now=NOW,
        clock_tolerance=timedelta(seconds=60),
        algorithms=ALGORITHMS,
    )
    assert verified.issuer == did
    assert verified.subject_id == encode_did_jwk(holder.public)
    assert verified.types == ("VerifiableCredential", vct_for("competence", base_url=BASE_URL))
    purposes = [s["statusPurpose"] for s in verified.credential_status]
    assert purposes == ["revocation", "suspension"]
    assert issued.status is None and issued.credential_status == verified.credential_status


def test_accepts_a_did_key_and_a_did_jwk_holder(session: Session) -> None:
    created = make_issuer(session, KEK)
    for index, did in enumerate(
        (encode_did_key(holder_key().public), encode_did_jwk(holder_key("EdDSA").public))
    ):
        request = CredentialRequest(
            type="competence",
            claims=SAMPLE_CLAIMS["competence"],
            holder=HolderBinding(did=did),
        )
        issued = _issue(session, created.account, request, key=f"did-{index}")
        assert issued.format == "dc+sd-jwt"


@pytest.mark.parametrize(
    "holder",
    [
        HolderBinding(),
        HolderBinding(jwk={"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}),
        HolderBinding(did="did:web:example.com"),
        HolderBinding(did="did:key:zNotAKey"),
    ],
)
def test_rejects_a_holder_binding_that_is_no_usable_public_key(
    session: Session, holder: HolderBinding
) -> None:
    created = make_issuer(session, KEK)
    request = CredentialRequest(
        type="competence", claims=SAMPLE_CLAIMS["competence"], holder=holder
    )
    with pytest.raises(HolderBindingInvalid) as caught:
        _issue(session, created.account, request)
    assert caught.value.code == "holder_binding_invalid"


def test_rejects_a_private_jwk_as_holder_binding(session: Session) -> None:
    created = make_issuer(session, KEK)
    request = CredentialRequest(
        type="competence",
        claims=SAMPLE_CLAIMS["competence"],
        holder=HolderBinding(jwk=holder_key().private_jwk),
    )
    with pytest.raises(HolderBindingInvalid):
        _issue(session, created.account, request)


def test_rejects_invalid_claims_listing_every_violation(session: Session) -> None:
    created = make_issuer(session, KEK)
    claims = {**SAMPLE_CLAIMS["qualification"], "eqf_level": 9, "kind": "wizard"}
    del claims["title"]
    with pytest.raises(ClaimsInvalid) as caught:
        _issue(
            session,
            created.account,
            request_for("qualification", holder_key().public, claims=claims),
        )
    assert caught.value.code == "claims_invalid"
    pointers = [e["pointer"] for e in caught.value.problem_extra["errors"]]
    assert pointers == ["/claims/eqf_level", "/claims/kind", "/claims/title"]
    assert "wizard" not in str(caught.value.problem_extra)


def test_refuses_a_personal_identity_code_in_any_claim(session: Session) -> None:
    created = make_issuer(session, KEK)
    claims = {**SAMPLE_CLAIMS["competence"], "evidence": f"Henkilö {HETU} näytti osaamisensa"}
    with pytest.raises(PersonalIdentityCode) as caught:
        _issue(
            session, created.account, request_for("competence", holder_key().public, claims=claims)
        )
    assert caught.value.code == "personal_identity_code_refused"
    assert caught.value.problem_extra["errors"][0]["pointer"] == "/claims/evidence"
    assert HETU not in str(caught.value.problem_extra)


def test_refuses_a_type_the_issuer_is_not_accredited_for(session: Session) -> None:
    created = make_issuer(session, KEK, types=["qualification"])
    with pytest.raises(TypeNotAccredited) as caught:
        _issue(session, created.account, request_for("work_experience", holder_key().public))
    assert caught.value.code == "type_not_accredited"
    assert caught.value.status == 403


def test_rejects_an_unknown_type(session: Session) -> None:
    created = make_issuer(session, KEK)
    request = CredentialRequest(type="diploma", claims={}, holder=HolderBinding(did="x"))
    with pytest.raises(CredentialTypeUnknown) as caught:
        _issue(session, created.account, request)
    assert caught.value.code == "credential_type_unknown"


@pytest.mark.parametrize(
    "extra",
    [
        {"expires_in": 0},
        {"valid_until": NOW - timedelta(seconds=1)},
        {"valid_until": NOW + timedelta(days=1), "expires_in": 60},
    ],
)
def test_rejects_a_validity_that_is_not_in_the_future(
    session: Session, extra: dict[str, Any]
) -> None:
    created = make_issuer(session, KEK)
    with pytest.raises(ValidityInvalid) as caught:
        _issue(session, created.account, request_for("competence", holder_key().public, **extra))
    assert caught.value.code == "validity_invalid"


def test_expires_in_sets_exp_and_the_register_expiry(session: Session) -> None:
    created = make_issuer(session, KEK)
    issued = _issue(
        session, created.account, request_for("competence", holder_key().public, expires_in=3600)
    )
    assert issued.expires_at == NOW + timedelta(hours=1)
    jwt = split_sd_jwt(issued.credential).issuer_jwt
    from credentials.jws import parse_compact, payload_object

    assert payload_object(parse_compact(jwt))["exp"] == int((NOW + timedelta(hours=1)).timestamp())


def test_same_idempotency_key_and_body_answers_the_same_credential_once(
    session: Session,
) -> None:
    created = make_issuer(session, KEK)
    request = request_for("competence", holder_key().public)
    first = _issue(session, created.account, request)
    again = _issue(session, created.account, request)
    assert again == first
    count = session.exec(
        select(IssuerCredential.id).where(col(IssuerCredential.issuer_id) == created.account.id)
    ).all()
    assert len(count) == 1


def test_same_idempotency_key_with_another_body_is_refused(session: Session) -> None:
    created = make_issuer(session, KEK)
    _issue(session, created.account, request_for("competence", holder_key().public))
    with pytest.raises(IdempotencyKeyReused) as caught:
        _issue(session, created.account, request_for("competence", holder_key().public))
    assert caught.value.code == "idempotency_key_reused"
    assert caught.value.status == 422


def test_a_request_whose_key_is_still_running_gets_409(session: Session) -> None:
    created = make_issuer(session, KEK)
    request = request_for("competence", holder_key().public)
    from issuers.idempotency import begin, fingerprint

    begin(
        session,
        issuer_id=created.account.id,
        key="k-1",
        request_fingerprint=fingerprint({"credential": request.as_json()}),
        kek=KEK,
        now=NOW,
    )
    with pytest.raises(IdempotencyInProgress) as caught:
        _issue(session, created.account, request)
    assert caught.value.code == "idempotency_in_progress"
    assert caught.value.status == 409


def test_a_run_abandoned_long_ago_is_taken_over(session: Session) -> None:
    created = make_issuer(session, KEK)
    request = request_for("competence", holder_key().public)
    from issuers.idempotency import begin, fingerprint

    begin(
        session,
        issuer_id=created.account.id,
        key="k-1",
        request_fingerprint=fingerprint({"credential": request.as_json()}),
        kek=KEK,
        now=NOW - timedelta(hours=1),
    )
    assert _issue(session, created.account, request).format == "dc+sd-jwt"


def test_a_failed_request_releases_its_idempotency_key(session: Session) -> None:
    created = make_issuer(session, KEK, types=["qualification"])
    with pytest.raises(TypeNotAccredited):
        _issue(session, created.account, request_for("competence", holder_key().public))
    remaining = session.exec(
        select(IssuerIdempotency).where(col(IssuerIdempotency.issuer_id) == created.account.id)
    ).all()
    assert remaining == []


@pytest.mark.parametrize("key", [None, "", "x" * 256, "has space", "ä"])
def test_requires_a_well_formed_idempotency_key(session: Session, key: str | None) -> None:
    created = make_issuer(session, KEK)
    with pytest.raises(IdempotencyKeyMissing) as caught:
        issue_credential(
            session,
            issuer=created.account,
            request=request_for("competence", holder_key().public),
            idempotency_key=key,
            kek=KEK,
            base_url=BASE_URL,
            now=NOW,
        )
    assert caught.value.code == "idempotency_key_missing"


def test_register_keeps_no_claims(session: Session) -> None:
    created = make_issuer(session, KEK)
    issued = _issue(session, created.account, request_for("qualification", holder_key().public))
    row = session.get(IssuerCredential, issued.id)
    assert row is not None
    text = repr(row.model_dump())
    assert "Aino" not in text and "Testinen" not in text
    import hashlib

    assert row.digest == hashlib.sha256(issued.credential.encode()).hexdigest()
    assert published_keys(session, issuer_id=created.account.id, now=NOW)[0].kid == row.kid


def test_a_database_copy_holds_neither_the_holder_key_nor_the_idempotency_key(
    session: Session,
) -> None:
    created = make_issuer(session, KEK)
    holder = holder_key()
    key = "enrol:aino.korhonen@example.fi:1"
    request = request_for("competence", holder.public)
    first = _issue(session, created.account, request, key=key)
    rows = [
        *session.exec(select(IssuerCredential)).all(),
        *session.exec(select(IssuerIdempotency)).all(),
    ]
    dump = repr([row.model_dump() for row in rows])
    assert holder.public.thumbprint not in dump
    assert "aino.korhonen" not in dump and key not in dump
    assert _issue(session, created.account, request, key=key).id == first.id
