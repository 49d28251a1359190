"""Username and password rules (NIST SP 800-63B §5.1.1.2, OWASP): NFKC, no hidden characters."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.service.test_wallet_support import FAST_HASHING, KEK, NOW, committed_session
from wallet.accounts import PasswordAuthenticator, register
from wallet.errors import WalletError
from wallet.tables import WalletHolder
from wallet.tokens import TokenPair, login

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _register(session: Session, username: str, password: str = PASSPHRASE) -> str:
    try:
        register(
            session,
            username=username,
            password=password,
            kek=KEK,
            hashing=FAST_HASHING,
            client="192.0.2.10",
            now=NOW,
        )
    except WalletError as refused:
        return refused.code
    return "created"


def _login(session: Session, username: str, password: str) -> TokenPair:
    authenticator = PasswordAuthenticator(username, password, KEK, FAST_HASHING, "192.0.2.10")
    return login(session, authenticator=authenticator, now=NOW)


@pytest.mark.parametrize("username", ["", "   ", "\t"])
def test_blank_username_is_a_username_problem_not_a_password_one(
    session: Session, username: str
) -> None:
    assert _register(session, username) == "username_rejected"


@pytest.mark.parametrize(
    "username",
    [
        "maija\x00@example.fi",  # NUL
        "ma\u200bija@example.fi",  # zero-width space
        "ma\u200dija@example.fi",  # zero-width joiner
        "\u202eif.elpmaxe@ajiam",  # right-to-left override
        "ma\u2066ija@example.fi",  # left-to-right isolate
        "\ufeffmaija@example.fi",  # byte order mark
        "ma\u00adija@example.fi",  # soft hyphen
        "ma\u3164ija@example.fi",  # Hangul filler
        "ma\ufe0fija@example.fi",  # variation selector
        "maija\ue000@example.fi",  # private use
        "maija meikäläinen",  # a space inside
        "maija\u3000@example.fi",  # ideographic space
        "maija\ud800@example.fi",  # lone surrogate
    ],
)
def test_usernames_with_control_invisible_or_direction_characters_are_refused(
    session: Session, username: str
) -> None:
    assert _register(session, username) == "username_characters_invalid"


def test_username_is_one_account_after_nfkc_and_case_folding(session: Session) -> None:
    assert _register(session, "ＭＡＩＪＡ@Example.fi") == "created"
    assert _login(session, "maija@example.fi", PASSPHRASE).access_token
    assert _register(session, "Maija@EXAMPLE.fi") == "username_unavailable"


@pytest.mark.parametrize(
    "password",
    [
        " " * 10,
        "\u3000" * 12,
        "aaaaaaaaaaaa",
        "abababababab",
        "abcdefghijkl",
        "9876543210",
        "password123",
        "Password2024!",
        "qwertyuiop",
        "salasana1234",
        "taito-wallet-2025",
        "maija@example.fi",
        "Maija12345!",
    ],
)
def test_common_repetitive_or_personal_passwords_are_refused(
    session: Session, password: str
) -> None:
    assert _register(session, "maija@example.fi", password) == "password_too_common"


def test_password_with_a_control_character_is_refused(session: Session) -> None:
    assert _register(session, "maija@example.fi", "good long\x00passphrase") == (
        "password_characters_invalid"
    )


def test_password_length_is_counted_after_nfkc(session: Session) -> None:
    assert _register(session, "maija@example.fi", "ab9Ωx") == "password_too_short"
    assert _register(session, "maija@example.fi", "x" * 2000) == "password_too_long"


@pytest.mark.parametrize(
    "password",
    ["correct horse battery staple", "kuusi palaa 🔥 mutta ei tänään", "9283746501", "ﬁve ﬁsh ﬂy"],
)
def test_passphrases_with_spaces_unicode_or_only_digits_are_accepted(
    session: Session, password: str
) -> None:
    assert _register(session, "maija@example.fi", password) == "created"


def test_password_matches_whichever_unicode_form_is_typed(session: Session) -> None:
    assert _register(session, "maija@example.fi", "ﬁve ﬁsh ﬂy over") == "created"
    assert _login(session, "maija@example.fi", "five fish fly over").access_token


def test_password_hashed_before_normalisation_still_logs_in_and_is_rehashed(
    session: Session,
) -> None:
    assert _register(session, "maija@example.fi", "placeholder passphrase") == "created"
    holder = session.exec(select(WalletHolder)).one()
    typed = "ﬁve ﬁsh ﬂy over"
    holder.password_hash = FAST_HASHING.hasher.hash(typed)  # as stored before NFKC
    session.add(holder)
    session.commit()
    assert _login(session, "maija@example.fi", typed).access_token
    session.refresh(holder)
    assert holder.password_hash is not None
    assert FAST_HASHING.hasher.verify(holder.password_hash, "five fish fly over")
