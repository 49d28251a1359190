"""Receiving, viewing and searching credentials; the skills profile; encryption at rest."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from credentials.errors import HolderBindingMismatch
from credentials.keys import generate_key
from schemas import eqf_level
from tests.service.test_wallet_support import (
    BASE_URL,
    CLAIM_VALUES,
    CUSTOMER_SERVICE,
    KEK,
    NOW,
    PROJECT_MANAGEMENT,
    PYTHON,
    TEAMWORK,
    IssuerFixture,
    PinnedChecker,
    committed_session,
    competence_claims,
    dump_rows,
    holder_jwk,
    qualification_claims,
    qualification_with_skills,
    register_holder,
    work_experience_claims,
)
from wallet.activity import ActivityKind, list_activity
from wallet.credentials import (
    CredentialFilter,
    credential_detail,
    delete_credential,
    list_credentials,
    receive_credential,
)
from wallet.errors import (
    CredentialDuplicate,
    CredentialNotFound,
    ShareInvalid,
    SkillInvalid,
    SkillNotFound,
)
from wallet.holder_keys import holder_binding
from wallet.profile import declare_skill, remove_declared_skill, skills_profile
from wallet.shares.creation import ANYONE, ShareItem, ShareSpec, preview_share
from wallet.tables import WalletCredential

UNI = IssuerFixture("uni", "Haaga-Helia ammattikorkeakoulu")
EMPLOYER = IssuerFixture("kuusi", "Ohjelmistotalo Kuusi Oy")
CHECKER = PinnedChecker([UNI, EMPLOYER])


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _receive(session: Session, holder_id: str, credential: str) -> str:
    summary = receive_credential(
        session,
        holder_id=holder_id,
        credential=credential,
        verify=CHECKER,
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    return summary.id


def _wallet_with_three(session: Session) -> tuple[str, list[str]]:
    holder = register_holder(session).holder_id
    jwk = holder_jwk(session, holder)
    ids = [
        _receive(session, holder, UNI.issue("qualification", qualification_with_skills(), jwk)),
        _receive(session, holder, UNI.issue("competence", competence_claims(), jwk)),
        _receive(session, holder, EMPLOYER.issue("work_experience", work_experience_claims(), jwk)),
    ]
    return holder, ids


def test_receives_credentials_of_several_types(session: Session) -> None:
    holder, ids = _wallet_with_three(session)
    listed = list_credentials(
        session, holder_id=holder, kek=KEK, lang="fi", filters=CredentialFilter()
    )
    assert {c.id for c in listed} == set(ids)
    assert {c.type_name for c in listed} == {"Tutkinto", "Osaaminen", "Työtodistus"}
    kinds = [e.kind for e in list_activity(session, holder_id=holder, kek=KEK)]
    assert kinds.count(ActivityKind.CREDENTIAL_RECEIVED) == 3


def test_credential_bound_to_another_key_is_refused_and_nothing_is_stored(
    session: Session,
) -> None:
    holder = register_holder(session).holder_id
    credential = UNI.issue(
        "qualification", qualification_claims(), generate_key("ES256").public.jwk
    )
    with pytest.raises(HolderBindingMismatch) as caught:
        _receive(session, holder, credential)
    assert caught.value.code == "holder_binding_mismatch"
    assert session.exec(select(func.count()).select_from(WalletCredential)).one() == 0


def test_duplicate_credential_is_refused(session: Session) -> None:
    holder = register_holder(session).holder_id
    credential = UNI.issue("qualification", qualification_claims(), holder_jwk(session, holder))
    _receive(session, holder, credential)
    with pytest.raises(CredentialDuplicate) as caught:
        _receive(session, holder, credential)
    assert caught.value.code == "credential_duplicate" and caught.value.status == 409


def test_filters_by_type_issuer_skill_and_text(session: Session) -> None:
    holder, (qualification, competence, work) = _wallet_with_three(session)

    def found(**wanted: str) -> set[str]:
        return {
            c.id
            for c in list_credentials(
                session, holder_id=holder, kek=KEK, lang="en", filters=CredentialFilter(**wanted)
            )
        }

    assert found(type="competence") == {competence}
    assert found(issuer=EMPLOYER.identifier) == {work}
    assert found(skill=PYTHON) == {qualification, competence, work}
    assert found(skill=CUSTOMER_SERVICE) == {work}
    assert found(text="haaga-helia") == {qualification, competence}
    assert found(text="Haaga-Helia TRADENOMI") == {qualification}
    assert found(text="ohjelmistokehittäjä") == {work}
    assert found(text="employment certificate") == {work}
    assert found(text="nothing like this") == set()


def test_detail_labels_every_claim_in_finnish_swedish_and_english(session: Session) -> None:
    holder, (qualification, _, _) = _wallet_with_three(session)
    labels = {}
    for lang in ("fi", "sv", "en"):
        detail = credential_detail(
            session,
            holder_id=holder,
            credential_id=qualification,
            kek=KEK,
            lang=lang,
            now=NOW,
            verify=None,
        )
        labels[lang] = {row.path: row.label for row in detail.claims}
        assert detail.summary.issuer_name == "Haaga-Helia ammattikorkeakoulu"
        assert detail.live_status.state == "unchecked"
    assert labels["fi"][("title",)] == "Tutkinnon nimi"
    assert labels["sv"][("title",)] == "Examensbenämning"
    assert labels["en"][("title",)] == "Qualification title"
    assert labels["fi"][("awarding_body", "name")] == "Tutkinnon myöntäjä › Nimi"
    assert all(label for lang in labels for label in labels[lang].values())
    assert ("cnf", "jwk", "x") not in labels["en"]


def test_detail_shows_live_status_from_the_gate(session: Session) -> None:
    holder = register_holder(session).holder_id
    credential = UNI.issue("qualification", qualification_claims(), holder_jwk(session, holder))
    credential_id = _receive(session, holder, credential)
    checker = PinnedChecker([UNI])
    detail = credential_detail(
        session,
        holder_id=holder,
        credential_id=credential_id,
        kek=KEK,
        lang="en",
        now=NOW,
        verify=checker,
    )
    assert detail.live_status.state == "valid"
    checker.revoke(credential)
    detail = credential_detail(
        session,
        holder_id=holder,
        credential_id=credential_id,
        kek=KEK,
        lang="en",
        now=NOW,
        verify=checker,
    )
    assert detail.live_status.state == "invalid"
    assert detail.live_status.code == "credential_revoked"


def test_another_persons_credential_is_not_found(session: Session) -> None:
    _, (qualification, _, _) = _wallet_with_three(session)
    other = register_holder(session, "other@example.fi").holder_id
    with pytest.raises(CredentialNotFound) as caught:
        credential_detail(
            session,
            holder_id=other,
            credential_id=qualification,
            kek=KEK,
            lang="en",
            now=NOW,
            verify=None,
        )
    assert caught.value.status == 404
    with pytest.raises(CredentialNotFound):
        delete_credential(session, holder_id=other, credential_id=qualification, kek=KEK, now=NOW)


def test_deleted_credential_is_gone_and_logged(session: Session) -> None:
    holder, (qualification, _, _) = _wallet_with_three(session)
    delete_credential(session, holder_id=holder, credential_id=qualification, kek=KEK, now=NOW)
    with pytest.raises(CredentialNotFound):
        delete_credential(session, holder_id=holder, credential_id=qualification, kek=KEK, now=NOW)
    kinds = [e.kind for e in list_activity(session, holder_id=holder, kek=KEK)]
    assert kinds[0] == ActivityKind.CREDENTIAL_DELETED


def test_skills_profile_merges_skills_in_finnish_swedish_and_english(session: Session) -> None:
    holder, (qualification, competence, work) = _wallet_with_three(session)
    declare_skill(session, holder_id=holder, uri=PROJECT_MANAGEMENT, level="good", kek=KEK, now=NOW)
    declare_skill(session, holder_id=holder, uri=PYTHON, level="expert", kek=KEK, now=NOW)
    profiles = {
        lang: {
            s.uri: s for s in skills_profile(session, holder_id=holder, kek=KEK, lang=lang).skills
        }
        for lang in ("fi", "sv", "en")
    }
    for lang, profile in profiles.items():
        assert set(profile) == {PYTHON, TEAMWORK, CUSTOMER_SERVICE, PROJECT_MANAGEMENT}
        python = profile[PYTHON]
        assert python.verified and python.self_declared
        assert {a.credential_id for a in python.attested_by} == {qualification, competence, work}
        assert python.best_level is not None
        assert (python.best_level.level, python.best_level.scale) == ("7", "eqf")
        assert python.best_level.description == eqf_level(7).description(lang)
        assert python.declared_level == "expert"
        assert python.label == "Python (computer programming)"
        assert profile[CUSTOMER_SERVICE].best_level is not None
        declared = profile[PROJECT_MANAGEMENT]
        assert not declared.verified and declared.self_declared and not declared.attested_by
        assert declared.best_level is None
    assert profiles["fi"][PROJECT_MANAGEMENT].marker == "Itse ilmoitettu – ei todennettu"
    assert profiles["sv"][PROJECT_MANAGEMENT].marker == "Självdeklarerad – inte verifierad"
    assert profiles["en"][PROJECT_MANAGEMENT].marker == "Self-declared – not verified"
    type_names = {
        lang: {a.type_name for a in profiles[lang][PYTHON].attested_by} for lang in profiles
    }
    assert type_names == {
        "fi": {"Tutkinto", "Osaaminen", "Työtodistus"},
        "sv": {"Examen", "Kompetens", "Arbetsintyg"},
        "en": {"Qualification", "Competence", "Employment certificate"},
    }


def test_declaring_a_skill_outside_esco_is_refused(session: Session) -> None:
    holder = register_holder(session).holder_id
    with pytest.raises(SkillInvalid) as caught:
        declare_skill(
            session, holder_id=holder, uri="https://example.com/skill", level=None, kek=KEK, now=NOW
        )
    assert caught.value.code == "skill_invalid" and caught.value.status == 422


def test_another_persons_declared_skill_is_not_found(session: Session) -> None:
    holder = register_holder(session).holder_id
    skill = declare_skill(session, holder_id=holder, uri=PYTHON, level=None, kek=KEK, now=NOW)
    other = register_holder(session, "other@example.fi").holder_id
    with pytest.raises(SkillNotFound) as caught:
        remove_declared_skill(session, holder_id=other, skill_id=skill.id, kek=KEK, now=NOW)
    assert caught.value.status == 404


def test_database_holds_no_claim_value_in_plaintext(session: Session, clean_engine: Engine) -> None:
    _wallet_with_three(session)
    declare_skill(
        session,
        holder_id=register_holder(session, "x@example.fi").holder_id,
        uri=PYTHON,
        level=None,
        kek=KEK,
        now=NOW,
    )
    dump = dump_rows(clean_engine)
    assert "wcr_" in dump  # the dump does contain the wallet's rows
    leaked = [value for value in CLAIM_VALUES if value in dump]
    assert leaked == []
    assert "maija@example.fi" not in dump
    assert UNI.identifier not in dump and "qualification" not in dump


def test_a_vc_jwt_is_received_and_listed_but_not_shared_claim_by_claim(session: Session) -> None:
    holder = register_holder(session).holder_id
    did = holder_binding(session, holder_id=holder).did
    credential = UNI.issue_vc_jwt({"skill": {"uri": PYTHON, "label": "Python"}}, did)
    credential_id = _receive(session, holder, credential)
    (listed,) = list_credentials(
        session, holder_id=holder, kek=KEK, lang="en", filters=CredentialFilter(skill=PYTHON)
    )
    assert (listed.id, listed.format, listed.vct) == (
        credential_id,
        "vc+jwt",
        "CompetenceCredential",
    )
    spec = ShareSpec(
        items=(ShareItem(credential_id, (("skill",),)),), audience=ANYONE, purpose="CV"
    )
    with pytest.raises(ShareInvalid) as caught:
        preview_share(
            session, holder_id=holder, spec=spec, kek=KEK, base_url=BASE_URL, lang="en", now=NOW
        )
    assert caught.value.code == "share_invalid"
