"""Rate limits on logins and registrations that slow an attacker without locking the owner out.

OWASP Authentication Cheat Sheet ("Protect against automated attacks") and NIST SP 800-63B §5.2.2
(rate limiting). Failed logins are counted three ways, each with an exponential back-off (after
``free`` failures the next attempt must wait 1 s, then 2 s, 4 s ... up to a minute; counts are
forgotten a day after the last failure):

- per client address (:data:`PER_ADDRESS`, 20 free): one address guessing across many accounts;
- per account *and* address (:data:`PER_ACCOUNT_AND_ADDRESS`, 5 free): one address guessing one
  account;
- per account from every address (:data:`PER_ACCOUNT`, 10 free): a botnet guessing one account.

No back-off is longer than a minute, so whatever an attacker does, the owner waits a minute at
most before the next try and is never locked out; and from an address the owner logged in from
in the last 30 days only the account-and-address count applies, so an attacker elsewhere (or
spraying many accounts from a shared address) does not slow the owner at all. The attacker's
pace, once the free tries are spent, is one guess a minute per address and one a minute per
account, and common passwords are refused at registration (wallet.account_rules).

A successful login clears its account's counts (not the address's: an attacker could otherwise
reset it by logging into an account of their own). The counts are kept for *any* username,
registered or not, so a throttled answer (429 ``login_throttled``) says nothing about whether an
account exists. Registrations are counted per address (:data:`REGISTRATIONS`, 20 free, then up to
10 minutes apart), so probing which names are free costs time too.

The counts live in the database (``wallet_login_throttle``), not in each worker's memory: with
several workers (``TAITO_WORKERS``) per-worker counts would multiply every budget by the number
of workers and be forgotten at each restart. A login already costs an argon2id hash of 100 ms or
more; a few rows read and written beside it cost far less. The keys are HMACs under a key derived
from the KEK and used for nothing else, so a copy of the table reveals neither usernames nor
addresses and cannot be joined to the wallet's login lookups. IPv6 clients are counted by their
/64 network, which one subscriber usually holds whole.
"""

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials.clock import as_utc
from wallet.errors import LoginThrottled, RegistrationThrottled
from wallet.tables import WalletLoginThrottle
from wallet.vault import derive_key, keyed_hash

FORGET_AFTER = timedelta(hours=24)
KNOWN_ADDRESS_FOR = timedelta(days=30)


@dataclass(frozen=True)
class BackOff:
    """After ``free`` counted events, wait 2^(n - free) seconds, at most ``cap``, between tries."""

    free: int
    cap: timedelta

    def delay(self, events: int) -> timedelta:
        if events < self.free:
            return timedelta(0)
        return min(self.cap, timedelta(seconds=2 ** min(events - self.free, 30)))


PER_ADDRESS = BackOff(free=20, cap=timedelta(minutes=1))
PER_ACCOUNT_AND_ADDRESS = BackOff(free=5, cap=timedelta(minutes=1))
PER_ACCOUNT = BackOff(free=10, cap=timedelta(minutes=1))
REGISTRATIONS = BackOff(free=20, cap=timedelta(minutes=10))


@dataclass(frozen=True)
class LoginKeys:
    """The throttle rows one login attempt reads and writes."""

    address: str
    account: str
    account_and_address: str
    known_address: str


def address_scope(client: str) -> str:
    """What one client is counted as: its IPv4 address, or its IPv6 /64 network."""
    try:
        address = ipaddress.ip_address(client.split("%", 1)[0])
    except ValueError:
        return client
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _key(kek: bytes, kind: str, value: str) -> str:
    secret = derive_key(kek, "taito/wallet/login-throttle/v1")
    return f"{kind}:{keyed_hash(secret, f'{kind}|{value}'.encode())}"


def login_keys(kek: bytes, *, username: str, client: str) -> LoginKeys:
    """The keys of a login by ``username`` (normalised) from ``client`` (an IP address)."""
    where = address_scope(client)
    return LoginKeys(
        address=_key(kek, "a", where),
        account=_key(kek, "u", username),
        account_and_address=_key(kek, "p", f"{username}|{where}"),
        known_address=_key(kek, "k", f"{username}|{where}"),
    )


def registration_key(kek: bytes, *, client: str) -> str:
    """The key counting registrations from ``client``."""
    return _key(kek, "r", address_scope(client))


def _wait(row: WalletLoginThrottle | None, back_off: BackOff, now: datetime) -> float:
    if row is None or as_utc(row.last_at) <= now - FORGET_AFTER:
        return 0.0
    return (as_utc(row.last_at) + back_off.delay(row.events) - now).total_seconds()


def _rows(session: Session, keys: list[str]) -> dict[str, WalletLoginThrottle]:
    found = session.exec(select(WalletLoginThrottle).where(col(WalletLoginThrottle.key).in_(keys)))
    return {row.key: row for row in found}


def check_login(session: Session, keys: LoginKeys, *, now: datetime) -> None:
    """Raise :class:`LoginThrottled` (429, ``Retry-After``) while a back-off applies."""
    rows = _rows(
        session, [keys.address, keys.account, keys.account_and_address, keys.known_address]
    )
    known = rows.get(keys.known_address)
    owner_address = known is not None and as_utc(known.last_at) > now - KNOWN_ADDRESS_FOR
    wait = _wait(rows.get(keys.account_and_address), PER_ACCOUNT_AND_ADDRESS, now)
    if not owner_address:
        wait = max(
            wait,
            _wait(rows.get(keys.address), PER_ADDRESS, now),
            _wait(rows.get(keys.account), PER_ACCOUNT, now),
        )
    if wait > 0:
        raise LoginThrottled(
            "Too many failed logins; wait a moment before trying again.",
            retry_after_seconds=math.ceil(wait),
        )


def _count(session: Session, key: str, *, now: datetime, step: int = 1) -> None:
    # One atomic statement, so concurrent failures are all counted; a stale count starts over.
    table = WalletLoginThrottle
    counted = (
        update(table)
        .where(col(table.key) == key)
        .values(
            events=case(
                (col(table.last_at) <= now - FORGET_AFTER, step), else_=table.events + step
            ),
            last_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if session.execute(counted).rowcount:  # type: ignore[attr-defined]
        return
    try:
        with session.begin_nested():
            session.add(WalletLoginThrottle(key=key, events=step, last_at=now))
    except IntegrityError:  # a concurrent request inserted the row first
        session.execute(counted)


def record_login_failure(session: Session, keys: LoginKeys, *, now: datetime) -> None:
    """Count a failed login three ways (address, account, both) and commit."""
    for key in (keys.address, keys.account, keys.account_and_address):
        _count(session, key, now=now)
    session.commit()


def record_login_success(session: Session, keys: LoginKeys, *, now: datetime) -> None:
    """Clear the account's counts and remember the address as the owner's (no commit)."""
    session.execute(
        delete(WalletLoginThrottle).where(
            col(WalletLoginThrottle.key).in_([keys.account, keys.account_and_address])
        )
    )
    _count(session, keys.known_address, now=now, step=0)


def check_registration(session: Session, key: str, *, now: datetime) -> None:
    """Count a registration attempt from one address and commit; 429 while a back-off applies.

    Raises :class:`RegistrationThrottled` (nothing is counted then).
    """
    wait = _wait(_rows(session, [key]).get(key), REGISTRATIONS, now)
    if wait > 0:
        raise RegistrationThrottled(
            "Too many registrations from this address; wait a moment before trying again.",
            retry_after_seconds=math.ceil(wait),
        )
    _count(session, key, now=now)
    session.commit()


def purge_login_throttles(session: Session, *, now: datetime) -> int:
    """Delete counts nobody needs any more (older than 30 days); commit; return how many."""
    result = session.execute(
        delete(WalletLoginThrottle).where(
            col(WalletLoginThrottle.last_at) < now - max(FORGET_AFTER, KNOWN_ADDRESS_FOR)
        )
    )
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
