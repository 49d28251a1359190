"""Wallet accounts and sessions: argon2id, token expiry, rotation and reuse.

Rate limits and enumeration: tests/service/test_wallet_login_throttle.py; username and password
rules: tests/service/test_wallet_account_rules.py.
"""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.service.test_wallet_support import (
    FAST_HASHING,
    KEK,
    NOW,
    committed_session,
    register_holder,
)
from wallet.accounts import Argon2Parameters, PasswordAuthenticator, register
from wallet.errors import (
    AccessTokenInvalid,
    AuthenticationFailed,
    PasswordRejected,
    RefreshTokenInvalid,
    RefreshTokenReused,
    UsernameUnavailable,
)
from wallet.tables import WalletHolder
from wallet.tokens import authenticate_access, login, logout, refresh_tokens

PASSWORD = "correct horse battery staple"


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _login(session: Session, username: str, password: str, *, at=NOW):  # type: ignore[no-untyped-def]
    authenticator = PasswordAuthenticator(username, password, KEK, FAST_HASHING, "192.0.2.10")
    return login(session, authenticator=authenticator, now=at)


def test_registers_and_logs_in_with_the_password(session: Session) -> None:
    registered = register_holder(session)
    assert authenticate_access(session, access_token=registered.tokens.access_token, now=NOW) == (
        registered.holder_id
    )
    tokens = _login(session, "Maija@Example.fi", PASSWORD)
    assert tokens.access_token.startswith("tat_") and tokens.refresh_token.startswith("trt_")
    assert tokens.expires_in == 900
    assert authenticate_access(session, access_token=tokens.access_token, now=NOW) == (
        registered.holder_id
    )


def test_password_is_stored_as_argon2id_and_username_only_as_keyed_hash(session: Session) -> None:
    registered = register_holder(session)
    row = session.get(WalletHolder, registered.holder_id)
    assert row is not None and row.password_hash is not None
    assert row.password_hash.startswith("$argon2id$")
    assert b"maija" not in row.sealed_profile and "maija" not in row.login_lookup


def test_production_argon2_parameters_are_rfc_9106_defaults() -> None:
    assert Argon2Parameters() == Argon2Parameters(time_cost=3, memory_cost_kib=65536, parallelism=4)


def test_wrong_password_is_refused(session: Session) -> None:
    register_holder(session)
    with pytest.raises(AuthenticationFailed) as caught:
        _login(session, "maija@example.fi", "not the password at all")
    assert caught.value.code == "login_failed" and caught.value.status == 401


def test_unknown_username_is_refused_like_a_wrong_password(session: Session) -> None:
    with pytest.raises(AuthenticationFailed) as caught:
        _login(session, "nobody@example.fi", PASSWORD)
    assert caught.value.code == "login_failed"


def test_username_is_registered_once_whatever_its_case(session: Session) -> None:
    register_holder(session)
    with pytest.raises(UsernameUnavailable) as caught:
        register_holder(session, "MAIJA@example.fi")
    assert caught.value.code == "username_unavailable" and caught.value.status == 409


def test_short_password_is_rejected(session: Session) -> None:
    with pytest.raises(PasswordRejected) as caught:
        register(
            session,
            username="liisa",
            password="short",
            kek=KEK,
            hashing=FAST_HASHING,
            client="192.0.2.10",
            now=NOW,
        )
    assert caught.value.code == "password_too_short" and caught.value.status == 422


def test_access_token_is_refused_after_fifteen_minutes(session: Session) -> None:
    access = register_holder(session).tokens.access_token
    authenticate_access(session, access_token=access, now=NOW + timedelta(minutes=14))
    with pytest.raises(AccessTokenInvalid) as caught:
        authenticate_access(session, access_token=access, now=NOW + timedelta(minutes=15))
    assert caught.value.code == "access_token_invalid" and caught.value.status == 401


def test_unknown_access_token_is_refused(session: Session) -> None:
    with pytest.raises(AccessTokenInvalid):
        authenticate_access(session, access_token="tat_" + "x" * 43, now=NOW)


def test_refresh_rotates_the_refresh_token(session: Session) -> None:
    first = register_holder(session).tokens
    second = refresh_tokens(session, refresh_token=first.refresh_token, now=NOW)
    assert second.refresh_token != first.refresh_token
    authenticate_access(session, access_token=second.access_token, now=NOW)


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(session: Session) -> None:
    first = register_holder(session).tokens
    second = refresh_tokens(session, refresh_token=first.refresh_token, now=NOW)
    with pytest.raises(RefreshTokenReused) as caught:
        refresh_tokens(session, refresh_token=first.refresh_token, now=NOW)
    assert caught.value.code == "refresh_token_reused" and caught.value.status == 401
    with pytest.raises(RefreshTokenInvalid):
        refresh_tokens(session, refresh_token=second.refresh_token, now=NOW)
    with pytest.raises(AccessTokenInvalid):
        authenticate_access(session, access_token=second.access_token, now=NOW)
    with pytest.raises(AccessTokenInvalid):
        authenticate_access(session, access_token=first.access_token, now=NOW)


def test_other_sessions_survive_a_revoked_family(session: Session) -> None:
    first = register_holder(session).tokens
    other = _login(session, "maija@example.fi", PASSWORD)
    refresh_tokens(session, refresh_token=first.refresh_token, now=NOW)
    with pytest.raises(RefreshTokenReused):
        refresh_tokens(session, refresh_token=first.refresh_token, now=NOW)
    authenticate_access(session, access_token=other.access_token, now=NOW)


def test_expired_refresh_token_is_refused(session: Session) -> None:
    tokens = register_holder(session).tokens
    with pytest.raises(RefreshTokenInvalid) as caught:
        refresh_tokens(session, refresh_token=tokens.refresh_token, now=NOW + timedelta(days=31))
    assert caught.value.code == "refresh_token_invalid"


def test_logout_ends_the_session(session: Session) -> None:
    tokens = register_holder(session).tokens
    logout(session, access_token=tokens.access_token, now=NOW)
    with pytest.raises(AccessTokenInvalid):
        authenticate_access(session, access_token=tokens.access_token, now=NOW)
    with pytest.raises(RefreshTokenInvalid):
        refresh_tokens(session, refresh_token=tokens.refresh_token, now=NOW)


def test_holder_row_keeps_no_plaintext_username(session: Session) -> None:
    register_holder(session)
    rows = session.exec(select(WalletHolder)).all()
    assert all("maija" not in repr(row).lower() for row in rows)
