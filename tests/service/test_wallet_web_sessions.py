"""Browser sessions in the wallet service (re-authentication: test_wallet_reauthentication)."""

from collections.abc import Iterator

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
from wallet.accounts import PasswordAuthenticator
from wallet.erasure import erase_wallet
from wallet.errors import AccessTokenInvalid, AuthenticationFailed
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
CLIENT = "192.0.2.10"


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _sign_in(session: Session, password: str = PASSWORD) -> str:
    authenticator = PasswordAuthenticator("maija@example.fi", password, KEK, FAST_HASHING, CLIENT)
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
    erase_wallet(
        session,
        holder_id=holder,
        password=PASSWORD,
        kek=KEK,
        hashing=FAST_HASHING,
        client=CLIENT,
        now=NOW,
    )
    with pytest.raises(AccessTokenInvalid):
        web_session_holder(session, token=token, now=NOW)
