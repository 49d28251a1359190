"""Wallet accounts: registration and password login (argon2id), rate-limited, not locked.

Passwords are hashed with argon2id (RFC 9106) through :class:`~wallet.passwords.PasswordHashing`,
which bounds how many hashes run at once; the default parameters are RFC 9106's second
recommended option (t=3, 64 MiB, p=4). Tests hand in cheaper parameters; production code never
lowers them. Usernames and passwords follow :mod:`wallet.account_rules` (NFKC, NIST SP 800-63B);
usernames are stored only as a keyed hash for the lookup plus a copy sealed with the holder's
data key. Failed logins slow down further attempts (:mod:`wallet.login_throttle`) but never lock
an account.

Nothing in the answers tells whether an account exists (docs/security.md, "Enumeration"): a login
for an unknown username does the same argon2id work against a decoy and gets the same 401, and
the back-off counts any username; a registration hashes the password before it looks the name up
and answers a taken name exactly as a reserved one (409 ``username_unavailable``), from an address
whose registrations are counted. A registration cannot both hand out a free name and hide that
it was free: what it can hide is the difference between "someone has it" and "nobody may have it",
and what it costs is time per address and a real account for every free name probed.

Login is behind :class:`wallet.tokens.Authenticator`: :func:`wallet.tokens.login` accepts whatever
authenticator vouches for a holder, so an OpenID Connect provider (a national e-identification
service) can plug in later as another implementation that maps its ``iss`` and ``sub`` to a
holder, without touching tokens, throttling or the routes that use them.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from credentials.clock import require_aware
from wallet.account_rules import (
    RESERVED_USERNAMES,
    check_new_password,
    check_username,
    normalize_password,
    normalize_username,
)
from wallet.activity import ActivityKind, append_activity, genesis_head
from wallet.errors import AuthenticationFailed, UsernameUnavailable
from wallet.holder_keys import create_holder_key
from wallet.login_throttle import (
    check_login,
    check_registration,
    login_keys,
    record_login_failure,
    record_login_success,
    registration_key,
)
from wallet.passwords import Argon2Parameters, PasswordHashing
from wallet.tables import WalletHolder
from wallet.tokens import TokenPair, issue_tokens
from wallet.vault import login_lookup, new_vault

__all__ = [
    "Argon2Parameters",
    "PasswordAuthenticator",
    "Registration",
    "normalize_username",
    "register",
]


@dataclass(frozen=True)
class Registration:
    """A new wallet and its first tokens."""

    holder_id: str
    tokens: TokenPair


def _holder_by_username(session: Session, *, kek: bytes, username: str) -> WalletHolder | None:
    lookup = login_lookup(kek, username)
    return session.exec(
        select(WalletHolder).where(col(WalletHolder.login_lookup) == lookup)
    ).first()


def register(
    session: Session,
    *,
    username: str,
    password: str,
    kek: bytes,
    hashing: PasswordHashing,
    client: str | None,
    now: datetime,
) -> Registration:
    """Create a wallet (account, data key, holder key) and log it in.

    ``client`` is the address the request came from, whose registrations are counted; ``None``
    only for an operator's own tools (the demo seeding), which are not rate-limited. Raises
    :class:`~wallet.errors.UsernameRejected`, :class:`~wallet.errors.PasswordRejected` and their
    subclasses (422), :class:`~wallet.errors.RegistrationThrottled` (429),
    :class:`~wallet.errors.AuthenticationBusy` (503), :class:`UsernameUnavailable` (409, for a
    registered and a reserved name alike) and :class:`~credentials.errors.TaitoError`
    subclasses of the sealing layer.
    """
    now = require_aware(now)
    normalized = check_username(username)
    secret = check_new_password(password, username=normalized)
    if client is not None:
        check_registration(session, registration_key(kek, client=client), now=now)
    # The hash comes first, so a taken name costs the same work as a free one.
    password_hash = hashing.hash(secret)
    taken = _holder_by_username(session, kek=kek, username=normalized) is not None
    if taken or normalized in RESERVED_USERNAMES:
        raise UsernameUnavailable(
            "This username cannot be registered. Choose another one, or log in if it is yours."
        )
    holder_id = f"hld_{secrets.token_hex(16)}"
    vault, sealed_key = new_vault(holder_id, kek=kek)
    session.add(
        WalletHolder(
            id=holder_id,
            login_lookup=login_lookup(kek, normalized),
            password_hash=password_hash,
            sealed_data_key=sealed_key,
            sealed_profile=vault.seal({"username": username}, purpose="profile", row_id="profile"),
            created_at=now,
            activity_seq=0,
            activity_head=genesis_head(kek, holder_id),
        )
    )
    session.flush()
    create_holder_key(session, holder_id=holder_id, kek=kek, now=now)
    append_activity(
        session, vault=vault, kind=ActivityKind.ACCOUNT_CREATED, details={}, kek=kek, now=now
    )
    tokens = issue_tokens(session, holder_id=holder_id, now=now)
    session.commit()
    return Registration(holder_id=holder_id, tokens=tokens)


@dataclass(frozen=True)
class PasswordAuthenticator:
    """Username and password login (argon2id), slowed down after failures, never locked.

    ``client`` is the IP address the attempt came from (rate limits count per address).
    """

    username: str
    password: str = field(repr=False)
    kek: bytes = field(repr=False)
    hashing: PasswordHashing
    client: str

    def authenticate(self, session: Session, *, now: datetime) -> str:
        """Return the holder id of a correct username and password.

        Raises :class:`AuthenticationFailed` (401) for an unknown user or a wrong password (the
        same answer after the same work), :class:`~wallet.errors.LoginThrottled` (429) while a
        back-off applies, whoever the username names, and
        :class:`~wallet.errors.AuthenticationBusy` (503) when too many passwords are being
        checked at once. A failure is counted and committed before the error is raised.
        """
        now = require_aware(now)
        username = normalize_username(self.username)
        keys = login_keys(self.kek, username=username, client=self.client)
        check_login(session, keys, now=now)
        holder = _holder_by_username(session, kek=self.kek, username=username)
        # End the transaction before hashing: no pooled connection, and on SQLite no write lock
        # (transactions there begin IMMEDIATE), is held for the 100 ms or more a hash takes.
        session.commit()
        stored = holder.password_hash if holder is not None else None
        password = normalize_password(self.password)
        matched = self.hashing.verify(stored, password)
        legacy = not matched and password != self.password
        if legacy:
            # Passwords registered before NFKC normalisation were hashed as typed (the decoy
            # gets the same second check, so the work stays the same for unknown users).
            matched = self.hashing.verify(stored, self.password)
        if holder is None or stored is None or not matched:
            record_login_failure(session, keys, now=now)
            raise AuthenticationFailed("The username or password is not correct.")
        record_login_success(session, keys, now=now)
        if legacy or self.hashing.needs_rehash(stored):
            holder.password_hash = self.hashing.hash(password)
            session.add(holder)
        return holder.id
