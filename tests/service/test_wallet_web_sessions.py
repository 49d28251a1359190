"""Browser sessions, re-authentication and password change in the wallet service."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.service.test_wallet_support import (
    FAST_ARGON2,
    KEK,
    NOW,
    committed_session,
    register_holder,
)
from wallet.accounts import PasswordAuthenticator, change_password, confirm_password
from wallet.errors import (
    AccessTokenInvalid,
    AuthenticationFailed,
    LoginThrottled,
    PasswordRejected,
)
from wallet.portability import erase_wallet
from wallet.tables import WalletAccessToken
from wallet.tokens import authenticate_access
from wallet.web_sessions import (
    WEB_SESSION_LIFETIME,
    end_all_sessions,
    end_web_session,
    start_web_session,
    web_session_holder,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _sign_in(session: Session, password: str = PASSWORD) -> str:
    authenticator = PasswordAuthenticator("maija@example.fi", password, KEK, FAST_ARGON2)
    return start_web_session(session, authenticator=authenticator, now=NOW)


def test_a_browser_session_lasts_twelve_hours_and_is_stored_only_hashed(
    session: Session,
) -> None:
    holder = register_holder(session).holder_id
    token = _sign_in(session)
    assert token.startswith("tws_") and len(token) == 47
    assert web_session_holder(session, token=token, now=NOW) == holder
    stored = session.exec(select(WalletAccessToken.token_hash)).all()
    assert token not in stored and all(len(h) == 64 for h in stored)
    with pytest.raises(AccessTokenInvalid):
        web_session_holder(session, token=token, now=NOW + WEB_SESSION_LIFETIME)


def test_a_browser_session_is_not_an_api_token_nor_the_other_way_round(
    session: Session,
) -> None:
    registration = register_holder(session)
    token = _sign_in(session)
    with pytest.raises(AccessTokenInvalid):
        authenticate_access(session, access_token=token, now=NOW)
    with pytest.raises(AccessTokenInvalid):
        web_session_holder(session, token=registration.tokens.access_token, now=NOW)
    with pytest.raises(AccessTokenInvalid):
        web_session_holder(session, token="tws_" + "A" * 43, now=NOW)


def test_a_wrong_password_starts_no_session(session: Session) -> None:
    register_holder(session)
    with pytest.raises(AuthenticationFailed):
        _sign_in(session, "not the password")


def test_signing_out_ends_this_session_and_everywhere_ends_every_one(session: Session) -> None:
    registration = register_holder(session)
    here, there = _sign_in(session), _sign_in(session)
    end_web_session(session, token=here, now=NOW)
    with pytest.raises(AccessTokenInvalid):
        web_session_holder(session, token=here, now=NOW)
    assert web_session_holder(session, token=there, now=NOW) == registration.holder_id
    assert end_all_sessions(session, holder_id=registration.holder_id, now=NOW) == 2
    for token in (there,):
        with pytest.raises(AccessTokenInvalid):
            web_session_holder(session, token=token, now=NOW)
    with pytest.raises(AccessTokenInvalid):
        authenticate_access(session, access_token=registration.tokens.access_token, now=NOW)


def test_erasing_the_wallet_ends_its_browser_sessions(session: Session) -> None:
    holder = register_holder(session).holder_id
    token = _sign_in(session)
    erase_wallet(session, holder_id=holder, kek=KEK, now=NOW)
    with pytest.raises(AccessTokenInvalid):
        web_session_holder(session, token=token, now=NOW)


def test_re_authentication_counts_failures_toward_the_lock(session: Session) -> None:
    holder = register_holder(session).holder_id
    confirm_password(session, holder_id=holder, password=PASSWORD, argon2=FAST_ARGON2, now=NOW)
    for _ in range(5):
        with pytest.raises(AuthenticationFailed):
            confirm_password(
                session, holder_id=holder, password="wrong", argon2=FAST_ARGON2, now=NOW
            )
    with pytest.raises(LoginThrottled):
        confirm_password(session, holder_id=holder, password=PASSWORD, argon2=FAST_ARGON2, now=NOW)
    later = NOW + timedelta(minutes=16)
    confirm_password(session, holder_id=holder, password=PASSWORD, argon2=FAST_ARGON2, now=later)


def test_a_new_password_needs_the_current_one_and_the_rules(session: Session) -> None:
    holder = register_holder(session).holder_id
    new = "a different long passphrase"
    with pytest.raises(AuthenticationFailed):
        change_password(
            session,
            holder_id=holder,
            current="wrong",
            new=new,
            kek=KEK,
            argon2=FAST_ARGON2,
            now=NOW,
        )
    for rejected in ("short", "Maija@Example.fi"):
        with pytest.raises(PasswordRejected):
            change_password(
                session,
                holder_id=holder,
                current=PASSWORD,
                new=rejected,
                kek=KEK,
                argon2=FAST_ARGON2,
                now=NOW,
            )
    change_password(
        session, holder_id=holder, current=PASSWORD, new=new, kek=KEK, argon2=FAST_ARGON2, now=NOW
    )
    with pytest.raises(AuthenticationFailed):
        _sign_in(session)
    assert _sign_in(session, new).startswith("tws_")
