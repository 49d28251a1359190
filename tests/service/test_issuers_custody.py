"""Key custody: sealed private keys bound to issuer and kid, rotation, and a clean dump."""

import base64
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from api.caches import build_caches
from api.database import metadata
from credentials.encoding import b64url_decode
from issuers.custody import add_issuer_key, published_keys, rotate_issuer_key, signing_key
from issuers.errors import IssuerInvalid
from issuers.identifiers import issuer_identifier
from issuers.issuance import issue_credential
from issuers.tables import IssuerKey
from sealing.aead import SealError
from tests.conftest import database_backend
from tests.service.test_issuers_support import (
    BASE_URL,
    NOW,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
    verify_issued,
)

KEK = new_kek()


def _active_row(session: Session, issuer_id: str) -> IssuerKey:
    return session.exec(
        sm_select(IssuerKey).where(
            col(IssuerKey.issuer_id) == issuer_id, col(IssuerKey.retired_at).is_(None)
        )
    ).one()


def test_the_private_key_is_sealed_and_opens_only_with_the_kek(session: Session) -> None:
    created = make_issuer(session, KEK, alg="ES256")
    row = _active_row(session, created.account.id)
    d = signing_key(session, issuer_id=created.account.id, kek=KEK).key.private_jwk["d"]
    assert b64url_decode(d) not in row.sealed_private
    assert d.encode() not in row.sealed_private
    assert "d" not in row.public_jwk
    with pytest.raises(SealError) as caught:
        signing_key(session, issuer_id=created.account.id, kek=new_kek())
    assert caught.value.code == "sealed_data_invalid"


def test_a_key_row_copied_to_another_issuer_does_not_open(session: Session) -> None:
    victim = make_issuer(session, KEK)
    thief = make_issuer(session, KEK)
    stolen = _active_row(session, victim.account.id).sealed_private
    row = _active_row(session, thief.account.id)
    row.sealed_private = stolen
    session.add(row)
    session.commit()
    with pytest.raises(SealError):
        signing_key(session, issuer_id=thief.account.id, kek=KEK)


def test_the_opened_key_is_cached_in_the_installed_application_cache_only(
    session: Session,
) -> None:
    created = make_issuer(session, KEK)
    caches = build_caches()
    with caches.installed():
        first = signing_key(session, issuer_id=created.account.id, kek=KEK)
        again = signing_key(session, issuer_id=created.account.id, kek=KEK)
    assert first.key is again.key and len(caches.private_keys) == 1
    outside = signing_key(session, issuer_id=created.account.id, kek=KEK)
    assert outside.key is not first.key


def test_rejects_an_unsupported_key_algorithm(session: Session) -> None:
    created = make_issuer(session, KEK)
    with pytest.raises(IssuerInvalid) as caught:
        add_issuer_key(session, issuer_id=created.account.id, alg="RS256", kek=KEK, now=NOW)
    assert caught.value.code == "issuer_invalid"


def test_after_rotation_the_new_key_signs_and_the_old_one_stays_published_while_needed(
    session: Session,
) -> None:
    created = make_issuer(session, KEK)
    identifier = issuer_identifier(BASE_URL, created.account.slug)
    old = issue_credential(
        session,
        issuer=created.account,
        request=request_for("competence", holder_key().public, expires_in=3600),
        idempotency_key="before",
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    old_kid = created.key.kid
    new = rotate_issuer_key(session, issuer_id=created.account.id, alg="ES256", kek=KEK, now=NOW)
    assert signing_key(session, issuer_id=created.account.id, kek=KEK).kid == new.kid != old_kid
    assert [k.kid for k in published_keys(session, issuer_id=created.account.id, now=NOW)] == [
        new.kid,
        old_kid,
    ]
    verify_issued(session, created.account.id, identifier, old.credential)
    later = NOW + timedelta(hours=2)
    assert [k.kid for k in published_keys(session, issuer_id=created.account.id, now=later)] == [
        new.kid
    ]


def test_a_retired_key_that_signed_a_credential_without_expiry_stays_published(
    session: Session,
) -> None:
    created = make_issuer(session, KEK)
    issue_credential(
        session,
        issuer=created.account,
        request=request_for("competence", holder_key().public),
        idempotency_key="forever",
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    rotate_issuer_key(session, issuer_id=created.account.id, alg="EdDSA", kek=KEK, now=NOW)
    far = NOW + timedelta(days=3650)
    assert len(published_keys(session, issuer_id=created.account.id, now=far)) == 2


def _dump(engine: Engine) -> bytes:
    """Every value of every row of every table, as bytes (a logical database dump)."""
    parts: list[bytes] = []
    with engine.connect() as connection:
        for table in metadata().sorted_tables:
            for row in connection.execute(select(table)):
                for value in row:
                    parts.append(value if isinstance(value, bytes) else str(value).encode())
        if database_backend(engine) == "sqlite":
            raw = connection.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            parts.extend(line.encode() for line in raw.iterdump())
    return b"\n".join(parts)


def test_a_database_dump_holds_no_private_key_and_no_claims(clean_engine: Engine) -> None:
    with Session(clean_engine, expire_on_commit=False) as session:
        created = make_issuer(session, KEK, alg="ES256")
        issued = issue_credential(
            session,
            issuer=created.account,
            request=request_for("qualification", holder_key().public),
            idempotency_key="dump",
            kek=KEK,
            base_url=BASE_URL,
            now=NOW,
        )
        first = signing_key(session, issuer_id=created.account.id, kek=KEK).key
        rotate_issuer_key(session, issuer_id=created.account.id, alg="EdDSA", kek=KEK, now=NOW)
        second = signing_key(session, issuer_id=created.account.id, kek=KEK).key
    dump = _dump(clean_engine)
    assert b"issuer_key" in dump or database_backend(clean_engine) != "sqlite"
    for key in (first, second):
        d = key.private_jwk["d"]
        raw = b64url_decode(d)
        for form in (d.encode(), raw, raw.hex().encode(), base64.b64encode(raw)):
            assert form not in dump
    assert created.api_key.encode() not in dump
    assert issued.pickup_code.encode() not in dump
    assert issued.credential.encode() not in dump
    for claim in (b"Aino", b"Testinen", b"Esimerkin ammattikorkeakoulu"):
        assert claim not in dump
