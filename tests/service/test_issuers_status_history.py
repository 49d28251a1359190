"""A credential's status history (every change in order, its note sealed, only its issuer's)
and the register's sealed summary of whom a credential is about."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from issuers.errors import IssuedCredentialNotFound
from issuers.issuance import issue_credential
from issuers.register import get_issued_credential
from issuers.register_subject import subject_summaries, subject_summary
from issuers.status import change_credential_status
from issuers.status_history import StatusNote, status_history
from issuers.tables import IssuerCredential, IssuerStatusChange
from sealing.aead import SealError
from tests.service.test_issuers_support import (
    BASE_URL,
    NOW,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
)

KEK = new_kek()


def _issued(session: Session, slug: str = "acme") -> tuple[str, str]:
    created = make_issuer(session, KEK, slug=slug)
    issued = issue_credential(
        session,
        issuer=created.account,
        request=request_for("competence", holder_key().public),
        idempotency_key=f"history-{slug}",
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    return created.account.id, issued.id


def test_every_change_is_kept_in_order_with_who_and_why(session: Session) -> None:
    issuer_id, credential_id = _issued(session)
    assert status_history(session, issuer_id=issuer_id, credential_id=credential_id, kek=KEK) == ()
    steps = [
        ("suspended", StatusNote("Checking the grade", "Liisa")),
        ("suspended", StatusNote("Again: changes nothing", "Liisa")),
        ("valid", StatusNote("The grade was right", "Liisa")),
        ("revoked", None),
    ]
    for n, (status, note) in enumerate(steps):
        change_credential_status(
            session,
            issuer_id=issuer_id,
            credential_id=credential_id,
            status=status,  # type: ignore[arg-type]
            now=NOW + timedelta(minutes=n),
            note=note,
            kek=KEK if note else None,
        )
    history = status_history(session, issuer_id=issuer_id, credential_id=credential_id, kek=KEK)
    assert [(h.status, h.reason, h.changed_by) for h in history] == [
        ("suspended", "Checking the grade", "Liisa"),
        ("valid", "The grade was right", "Liisa"),
        ("revoked", None, None),  # through the API: no note
    ]
    assert [h.changed_at for h in history] == [
        NOW,
        NOW + timedelta(minutes=2),
        NOW + timedelta(minutes=3),
    ]


def test_the_note_is_sealed_and_opens_only_with_the_kek(session: Session) -> None:
    issuer_id, credential_id = _issued(session)
    change_credential_status(
        session,
        issuer_id=issuer_id,
        credential_id=credential_id,
        status="revoked",
        now=NOW,
        note=StatusNote("Aino Korhonen asked for it", "Liisa Virtanen"),
        kek=KEK,
    )
    (sealed,) = session.exec(select(IssuerStatusChange.sealed_note)).all()
    assert sealed is not None and b"Korhonen" not in sealed and b"Liisa" not in sealed
    with pytest.raises(SealError):
        status_history(session, issuer_id=issuer_id, credential_id=credential_id, kek=new_kek())


def test_a_note_without_the_kek_or_over_500_characters_is_refused_before_any_change(
    session: Session,
) -> None:
    issuer_id, credential_id = _issued(session)
    for note, kek in ((StatusNote("why", "who"), None), (StatusNote("x" * 501, "who"), KEK)):
        with pytest.raises(ValueError):
            change_credential_status(
                session,
                issuer_id=issuer_id,
                credential_id=credential_id,
                status="revoked",
                now=NOW,
                note=note,
                kek=kek,
            )
    assert status_history(session, issuer_id=issuer_id, credential_id=credential_id, kek=KEK) == ()
    entry = get_issued_credential(session, issuer_id=issuer_id, credential_id=credential_id)
    assert entry.status == "valid"


def test_another_issuers_credential_has_no_history_to_read(session: Session) -> None:
    _, credential_id = _issued(session, "acme")
    other_id, _ = _issued(session, "other")
    with pytest.raises(IssuedCredentialNotFound):
        status_history(session, issuer_id=other_id, credential_id=credential_id, kek=KEK)


def test_the_register_keeps_only_a_sealed_initial_and_family_name(session: Session) -> None:
    issuer_id, credential_id = _issued(session)
    sealed = session.exec(select(IssuerCredential.sealed_subject)).one()
    assert sealed is not None and b"Testinen" not in sealed
    found = subject_summaries(session, issuer_id=issuer_id, credential_ids=[credential_id], kek=KEK)
    assert found == {credential_id: "A. Testinen"}
    other_id, _ = _issued(session, "other")
    assert (
        subject_summaries(session, issuer_id=other_id, credential_ids=[credential_id], kek=KEK)
        == {}
    )  # another issuer's entry
    assert subject_summary({"given_name": "Aino", "birth_date": "2000-01-01"}) is None
    assert subject_summary({"family_name": "Korhonen"}) == "Korhonen"
