"""Browser sessions of the wallet: a random cookie value, stored only as its SHA-256.

A browser session is one more token family (:mod:`wallet.tokens`) holding one access-token row
whose token has the ``tws_`` prefix and lives 12 hours: so sign-in goes through the same
:class:`~wallet.accounts.Authenticator` as the API, erasing a wallet ends its browser sessions
with everything else, and "sign out everywhere" ends API tokens and browser sessions alike. The
cookie value carries 256 random bits; a copy of the database yields no usable session.
"""

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy import update
from sqlmodel import Session, col

from credentials.clock import as_utc, require_aware
from sealing.secret_hashes import hash_secret
from wallet.errors import AccessTokenInvalid
from wallet.tables import WalletAccessToken, WalletTokenFamily
from wallet.tokens import start_family

if TYPE_CHECKING:
    from wallet.tokens import Authenticator

WEB_SESSION_PREFIX: Final = "tws_"
WEB_SESSION_LIFETIME: Final = timedelta(hours=12)
_MAX_TOKEN_LENGTH: Final = 100


def start_web_session(session: Session, *, authenticator: "Authenticator", now: datetime) -> str:
    """Sign in whoever ``authenticator`` vouches for; return the new session's cookie value.

    Raises what the authenticator raises (401 ``AuthenticationFailed``, 429 ``LoginThrottled``).
    """
    now = require_aware(now)
    holder_id = authenticator.authenticate(session, now=now)
    return open_web_session(session, holder_id=holder_id, now=now)


def open_web_session(session: Session, *, holder_id: str, now: datetime) -> str:
    """Start a browser session for ``holder_id`` (just registered); commits; the cookie value."""
    now = require_aware(now)
    family_id = start_family(session, holder_id=holder_id, now=now)
    token = WEB_SESSION_PREFIX + secrets.token_urlsafe(32)
    session.add(
        WalletAccessToken(
            token_hash=hash_secret(token),
            family_id=family_id,
            holder_id=holder_id,
            expires_at=now + WEB_SESSION_LIFETIME,
        )
    )
    session.commit()
    return token


def web_session_holder(session: Session, *, token: str, now: datetime) -> str:
    """The holder id of a live browser session.

    Raises :class:`AccessTokenInvalid` for an unknown, expired or ended session.
    """
    now = require_aware(now)
    if not token.startswith(WEB_SESSION_PREFIX) or len(token) > _MAX_TOKEN_LENGTH:
        raise AccessTokenInvalid("The session is not valid.")
    row = session.get(WalletAccessToken, hash_secret(token))
    if row is None or as_utc(row.expires_at) <= now:
        raise AccessTokenInvalid("The session is not valid or has expired.")
    family = session.get(WalletTokenFamily, row.family_id)
    if family is None or family.revoked_at is not None:
        raise AccessTokenInvalid("The session has ended.")
    return row.holder_id


def end_web_session(session: Session, *, token: str, now: datetime) -> None:
    """End one browser session (nothing happens for a session that is not live); commits."""
    now = require_aware(now)
    if not token.startswith(WEB_SESSION_PREFIX) or len(token) > _MAX_TOKEN_LENGTH:
        return
    row = session.get(WalletAccessToken, hash_secret(token))
    if row is None:
        return
    session.execute(
        update(WalletTokenFamily)
        .where(
            col(WalletTokenFamily.id) == row.family_id, col(WalletTokenFamily.revoked_at).is_(None)
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    session.commit()


def end_all_sessions(session: Session, *, holder_id: str, now: datetime) -> int:
    """Sign out everywhere: end every browser session and API token family of the holder.

    Commits; returns how many sessions ended.
    """
    now = require_aware(now)
    result = session.execute(
        update(WalletTokenFamily)
        .where(
            col(WalletTokenFamily.holder_id) == holder_id,
            col(WalletTokenFamily.revoked_at).is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
