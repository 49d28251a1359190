"""Wallet sessions: opaque access tokens and rotating refresh tokens (RFC 6749 §1.5, §10.4).

Access tokens (``tat_`` + 256 random bits) live 15 minutes; refresh tokens (``trt_``) 30 days.
Both are stored only as SHA-256 hex: they are high-entropy secrets, so a fast hash suffices and
a database copy yields no usable token. Each login starts a *family*; every refresh rotates the
refresh token within it. Presenting a refresh token that was already rotated means it was copied
(OAuth 2.0 Security BCP, RFC 9700 §4.14.2): the whole family is revoked, which also ends every
access token issued from it. Logout revokes the family of the access token used.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, exists, update
from sqlmodel import Session, col, select

from credentials.clock import as_utc, require_aware
from sealing.secret_hashes import hash_secret
from wallet.errors import AccessTokenInvalid, RefreshTokenInvalid, RefreshTokenReused
from wallet.tables import WalletAccessToken, WalletRefreshToken, WalletTokenFamily

ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
ACCESS_PREFIX = "tat_"
REFRESH_PREFIX = "trt_"


class Authenticator(Protocol):
    """Establishes who is logging in; returns the holder id or raises a 401/429 WalletError.

    Sessions depend on this protocol, not on the accounts module that implements it
    (``wallet.accounts.PasswordAuthenticator``): accounts import tokens, never the reverse.
    """

    def authenticate(self, session: Session, *, now: datetime) -> str: ...


@dataclass(frozen=True)
class TokenPair:
    """What a login or refresh hands out (shown once; only hashes are kept)."""

    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type, not a secret


MAX_SESSIONS = 50
"""Sessions (token families: API logins and browser sessions) one person keeps; the oldest ends
when a new one would exceed it, so repeated logins cannot grow the token tables without end."""


def start_family(session: Session, *, holder_id: str, now: datetime) -> str:
    """A new session (token family) for ``holder_id``, ending the oldest beyond
    :data:`MAX_SESSIONS` (their tokens are deleted at once); no commit."""
    family_id = f"tfm_{secrets.token_hex(16)}"
    session.add(WalletTokenFamily(id=family_id, holder_id=holder_id, created_at=now))
    session.flush()
    table = WalletTokenFamily
    beyond = session.exec(
        select(table.id)
        .where(col(table.holder_id) == holder_id, col(table.revoked_at).is_(None))
        .order_by(col(table.created_at).desc(), col(table.id).desc())
        .offset(MAX_SESSIONS)
    ).all()
    if beyond:
        for tokens in (WalletAccessToken, WalletRefreshToken):
            session.execute(
                delete(tokens)
                .where(col(tokens.family_id).in_(beyond))
                .execution_options(synchronize_session=False)
            )
        session.execute(
            update(table)
            .where(col(table.id).in_(beyond))
            .values(revoked_at=now)
            .execution_options(synchronize_session=False)
        )
    return family_id


def issue_tokens(
    session: Session, *, holder_id: str, now: datetime, family_id: str | None = None
) -> TokenPair:
    """Create an access and a refresh token (in a new family unless one is given; no commit)."""
    if family_id is None:
        family_id = start_family(session, holder_id=holder_id, now=now)
    access = ACCESS_PREFIX + secrets.token_urlsafe(32)
    refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
    session.add(
        WalletAccessToken(
            token_hash=hash_secret(access),
            family_id=family_id,
            holder_id=holder_id,
            expires_at=now + ACCESS_TOKEN_LIFETIME,
        )
    )
    session.add(
        WalletRefreshToken(
            token_hash=hash_secret(refresh),
            family_id=family_id,
            holder_id=holder_id,
            expires_at=now + REFRESH_TOKEN_LIFETIME,
        )
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=int(ACCESS_TOKEN_LIFETIME.total_seconds()),
        refresh_expires_in=int(REFRESH_TOKEN_LIFETIME.total_seconds()),
    )


def login(session: Session, *, authenticator: Authenticator, now: datetime) -> TokenPair:
    """Start a session for whoever ``authenticator`` vouches for.

    Raises what the authenticator raises (401 :class:`~wallet.errors.AuthenticationFailed`,
    429 :class:`~wallet.errors.LoginThrottled`).
    """
    now = require_aware(now)
    holder_id = authenticator.authenticate(session, now=now)
    tokens = issue_tokens(session, holder_id=holder_id, now=now)
    session.commit()
    return tokens


def _revoke_family(session: Session, family_id: str, now: datetime) -> None:
    session.execute(
        update(WalletTokenFamily)
        .where(col(WalletTokenFamily.id) == family_id, col(WalletTokenFamily.revoked_at).is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )


def refresh_tokens(session: Session, *, refresh_token: str, now: datetime) -> TokenPair:
    """Rotate ``refresh_token``: it is spent and a new pair of the same family is issued.

    Raises :class:`RefreshTokenInvalid` for an unknown, expired or revoked token and
    :class:`RefreshTokenReused` (after revoking the whole family) for one already rotated.
    """
    now = require_aware(now)
    if not refresh_token.startswith(REFRESH_PREFIX):
        raise RefreshTokenInvalid("The refresh token is not valid.")
    row = session.get(WalletRefreshToken, hash_secret(refresh_token))
    if row is None:
        raise RefreshTokenInvalid("The refresh token is not valid.")
    family = session.get(WalletTokenFamily, row.family_id)
    if family is None or family.revoked_at is not None:
        raise RefreshTokenInvalid("The session has ended; log in again.")
    if row.rotated_at is None and as_utc(row.expires_at) <= now:
        raise RefreshTokenInvalid("The refresh token has expired; log in again.")
    spend = session.execute(
        update(WalletRefreshToken)
        .where(
            col(WalletRefreshToken.token_hash) == row.token_hash,
            col(WalletRefreshToken.rotated_at).is_(None),
        )
        .values(rotated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    if spend.rowcount != 1:  # type: ignore[attr-defined]
        # Already rotated (now or by a concurrent request): a copy is in someone's hands.
        _revoke_family(session, row.family_id, now)
        session.commit()
        raise RefreshTokenReused("The refresh token was used before; log in again.")
    tokens = issue_tokens(session, holder_id=row.holder_id, now=now, family_id=row.family_id)
    session.commit()
    return tokens


def authenticate_access(session: Session, *, access_token: str, now: datetime) -> str:
    """The holder id of a live access token.

    Raises :class:`AccessTokenInvalid` for an unknown, expired or revoked token.
    """
    now = require_aware(now)
    if not access_token.startswith(ACCESS_PREFIX):
        raise AccessTokenInvalid("The access token is not valid.")
    row = session.get(WalletAccessToken, hash_secret(access_token))
    if row is None or as_utc(row.expires_at) <= now:
        raise AccessTokenInvalid("The access token is not valid or has expired.")
    family = session.get(WalletTokenFamily, row.family_id)
    if family is None or family.revoked_at is not None:
        raise AccessTokenInvalid("The session has ended; log in again.")
    return row.holder_id


def logout(session: Session, *, access_token: str, now: datetime) -> None:
    """End the session (token family) of ``access_token``.

    Raises :class:`AccessTokenInvalid` when the token is not live.
    """
    now = require_aware(now)
    authenticate_access(session, access_token=access_token, now=now)
    row = session.get(WalletAccessToken, hash_secret(access_token))
    assert row is not None
    _revoke_family(session, row.family_id, now)
    session.commit()


def purge_expired_tokens(session: Session, *, now: datetime) -> int:
    """Delete access and refresh tokens past their expiry; commits; returns how many.

    Expired tokens are refused anyway (:func:`authenticate_access`, :func:`refresh_tokens`).
    """
    now = require_aware(now)
    removed = 0
    for table in (WalletAccessToken, WalletRefreshToken):
        result = session.execute(
            delete(table)
            .where(col(table.expires_at) <= now)
            .execution_options(synchronize_session=False)
        )
        removed += int(getattr(result, "rowcount", 0))
    session.commit()
    return removed


def purge_ended_sessions(session: Session, *, now: datetime) -> int:
    """Delete sessions (token families) that have no token left; commits; returns how many.

    Run after :func:`purge_expired_tokens`. Only sessions older than the access-token lifetime
    are considered, so a login in progress is never touched.
    """
    cutoff = require_aware(now) - ACCESS_TOKEN_LIFETIME
    family = col(WalletTokenFamily.id)
    result = session.execute(
        delete(WalletTokenFamily)
        .where(col(WalletTokenFamily.created_at) < cutoff)
        .where(~exists().where(col(WalletAccessToken.family_id) == family))
        .where(~exists().where(col(WalletRefreshToken.family_id) == family))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(getattr(result, "rowcount", 0))
