"""Wallet accounts: registration and password login (argon2id), throttled after failures.

Passwords are hashed with argon2id (RFC 9106) through argon2-cffi; the default parameters are
RFC 9106's second recommended option (t=3, 64 MiB, p=4). Tests hand in cheaper parameters through
the ``argon2`` argument; production code never lowers them. Usernames are normalised (NFKC,
case-folded, trimmed) and stored only as a keyed hash for the lookup plus a copy sealed with the
holder's data key. Five failed logins in a row lock the account for 15 minutes (429 problem).

Login is behind :class:`Authenticator`: :func:`wallet.tokens.login` accepts whatever
authenticator vouches for a holder, so an OpenID Connect provider (a national e-identification
service) can plug in later as another implementation that maps its ``iss`` and ``sub`` to a
holder, without touching tokens, throttling or the routes that use them.
"""

import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from wallet.activity import ActivityKind, append_activity, genesis_head
from wallet.errors import AuthenticationFailed, LoginThrottled, PasswordRejected, UsernameTaken
from wallet.holder_keys import create_holder_key
from wallet.tables import WalletHolder
from wallet.timestamps import as_utc, require_aware
from wallet.tokens import TokenPair, issue_tokens
from wallet.vault import login_lookup, new_vault, vault_of

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
MIN_USERNAME_LENGTH = 3
MAX_USERNAME_LENGTH = 254


@dataclass(frozen=True)
class Argon2Parameters:
    """argon2id cost parameters; the defaults are RFC 9106 §4's second recommended option."""

    time_cost: int = 3
    memory_cost_kib: int = 64 * 1024
    parallelism: int = 4

    def hasher(self) -> PasswordHasher:
        return _hasher(self)


@lru_cache(maxsize=8)
def _hasher(parameters: Argon2Parameters) -> PasswordHasher:
    return PasswordHasher(
        time_cost=parameters.time_cost,
        memory_cost=parameters.memory_cost_kib,
        parallelism=parameters.parallelism,
    )


@lru_cache(maxsize=8)
def _decoy_hash(parameters: Argon2Parameters) -> str:
    # Unknown usernames are checked against a decoy so that a login takes as long either way.
    return _hasher(parameters).hash(secrets.token_urlsafe(16))


class Authenticator(Protocol):
    """Establishes who is logging in; returns the holder id or raises a 401/429 WalletError."""

    def authenticate(self, session: Session, *, now: datetime) -> str: ...


@dataclass(frozen=True)
class Registration:
    """A new wallet and its first tokens."""

    holder_id: str
    tokens: TokenPair


def normalize_username(username: str) -> str:
    """NFKC, case-folded and trimmed, so ``Maija`` and ``maija`` are one account."""
    return unicodedata.normalize("NFKC", username).casefold().strip()


def _check_password(password: str, username: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise PasswordRejected(
            f"The password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters."
        )
    if normalize_username(password) == username:
        raise PasswordRejected("The password must not be the username.")


def register(
    session: Session,
    *,
    username: str,
    password: str,
    kek: bytes,
    argon2: Argon2Parameters,
    now: datetime,
) -> Registration:
    """Create a wallet (account, data key, holder key) and log it in.

    Raises :class:`PasswordRejected` (422), :class:`UsernameTaken` (409) and
    :class:`~credentials.errors.TaitoError` subclasses of the sealing layer.
    """
    now = require_aware(now)
    normalized = normalize_username(username)
    if not MIN_USERNAME_LENGTH <= len(normalized) <= MAX_USERNAME_LENGTH:
        raise PasswordRejected(
            f"The username must be {MIN_USERNAME_LENGTH} to {MAX_USERNAME_LENGTH} characters."
        )
    _check_password(password, normalized)
    lookup = login_lookup(kek, normalized)
    if session.exec(
        select(WalletHolder.id).where(col(WalletHolder.login_lookup) == lookup)
    ).first():
        raise UsernameTaken("Choose another username.")
    holder_id = f"hld_{secrets.token_hex(16)}"
    vault, sealed_key = new_vault(holder_id, kek=kek)
    session.add(
        WalletHolder(
            id=holder_id,
            login_lookup=lookup,
            password_hash=argon2.hasher().hash(password),
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
    """Username and password login (argon2id), with the account lock after failures."""

    username: str
    password: str = field(repr=False)
    kek: bytes = field(repr=False)
    argon2: Argon2Parameters

    def authenticate(self, session: Session, *, now: datetime) -> str:
        """Return the holder id of a correct username and password.

        Raises :class:`AuthenticationFailed` (401) for an unknown user or a wrong password (the
        same answer for both) and :class:`LoginThrottled` (429) while the account is locked.
        A failure is counted and committed before the error is raised.
        """
        now = require_aware(now)
        hasher = self.argon2.hasher()
        lookup = login_lookup(self.kek, normalize_username(self.username))
        holder = session.exec(
            select(WalletHolder).where(col(WalletHolder.login_lookup) == lookup)
        ).first()
        if holder is None or holder.password_hash is None:
            _verify(hasher, _decoy_hash(self.argon2), self.password)
            raise AuthenticationFailed("The username or password is not correct.")
        if holder.locked_until is not None and as_utc(holder.locked_until) > now:
            remaining = (as_utc(holder.locked_until) - now).total_seconds()
            raise LoginThrottled(
                "Too many failed logins; the account is locked for a while.",
                retry_after_seconds=int(remaining) + 1,
            )
        if not _verify(hasher, holder.password_hash, self.password):
            _count_failure(session, holder.id, now)
            raise AuthenticationFailed("The username or password is not correct.")
        holder.failed_logins = 0
        holder.locked_until = None
        if hasher.check_needs_rehash(holder.password_hash):
            holder.password_hash = hasher.hash(self.password)
        session.add(holder)
        return holder.id


def _verify(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(session: Session, holder_id: str, now: datetime) -> None:
    # An atomic increment, so concurrent failures are all counted.
    session.execute(
        update(WalletHolder)
        .where(col(WalletHolder.id) == holder_id)
        .values(failed_logins=WalletHolder.failed_logins + 1)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(
        update(WalletHolder)
        .where(
            col(WalletHolder.id) == holder_id,
            col(WalletHolder.failed_logins) >= MAX_FAILED_LOGINS,
        )
        .values(failed_logins=0, locked_until=now + LOCKOUT)
        .execution_options(synchronize_session="fetch")
    )
    session.commit()


def confirm_password(
    session: Session, *, holder_id: str, password: str, argon2: Argon2Parameters, now: datetime
) -> None:
    """Re-authentication before a grave step (erase, export, password change): the password again.

    A wrong password counts toward the account lock like a failed login. Raises
    :class:`AuthenticationFailed` (401) and :class:`LoginThrottled` (429).
    """
    now = require_aware(now)
    holder = session.get(WalletHolder, holder_id)
    if holder is None or holder.password_hash is None:
        raise AuthenticationFailed("The password is not correct.")
    if holder.locked_until is not None and as_utc(holder.locked_until) > now:
        remaining = (as_utc(holder.locked_until) - now).total_seconds()
        raise LoginThrottled(
            "Too many failed logins; the account is locked for a while.",
            retry_after_seconds=int(remaining) + 1,
        )
    if not _verify(argon2.hasher(), holder.password_hash, password):
        _count_failure(session, holder.id, now)
        raise AuthenticationFailed("The password is not correct.")


def change_password(
    session: Session,
    *,
    holder_id: str,
    current: str,
    new: str,
    kek: bytes,
    argon2: Argon2Parameters,
    now: datetime,
) -> None:
    """Replace the password after checking the current one; commits.

    Raises what :func:`confirm_password` raises and :class:`PasswordRejected` (422).
    """
    confirm_password(session, holder_id=holder_id, password=current, argon2=argon2, now=now)
    holder = session.get(WalletHolder, holder_id)
    assert holder is not None
    profile = vault_of(holder, kek=kek).open(
        holder.sealed_profile, purpose="profile", row_id="profile"
    )
    username = profile.get("username", "") if isinstance(profile, dict) else ""
    _check_password(new, normalize_username(str(username)))
    holder.password_hash = argon2.hasher().hash(new)
    session.add(holder)
    session.commit()
