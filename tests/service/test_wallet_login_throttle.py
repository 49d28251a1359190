"""Login and registration rate limits: attackers slowed, owners never locked out, no enumeration."""

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from tests.service.test_wallet_support import (
    FAST_HASHING,
    KEK,
    NOW,
    committed_session,
    counting_hashing,
    register_holder,
)
from wallet.accounts import PasswordAuthenticator
from wallet.errors import (
    AuthenticationFailed,
    LoginThrottled,
    WalletError,
)
from wallet.login_throttle import address_scope, purge_login_throttles
from wallet.passwords import PasswordHashing
from wallet.tables import WalletHolder, WalletLoginThrottle
from wallet.tokens import TokenPair, login

PASSWORD = "correct horse battery staple"
OWNER_ADDRESS = "198.51.100.7"
ATTACKER = "203.0.113.9"


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _login(
    session: Session,
    username: str,
    password: str,
    *,
    at: datetime,
    client: str,
    hashing: PasswordHashing = FAST_HASHING,
) -> TokenPair:
    authenticator = PasswordAuthenticator(username, password, KEK, hashing, client)
    return login(session, authenticator=authenticator, now=at)


def _outcome(session: Session, username: str, password: str, *, at: datetime, client: str) -> str:
    try:
        _login(session, username, password, at=at, client=client)
    except LoginThrottled as throttled:
        return f"{throttled.code} {throttled.headers['Retry-After']}"
    except WalletError as refused:
        return refused.code
    return "ok"


def _guess_for_an_hour(
    session: Session, username: str, *, client: str
) -> tuple[datetime, int, int]:
    """Guess wrong as fast as the back-off allows: the time reached, guesses, longest wait."""
    at, guesses, longest = NOW, 0, 0
    while at < NOW + timedelta(hours=1):
        try:
            _login(session, username, "wrong guess number x", at=at, client=client)
        except LoginThrottled as throttled:
            wait = int(throttled.headers["Retry-After"])
            at, longest = at + timedelta(seconds=wait), max(longest, wait)
        except AuthenticationFailed:
            guesses += 1
    return at, guesses, longest


def test_failed_logins_from_elsewhere_never_lock_the_owner_out(session: Session) -> None:
    register_holder(session)
    _login(session, "maija@example.fi", PASSWORD, at=NOW, client=OWNER_ADDRESS)
    at, guesses, _ = _guess_for_an_hour(session, "maija@example.fi", client=ATTACKER)
    assert guesses > 5
    tokens = _login(session, "maija@example.fi", PASSWORD, at=at, client=OWNER_ADDRESS)
    assert tokens.access_token.startswith("tat_")


def test_owner_on_a_new_address_waits_at_most_a_minute_after_an_attack(session: Session) -> None:
    register_holder(session)
    at, _, _ = _guess_for_an_hour(session, "maija@example.fi", client=ATTACKER)
    outcome = _outcome(session, "maija@example.fi", PASSWORD, at=at, client="192.0.2.99")
    if outcome != "ok":
        code, seconds = outcome.split()
        assert code == "login_throttled" and int(seconds) <= 60
        later = at + timedelta(seconds=int(seconds))
        assert _outcome(session, "maija@example.fi", PASSWORD, at=later, client="192.0.2.99") == (
            "ok"
        )


def test_an_attacker_gets_about_a_guess_a_minute_and_nobody_waits_longer(
    session: Session,
) -> None:
    register_holder(session)
    _, guesses, longest = _guess_for_an_hour(session, "maija@example.fi", client=ATTACKER)
    assert longest == 60
    assert 60 <= guesses <= 75


def test_spraying_from_the_owners_shared_address_does_not_slow_the_owner(
    session: Session,
) -> None:
    register_holder(session)
    _login(session, "maija@example.fi", PASSWORD, at=NOW, client=OWNER_ADDRESS)
    sprayed = [
        _outcome(session, f"person{n}@example.fi", "wrong password", at=NOW, client=OWNER_ADDRESS)
        for n in range(25)
    ]
    assert sprayed[-1].startswith("login_throttled")
    assert _outcome(session, "maija@example.fi", PASSWORD, at=NOW, client=OWNER_ADDRESS) == "ok"
    assert _outcome(session, "liisa@example.fi", PASSWORD, at=NOW, client=OWNER_ADDRESS).startswith(
        "login_throttled"
    )


def test_repeated_failures_from_one_address_back_off_exponentially(session: Session) -> None:
    register_holder(session)
    outcomes = []
    at = NOW
    for _ in range(9):
        outcome = _outcome(
            session, "maija@example.fi", "wrong password here", at=at, client=ATTACKER
        )
        outcomes.append(outcome)
        at += timedelta(seconds=1) if outcome == "login_failed" else timedelta(0)
        if outcome.startswith("login_throttled"):
            at += timedelta(seconds=int(outcome.split()[1]))
    assert outcomes == [
        "login_failed",
        "login_failed",
        "login_failed",
        "login_failed",
        "login_failed",
        "login_failed",
        "login_throttled 1",
        "login_failed",
        "login_throttled 3",
    ]


def test_throttling_answers_alike_for_known_and_unknown_usernames(session: Session) -> None:
    register_holder(session)

    def attempts(username: str) -> list[str]:
        return [
            _outcome(session, username, "wrong password here", at=NOW, client=ATTACKER)
            for _ in range(7)
        ]

    known, unknown = attempts("maija@example.fi"), attempts("nobody@example.fi")
    assert known == unknown
    assert known[-1].startswith("login_throttled")


def test_unknown_username_costs_the_same_argon2_work_as_a_wrong_password(session: Session) -> None:
    register_holder(session)
    known, known_hashing = counting_hashing()
    unknown, unknown_hashing = counting_hashing()
    for hashing, username in ((known_hashing, "maija@example.fi"), (unknown_hashing, "x@y.fi")):
        with pytest.raises(AuthenticationFailed):
            _login(
                session, username, "wrong password here", at=NOW, client=ATTACKER, hashing=hashing
            )
    assert known.calls == unknown.calls == ["verify m=8,t=1,p=1"]


def test_a_successful_login_clears_the_accounts_back_off(session: Session) -> None:
    register_holder(session)
    for _ in range(6):
        _outcome(session, "maija@example.fi", "wrong password here", at=NOW, client=OWNER_ADDRESS)
    assert _outcome(session, "maija@example.fi", PASSWORD, at=NOW, client=OWNER_ADDRESS).startswith(
        "login_throttled"
    )
    later = NOW + timedelta(seconds=1)
    assert _outcome(session, "maija@example.fi", PASSWORD, at=later, client=OWNER_ADDRESS) == "ok"
    assert _outcome(
        session, "maija@example.fi", "wrong pw again", at=later, client=OWNER_ADDRESS
    ) == ("login_failed")
    assert _outcome(session, "maija@example.fi", PASSWORD, at=later, client=OWNER_ADDRESS) == "ok"


def test_one_address_guessing_many_accounts_is_slowed(session: Session) -> None:
    outcomes = [
        _outcome(session, f"person{n}@example.fi", "wrong password here", at=NOW, client=ATTACKER)
        for n in range(21)
    ]
    assert outcomes[:20] == ["login_failed"] * 20
    assert outcomes[20] == "login_throttled 1"
    other = _outcome(
        session, "person0@example.fi", "wrong password here", at=NOW, client="192.0.2.1"
    )
    assert other == "login_failed"


def test_ipv6_clients_are_counted_by_their_64_network() -> None:
    assert address_scope("2001:db8:1:2:aaaa::1") == address_scope("2001:db8:1:2:bbbb::9")
    assert address_scope("2001:db8:1:2::1") != address_scope("2001:db8:1:3::1")
    assert address_scope("::ffff:192.0.2.1") == "192.0.2.1"


def test_throttle_rows_name_neither_the_username_nor_the_address(session: Session) -> None:
    holder = register_holder(session).holder_id
    _outcome(session, "maija@example.fi", "wrong password here", at=NOW, client=ATTACKER)
    rows = session.exec(select(WalletLoginThrottle)).all()
    lookup = session.get(WalletHolder, holder).login_lookup  # type: ignore[union-attr]
    assert sorted(row.key[0] for row in rows) == ["a", "p", "r", "u"]
    for row in rows:
        assert "maija" not in row.key and ATTACKER not in row.key and lookup not in row.key


def test_stale_throttle_rows_are_purged(session: Session) -> None:
    _outcome(session, "maija@example.fi", "wrong password here", at=NOW, client=ATTACKER)
    assert purge_login_throttles(session, now=NOW + timedelta(days=1)) == 0
    assert purge_login_throttles(session, now=NOW + timedelta(days=31)) == 3
