"""Re-authentication: the password again before the wallet's most dangerous actions (issue 12).

An access token lives 15 minutes and may be stolen (a shared computer, a leaked log, a script
in the page). It must not be enough to carry the wallet away or destroy it, so exporting (the
holder's private keys leave), erasing and changing the password each take the password again,
in the same request (NIST SP 800-63B §4.2.3 / OWASP ASVS V2.1 re-authentication before
sensitive operations). The password is checked exactly as at login, by
:class:`~wallet.accounts.PasswordAuthenticator`: a wrong one counts towards the same account
lock, so a stolen token cannot be used to guess the password either.

A password change ends every session of the holder and returns a fresh token pair for the one
making the change.
"""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from credentials.clock import require_aware
from wallet.account_rules import check_new_password, normalize_username
from wallet.accounts import PasswordAuthenticator
from wallet.activity import ActivityKind, append_activity
from wallet.errors import AuthenticationFailed, ReauthenticationFailed, WalletNotFound
from wallet.passwords import PasswordHashing
from wallet.tables import WalletHolder, WalletTokenFamily
from wallet.tokens import TokenPair, issue_tokens
from wallet.vault import open_vault


def _username(session: Session, holder: WalletHolder, kek: bytes) -> str:
    vault = open_vault(session, holder_id=holder.id, kek=kek)
    profile = vault.open(holder.sealed_profile, purpose="profile", row_id="profile")
    assert isinstance(profile, dict) and isinstance(profile.get("username"), str)
    return str(profile["username"])


def confirm_password(
    session: Session,
    *,
    holder_id: str,
    password: str,
    kek: bytes,
    hashing: PasswordHashing,
    client: str,
    now: datetime,
) -> None:
    """Check the holder's password again, as a login does (the caller commits its work).

    Raises :class:`ReauthenticationFailed` (403) for a wrong password (counted towards the
    account lock), :class:`~wallet.errors.LoginThrottled` (429) while the account is locked and
    :class:`WalletNotFound` (404).
    """
    now = require_aware(now)
    holder = session.get(WalletHolder, holder_id)
    if holder is None:
        raise WalletNotFound("the wallet does not exist")
    username = _username(session, holder, kek)
    try:
        confirmed = PasswordAuthenticator(username, password, kek, hashing, client).authenticate(
            session, now=now
        )
    except AuthenticationFailed:
        raise ReauthenticationFailed("The password is not correct.") from None
    if confirmed != holder_id:
        raise ReauthenticationFailed("The password is not correct.")


def change_password(
    session: Session,
    *,
    holder_id: str,
    current_password: str,
    new_password: str,
    kek: bytes,
    hashing: PasswordHashing,
    client: str,
    now: datetime,
) -> TokenPair:
    """Change the password after confirming the current one; every session ends.

    Returns a new token pair for the caller. Raises as :func:`confirm_password`, and
    :class:`~wallet.errors.PasswordRejected` (422) for a new password that breaks the rules.
    Nothing changes on any error.
    """
    now = require_aware(now)
    confirm_password(
        session,
        holder_id=holder_id,
        password=current_password,
        kek=kek,
        hashing=hashing,
        client=client,
        now=now,
    )
    holder = session.get(WalletHolder, holder_id)
    assert holder is not None
    secret = check_new_password(
        new_password, username=normalize_username(_username(session, holder, kek))
    )
    holder.password_hash = hashing.hash(secret)
    session.add(holder)
    session.execute(
        update(WalletTokenFamily)
        .where(
            col(WalletTokenFamily.holder_id) == holder_id,
            col(WalletTokenFamily.revoked_at).is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    append_activity(
        session,
        vault=open_vault(session, holder_id=holder_id, kek=kek),
        kind=ActivityKind.PASSWORD_CHANGED,
        details={},
        kek=kek,
        now=now,
    )
    tokens = issue_tokens(session, holder_id=holder_id, now=now)
    session.commit()
    return tokens
