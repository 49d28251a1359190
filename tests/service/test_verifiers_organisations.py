"""Verifier organisations and their API keys; single-use nonces under concurrency."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from sealing.secret_hashes import hash_secret
from tests.conftest import is_postgres
from tests.service.test_verifiers_support import BASE, NOW, unique
from verifiers.errors import (
    NonceReused,
    VerifierInvalid,
    VerifierKeyInvalid,
    VerifierNotFound,
    VerifierSlugTaken,
)
from verifiers.nonces import consume_nonce, issue_nonce, usable_nonce
from verifiers.organisations import authenticate_verifier, create_verifier
from verifiers.tables import VerifierApiKey


def test_verifier_gets_a_client_identifier_and_an_api_key_stored_only_as_a_hash(
    session: Session,
) -> None:
    created = create_verifier(
        session, slug=unique("acme"), name=" Acme Oy ", base_url=BASE, now=NOW
    )
    assert created.verifier.client_id == f"{BASE}/verifiers/{created.verifier.slug}"
    assert created.verifier.name == "Acme Oy"
    assert created.api_key.startswith("tvk_") and len(created.api_key) == 47
    rows = session.exec(
        select(VerifierApiKey).where(VerifierApiKey.verifier_id == created.verifier.id)
    )
    assert [row.key_hash for row in rows] == [hash_secret(created.api_key)]


def test_slug_is_unique(session: Session) -> None:
    slug = unique("acme")
    create_verifier(session, slug=slug, name="A", base_url=BASE, now=NOW)
    with pytest.raises(VerifierSlugTaken) as raised:
        create_verifier(session, slug=slug, name="B", base_url=BASE, now=NOW)
    assert raised.value.code == "verifier_slug_taken" and raised.value.status == 409


def test_slug_with_capitals_or_slashes_is_refused(session: Session) -> None:
    for slug in ("Acme", "a/b", "-acme", ""):
        with pytest.raises(VerifierInvalid):
            create_verifier(session, slug=slug, name="A", base_url=BASE, now=NOW)


def test_api_key_authenticates_its_verifier(session: Session) -> None:
    created = create_verifier(session, slug=unique("acme"), name="A", base_url=BASE, now=NOW)
    found = authenticate_verifier(
        session, api_key=created.api_key, slug=created.verifier.slug, base_url=BASE
    )
    assert found == created.verifier


def test_unknown_or_malformed_key_is_401(session: Session) -> None:
    for key in ("tvk_" + "x" * 43, "tik_" + "x" * 43, "nonsense"):
        with pytest.raises(VerifierKeyInvalid) as raised:
            authenticate_verifier(session, api_key=key, slug=None, base_url=BASE)
        assert raised.value.status == 401


def test_key_of_one_verifier_on_anothers_slug_is_404(session: Session) -> None:
    mine = create_verifier(session, slug=unique("mine"), name="A", base_url=BASE, now=NOW)
    theirs = create_verifier(session, slug=unique("theirs"), name="B", base_url=BASE, now=NOW)
    with pytest.raises(VerifierNotFound) as raised:
        authenticate_verifier(
            session, api_key=mine.api_key, slug=theirs.verifier.slug, base_url=BASE
        )
    assert raised.value.status == 404


def test_nonce_is_consumed_once(session: Session) -> None:
    verifier = create_verifier(
        session, slug=unique("acme"), name="A", base_url=BASE, now=NOW
    ).verifier
    issued = issue_nonce(session, verifier=verifier, now=NOW)
    assert issued.expires_at == NOW + timedelta(minutes=5) and issued.audience == verifier.client_id
    consume_nonce(session, verifier_id=verifier.id, nonce=issued.nonce, now=NOW)
    session.commit()
    with pytest.raises(NonceReused):
        usable_nonce(session, verifier_id=verifier.id, nonce=issued.nonce, now=NOW)
    with pytest.raises(NonceReused):
        consume_nonce(session, verifier_id=verifier.id, nonce=issued.nonce, now=NOW)


def test_nonce_read_as_usable_by_two_sessions_is_consumed_by_one_only(clean_engine: Engine) -> None:
    with Session(clean_engine) as setup:
        verifier = create_verifier(
            setup, slug=unique("acme"), name="A", base_url=BASE, now=NOW
        ).verifier
        nonce = issue_nonce(setup, verifier=verifier, now=NOW).nonce
    with Session(clean_engine) as first, Session(clean_engine) as second:
        # Both read the nonce as usable before either consumes it (one after the other, since
        # SQLite runs one transaction at a time).
        usable_nonce(first, verifier_id=verifier.id, nonce=nonce, now=NOW)
        first.rollback()
        usable_nonce(second, verifier_id=verifier.id, nonce=nonce, now=NOW)
        second.rollback()
        consume_nonce(first, verifier_id=verifier.id, nonce=nonce, now=NOW)
        first.commit()
        with pytest.raises(NonceReused):
            consume_nonce(second, verifier_id=verifier.id, nonce=nonce, now=NOW)


@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL row locks")
def test_concurrent_consumers_of_one_nonce_let_exactly_one_pass(clean_engine: Engine) -> None:
    with Session(clean_engine) as setup:
        verifier = create_verifier(
            setup, slug=unique("acme"), name="A", base_url=BASE, now=NOW
        ).verifier
        nonce = issue_nonce(setup, verifier=verifier, now=NOW).nonce
    barrier = threading.Barrier(8)
    results: list[str] = []

    def consume() -> None:
        with Session(clean_engine) as own:
            barrier.wait()
            try:
                consume_nonce(own, verifier_id=verifier.id, nonce=nonce, now=NOW)
                own.commit()
                results.append("passed")
            except NonceReused:
                results.append("replay")

    threads = [threading.Thread(target=consume) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["passed"] + ["replay"] * 7
