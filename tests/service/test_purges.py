"""Purging expired rows: each kind's expired rows go, live ones stay (through ``purge_expired``)."""

import secrets
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from api.purge import PURGE_LOCK_KEY, PurgeReport, purge_expired
from issuers.errors import PickupCodeExpired, PickupCodeUnknown
from issuers.idempotency import RETENTION, Replay, Started, begin, fingerprint
from issuers.issuance import issue_credential
from issuers.offers import OFFER_LIFETIME, create_offer
from issuers.pickup import PICKUP_LIFETIME, claim_pickup_code
from issuers.tables import IssuerIdempotency, IssuerOffer
from tests.conftest import is_postgres
from tests.service.test_issuers_support import BASE_URL, holder_key, make_issuer, request_for
from tests.service.test_wallet_support import KEK, NOW, committed_session, register_holder
from verifiers.errors import NonceExpired, NonceUnknown
from verifiers.nonces import NONCE_LIFETIME, NONCE_RETENTION, issue_nonce, usable_nonce
from verifiers.organisations import create_verifier
from wallet.errors import AccessTokenInvalid
from wallet.login_throttle import KNOWN_ADDRESS_FOR
from wallet.tables import (
    WalletAccessToken,
    WalletLoginThrottle,
    WalletRefreshToken,
    WalletTokenFamily,
)
from wallet.tokens import REFRESH_TOKEN_LIFETIME, authenticate_access, refresh_tokens


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _purge(session: Session, at: datetime = NOW) -> PurgeReport:
    # End the test's own transaction first: on SQLite it would hold the write lock.
    session.rollback()
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    report = purge_expired(bind, now=at)
    assert report is not None and report.failed == ()
    return report


def _issue(session: Session, *, key: str, days_ago: int) -> str:
    issuer = make_issuer(session, KEK)
    issued = issue_credential(
        session,
        issuer=issuer.account,
        request=request_for("competence", holder_key().public),
        idempotency_key=key,
        kek=KEK,
        base_url=BASE_URL,
        now=NOW - timedelta(days=days_ago),
    )
    return issued.pickup_code


def test_expired_pickup_codes_are_purged_and_live_ones_kept(
    session: Session,
) -> None:
    expired = _issue(session, key="old", days_ago=PICKUP_LIFETIME.days + 1)
    live = _issue(session, key="new", days_ago=1)
    with pytest.raises(PickupCodeExpired):
        claim_pickup_code(session, code=expired, now=NOW)
    assert _purge(session).counts["pickup_codes"] == 1
    with pytest.raises(PickupCodeUnknown):
        claim_pickup_code(session, code=expired, now=NOW)
    assert claim_pickup_code(session, code=live, now=NOW)


def test_idempotency_records_past_retention_are_purged_finished_or_abandoned(
    session: Session,
) -> None:
    issuer = make_issuer(session, KEK)
    old = NOW - RETENTION - timedelta(minutes=1)
    _issue(session, key="finished-long-ago", days_ago=2)
    abandoned = begin(
        session,
        issuer_id=issuer.account.id,
        key="crashed-long-ago",
        request_fingerprint=fingerprint({"a": 1}),
        kek=KEK,
        now=old,
    )
    assert isinstance(abandoned, Started)
    _issue(session, key="recent", days_ago=0)
    assert _purge(session).counts["idempotency_records"] == 2
    # Keys are stored only as keyed hashes: one record, the recent one, is left (it replays below).
    assert len(session.exec(select(IssuerIdempotency.id)).all()) == 1


def test_a_recent_idempotency_record_still_replays_after_a_purge(
    session: Session,
) -> None:
    issuer = make_issuer(session, KEK)
    issue_credential(
        session,
        issuer=issuer.account,
        request=request_for("competence", holder_key().public),
        idempotency_key="recent",
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    _purge(session)
    replay = begin(
        session,
        issuer_id=issuer.account.id,
        key="recent",
        request_fingerprint=session.exec(select(IssuerIdempotency.fingerprint)).one(),
        kek=KEK,
        now=NOW,
    )
    assert isinstance(replay, Replay)


def test_nonces_are_purged_a_day_after_expiry_and_kept_until_then(
    session: Session,
) -> None:
    verifier = create_verifier(
        session, slug=f"acme-{secrets.token_hex(3)}", name="Acme", base_url=BASE_URL, now=NOW
    ).verifier
    long_gone = issue_nonce(
        session, verifier=verifier, now=NOW - NONCE_RETENTION - NONCE_LIFETIME - timedelta(1)
    )
    just_expired = issue_nonce(session, verifier=verifier, now=NOW - NONCE_LIFETIME * 2)
    live = issue_nonce(session, verifier=verifier, now=NOW)
    assert _purge(session).counts["nonces"] == 1
    with pytest.raises(NonceUnknown):
        usable_nonce(session, verifier_id=verifier.id, nonce=long_gone.nonce, now=NOW)
    with pytest.raises(NonceExpired):
        usable_nonce(session, verifier_id=verifier.id, nonce=just_expired.nonce, now=NOW)
    assert usable_nonce(session, verifier_id=verifier.id, nonce=live.nonce, now=NOW)


def test_expired_tokens_and_the_sessions_they_leave_empty_are_purged(
    session: Session,
) -> None:
    registered = register_holder(session)
    later = NOW + REFRESH_TOKEN_LIFETIME + timedelta(seconds=1)
    report = _purge(session, later)
    assert report.counts["tokens"] == 2 and report.counts["sessions"] == 1
    for table in (WalletAccessToken, WalletRefreshToken, WalletTokenFamily):
        assert session.exec(select(table)).all() == []
    with pytest.raises(AccessTokenInvalid):
        authenticate_access(session, access_token=registered.tokens.access_token, now=NOW)


def test_a_live_session_keeps_its_refresh_token_and_rotated_ones_until_they_expire(
    session: Session,
) -> None:
    registered = register_holder(session)
    an_hour_later = NOW + timedelta(hours=1)
    rotated = refresh_tokens(
        session, refresh_token=registered.tokens.refresh_token, now=an_hour_later
    )
    report = _purge(session, an_hour_later)
    assert report.counts["tokens"] == 1, "only the first access token has expired"
    assert report.counts["sessions"] == 0
    refresh_rows = session.exec(select(WalletRefreshToken)).all()
    assert len(refresh_rows) == 2, "the rotated token stays, so its reuse is still detected"
    assert authenticate_access(session, access_token=rotated.access_token, now=an_hour_later)
    assert session.exec(
        select(WalletTokenFamily).where(col(WalletTokenFamily.holder_id) == registered.holder_id)
    ).one()


def test_a_failing_purge_is_reported_and_the_other_kinds_still_run(clean_engine: Engine) -> None:
    def broken(session: Session, *, now: object) -> int:
        raise RuntimeError("database went away")

    def fine(session: Session, *, now: object) -> int:
        return 3

    report = purge_expired(clean_engine, now=NOW, purges=(("broken", broken), ("fine", fine)))
    assert report == PurgeReport(counts={"fine": 3}, failed=("broken",))


@pytest.mark.postgres
@pytest.mark.skipif(not is_postgres(), reason="advisory locks need PostgreSQL")
def test_a_second_process_skips_the_purge_while_one_holds_the_lock(clean_engine: Engine) -> None:
    with clean_engine.connect() as other_process:
        assert other_process.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": PURGE_LOCK_KEY}
        ).scalar()
        try:
            assert purge_expired(clean_engine, now=NOW) is None
        finally:
            other_process.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PURGE_LOCK_KEY})
    assert purge_expired(clean_engine, now=NOW) is not None


def test_login_counts_older_than_the_known_address_window_are_purged_recent_ones_kept(
    session: Session,
) -> None:
    old = NOW - KNOWN_ADDRESS_FOR - timedelta(minutes=1)
    session.add(WalletLoginThrottle(key="k" * 64, events=3, last_at=old))
    session.add(WalletLoginThrottle(key="r" * 64, events=1, last_at=NOW - timedelta(days=2)))
    session.commit()
    assert _purge(session).counts["login_throttles"] == 1
    kept = session.exec(select(WalletLoginThrottle.key)).all()
    assert list(kept) == ["r" * 64]


def test_offers_that_expired_unredeemed_are_purged_and_live_ones_kept(session: Session) -> None:
    issuer = make_issuer(session, KEK)
    request = replace(request_for("competence", holder_key().public), holder=None)
    for key, days_ago in (("old-offer", OFFER_LIFETIME.days + 1), ("new-offer", 1)):
        create_offer(
            session,
            issuer=issuer.account,
            request=request,
            idempotency_key=key,
            kek=KEK,
            base_url=BASE_URL,
            now=NOW - timedelta(days=days_ago),
        )
    assert _purge(session).counts["offers"] == 1
    left = session.exec(select(IssuerOffer.expires_at)).all()
    assert len(left) == 1
