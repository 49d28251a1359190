"""Registration does not confirm who exists: a taken name is refused like a reserved one, after
the same hashing, and registrations from one address are slowed (wallet.accounts)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from tests.service.test_wallet_support import (
    FAST_HASHING,
    KEK,
    NOW,
    committed_session,
    counting_hashing,
    register_holder,
)
from wallet.accounts import register
from wallet.errors import RegistrationThrottled, UsernameUnavailable, WalletError
from wallet.passwords import PasswordHashing

PASSWORD = "correct horse battery staple"
ATTACKER = "203.0.113.9"


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _register(session: Session, username: str, *, hashing: PasswordHashing = FAST_HASHING) -> str:
    try:
        register(
            session,
            username=username,
            password=PASSWORD,
            kek=KEK,
            hashing=hashing,
            client=ATTACKER,
            now=NOW,
        )
    except WalletError as refused:
        return f"{refused.code} {refused.detail}"
    return "created"


def test_a_taken_username_is_refused_exactly_like_a_reserved_one(session: Session) -> None:
    register_holder(session)
    taken = _register(session, "Maija@Example.fi")
    assert taken == _register(session, "admin")
    assert taken.startswith("username_unavailable ")
    assert "taken" not in taken and "exists" not in taken


def test_a_taken_username_costs_the_same_hashing_as_a_free_one(session: Session) -> None:
    register_holder(session)
    taken, taken_hashing = counting_hashing()
    free, free_hashing = counting_hashing()
    assert _register(session, "maija@example.fi", hashing=taken_hashing).startswith(
        "username_unavailable"
    )
    assert _register(session, "liisa@example.fi", hashing=free_hashing) == "created"
    assert taken.calls == free.calls == ["hash"]


def test_registrations_from_one_address_are_slowed(session: Session) -> None:
    outcomes = [_register(session, f"person{n}@example.fi") for n in range(21)]
    assert outcomes[:20] == ["created"] * 20
    with pytest.raises(RegistrationThrottled) as caught:
        register(
            session,
            username="late@example.fi",
            password=PASSWORD,
            kek=KEK,
            hashing=FAST_HASHING,
            client=ATTACKER,
            now=NOW,
        )
    assert caught.value.status == 429 and caught.value.headers["Retry-After"] == "1"
    with pytest.raises(UsernameUnavailable):
        _register_from(session, "person0@example.fi", client="192.0.2.44")


def _register_from(session: Session, username: str, *, client: str) -> None:
    register(
        session,
        username=username,
        password=PASSWORD,
        kek=KEK,
        hashing=FAST_HASHING,
        client=client,
        now=NOW,
    )
