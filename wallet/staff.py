"""Staff accounts: the people who work for organisations, a realm apart from people's wallets.

A staff account signs in with a username and password through the same
:class:`~wallet.tokens.Authenticator` seam, the same bounded argon2id hashing
(:mod:`wallet.passwords`) and the same login throttling (:mod:`wallet.login_throttle`, its
keys counted under ``staff|<username>`` so a staff login and a person's with the same name never
share a count) as people's wallets. It is never joined to a wallet: its sessions
(:class:`~wallet.tables.StaffSession`, cookie ``tss_``) are its own.

Roles are per organisation (named by slug; the organisation itself lives in ``issuers`` or
``verifiers``, which the caller consults): ``issuer_staff``, ``verifier_staff`` and
``organisation_admin``; ``platform_admin`` is a flag of the account. An organisation admin
invites staff by a one-time link (``tsi_`` + 256 random bits, kept only as its SHA-256, valid
7 days) and removes them.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final, Literal, get_args

from sqlalchemy import delete, update
from sqlmodel import Session, col, func, select

from credentials.clock import as_utc, require_aware
from sealing.secret_hashes import hash_secret, new_bearer_secret
from wallet.account_rules import (
    check_new_password,
    check_username,
    normalize_password,
    normalize_username,
)
from wallet.errors import (
    AccessTokenInvalid,
    AuthenticationFailed,
    StaffInviteInvalid,
    StaffInviteLimitReached,
    StaffMemberNotFound,
    StaffRoleInvalid,
    UsernameUnavailable,
)
from wallet.login_throttle import (
    check_login,
    login_keys,
    record_login_failure,
    record_login_success,
)
from wallet.passwords import PasswordHashing
from wallet.tables import StaffAccount, StaffInvite, StaffMembership, StaffSession

Role = Literal["issuer_staff", "verifier_staff", "organisation_admin"]
ROLES: Final[tuple[Role, ...]] = get_args(Role)
INVITE_PREFIX: Final = "tsi_"
INVITE_LIFETIME: Final = timedelta(days=7)
MAX_OPEN_INVITES: Final = 100
MAX_STAFF_SESSIONS: Final = 20
SESSION_PREFIX: Final = "tss_"
SESSION_LIFETIME: Final = timedelta(hours=8)
_MAX_TOKEN_LENGTH: Final = 100


@dataclass(frozen=True)
class StaffMember:
    """A signed-in staff account and its roles, by organisation slug."""

    id: str
    username: str
    name: str
    platform_admin: bool
    roles: dict[str, frozenset[str]] = field(default_factory=dict)

    def has_role(self, organisation: str, *roles: str) -> bool:
        """Whether the member holds one of ``roles`` in ``organisation``."""
        return bool(self.roles.get(organisation, frozenset()) & set(roles))


@dataclass(frozen=True)
class CreatedInvite:
    """An invitation: its token, shown once (in the link), and when it ends."""

    id: str
    token: str
    expires_at: datetime


def _role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise StaffRoleInvalid(f"the role must be one of: {', '.join(ROLES)}")


def _name(name: str) -> str:
    name = name.strip()
    if not 0 < len(name) <= 200 or any(ord(c) < 0x20 for c in name):
        raise StaffRoleInvalid("the name must be 1 to 200 printable characters")
    return name


def _new_account(
    session: Session,
    *,
    username: str,
    password: str,
    name: str,
    hashing: PasswordHashing,
    platform_admin: bool,
    now: datetime,
) -> StaffAccount:
    normalized = check_username(username)
    secret = check_new_password(password, username=normalized)
    password_hash = hashing.hash(secret)  # first, so a taken name costs the same work
    taken = session.exec(
        select(StaffAccount.id).where(col(StaffAccount.username) == normalized)
    ).first()
    if taken is not None:
        raise UsernameUnavailable("This username cannot be used. Choose another one.")
    account = StaffAccount(
        id="stf_" + secrets.token_hex(16),
        username=normalized,
        name=_name(name),
        password_hash=password_hash,
        platform_admin=platform_admin,
        created_at=require_aware(now),
    )
    session.add(account)
    session.flush()
    return account


def create_staff_account(
    session: Session,
    *,
    username: str,
    password: str,
    name: str,
    hashing: PasswordHashing,
    now: datetime,
    organisation: str | None = None,
    role: str | None = None,
    platform_admin: bool = False,
) -> str:
    """Create a staff account (an operator's act), with one role if given; commits; its id.

    Raises :class:`UsernameUnavailable` (409), the username and password rules' errors (422),
    :class:`StaffRoleInvalid` (422) and :class:`~wallet.errors.AuthenticationBusy` (503).
    """
    chosen = None if role is None else _role(role)
    account = _new_account(
        session,
        username=username,
        password=password,
        name=name,
        hashing=hashing,
        platform_admin=platform_admin,
        now=now,
    )
    if organisation is not None and chosen is not None:
        session.add(StaffMembership(account_id=account.id, organisation=organisation, role=chosen))
    session.commit()
    return account.id


def invite_staff(session: Session, *, organisation: str, role: str, now: datetime) -> CreatedInvite:
    """A one-time link's token to join ``organisation`` as ``role``; commits.

    Raises :class:`StaffRoleInvalid` and :class:`StaffInviteLimitReached` (409) at
    :data:`MAX_OPEN_INVITES` unused, unexpired invitations.
    """
    now = require_aware(now)
    chosen = _role(role)
    open_invites = session.exec(
        select(func.count()).where(
            col(StaffInvite.organisation) == organisation,
            col(StaffInvite.used_at).is_(None),
            col(StaffInvite.expires_at) > now,
        )
    ).one()
    if open_invites >= MAX_OPEN_INVITES:
        raise StaffInviteLimitReached(
            f"An organisation has at most {MAX_OPEN_INVITES} open invitations at once."
        )
    token = new_bearer_secret(INVITE_PREFIX)
    invite = StaffInvite(
        id="sin_" + secrets.token_hex(12),
        token_hash=hash_secret(token),
        organisation=organisation,
        role=chosen,
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    session.add(invite)
    session.commit()
    return CreatedInvite(id=invite.id, token=token, expires_at=invite.expires_at)


def purge_spent_invites(session: Session, *, now: datetime) -> int:
    """Delete invitations used or expired a day ago or more; commits; returns how many."""
    cutoff = require_aware(now) - timedelta(days=1)
    result = session.execute(
        delete(StaffInvite)
        .where((col(StaffInvite.expires_at) < cutoff) | (col(StaffInvite.used_at) < cutoff))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(getattr(result, "rowcount", 0))


def open_invite(session: Session, *, token: str, now: datetime) -> tuple[str, Role]:
    """The organisation and role an unused, unexpired invitation is for.

    Raises :class:`StaffInviteInvalid` (410) for an unknown, used or expired one alike.
    """
    invite = _usable_invite(session, token, require_aware(now))
    return invite.organisation, _role(invite.role)


def _usable_invite(session: Session, token: str, now: datetime) -> StaffInvite:
    if not token.startswith(INVITE_PREFIX) or len(token) > _MAX_TOKEN_LENGTH:
        raise StaffInviteInvalid("This invitation link is not valid.")
    invite = session.exec(
        select(StaffInvite).where(col(StaffInvite.token_hash) == hash_secret(token))
    ).first()
    if invite is None or invite.used_at is not None or as_utc(invite.expires_at) <= now:
        raise StaffInviteInvalid("This invitation link is not valid.")
    return invite


def accept_invite(
    session: Session,
    *,
    token: str,
    username: str,
    password: str,
    name: str,
    hashing: PasswordHashing,
    now: datetime,
) -> str:
    """Create the invited person's staff account with the invitation's role; commits; its id.

    The invitation is spent by a conditional update, so of two acceptances only one succeeds.
    Raises :class:`StaffInviteInvalid` (410) and what :func:`create_staff_account` raises.
    """
    now = require_aware(now)
    invite = _usable_invite(session, token, now)
    account = _new_account(
        session,
        username=username,
        password=password,
        name=name,
        hashing=hashing,
        platform_admin=False,
        now=now,
    )
    spent = session.execute(
        update(StaffInvite)
        .where(col(StaffInvite.id) == invite.id, col(StaffInvite.used_at).is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise StaffInviteInvalid("This invitation link is not valid.")
    session.add(
        StaffMembership(account_id=account.id, organisation=invite.organisation, role=invite.role)
    )
    session.commit()
    return account.id


def list_staff(session: Session, *, organisation: str) -> tuple[tuple[StaffMember, str], ...]:
    """The organisation's staff and each one's role there, by name."""
    rows = session.exec(
        select(StaffAccount, StaffMembership.role)
        .join(StaffMembership, col(StaffMembership.account_id) == col(StaffAccount.id))
        .where(col(StaffMembership.organisation) == organisation)
        .order_by(col(StaffAccount.name), col(StaffMembership.role))
    ).all()
    return tuple(
        (StaffMember(a.id, a.username, a.name, a.platform_admin), role) for a, role in rows
    )


def remove_staff(session: Session, *, organisation: str, account_id: str) -> None:
    """Take every role in ``organisation`` from the account; commits.

    Raises :class:`StaffMemberNotFound` when it has none there.
    """
    removed = session.execute(
        delete(StaffMembership).where(
            col(StaffMembership.organisation) == organisation,
            col(StaffMembership.account_id) == account_id,
        )
    )
    if removed.rowcount == 0:  # type: ignore[attr-defined]
        session.rollback()
        raise StaffMemberNotFound("the organisation has no such staff member")
    session.commit()


@dataclass(frozen=True)
class StaffPasswordAuthenticator:
    """Staff username and password sign-in: argon2id, throttled, never locked out."""

    username: str
    password: str = field(repr=False)
    kek: bytes = field(repr=False)
    hashing: PasswordHashing
    client: str

    def authenticate(self, session: Session, *, now: datetime) -> str:
        """The staff account id of a correct username and password.

        Raises :class:`AuthenticationFailed` (401, the same after the same work for an unknown
        username), :class:`~wallet.errors.LoginThrottled` (429) and
        :class:`~wallet.errors.AuthenticationBusy` (503).
        """
        now = require_aware(now)
        username = normalize_username(self.username)
        keys = login_keys(self.kek, username=f"staff|{username}", client=self.client)
        check_login(session, keys, now=now)
        account = session.exec(
            select(StaffAccount).where(col(StaffAccount.username) == username)
        ).first()
        session.commit()  # no transaction is held while the hash runs
        stored = account.password_hash if account is not None else None
        if account is None or not self.hashing.verify(stored, normalize_password(self.password)):
            record_login_failure(session, keys, now=now)
            raise AuthenticationFailed("The username or password is not correct.")
        record_login_success(session, keys, now=now)
        return account.id


def start_staff_session(
    session: Session, *, authenticator: StaffPasswordAuthenticator, now: datetime
) -> str:
    """Sign a staff member in; commits; the session cookie's value.

    Raises what the authenticator raises.
    """
    now = require_aware(now)
    account_id = authenticator.authenticate(session, now=now)
    token = new_bearer_secret(SESSION_PREFIX)
    session.add(
        StaffSession(
            token_hash=hash_secret(token), account_id=account_id, expires_at=now + SESSION_LIFETIME
        )
    )
    session.flush()
    # Signing in again and again cannot grow the table: beyond the newest MAX_STAFF_SESSIONS,
    # the oldest sessions end (their rows go).
    beyond = session.exec(
        select(StaffSession.token_hash)
        .where(col(StaffSession.account_id) == account_id)
        .order_by(col(StaffSession.expires_at).desc(), col(StaffSession.token_hash))
        .offset(MAX_STAFF_SESSIONS)
    ).all()
    if beyond:
        session.execute(
            delete(StaffSession)
            .where(col(StaffSession.token_hash).in_(beyond))
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return token


def purge_staff_sessions(session: Session, *, now: datetime) -> int:
    """Delete staff sessions that expired or were ended; commits; returns how many."""
    now = require_aware(now)
    result = session.execute(
        delete(StaffSession)
        .where((col(StaffSession.expires_at) <= now) | col(StaffSession.ended_at).is_not(None))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(getattr(result, "rowcount", 0))


def staff_member(session: Session, *, token: str, now: datetime) -> StaffMember:
    """The staff member of a live session, with their roles.

    Raises :class:`AccessTokenInvalid` for an unknown, expired or ended session.
    """
    if not token.startswith(SESSION_PREFIX) or len(token) > _MAX_TOKEN_LENGTH:
        raise AccessTokenInvalid("The session is not valid.")
    row = session.get(StaffSession, hash_secret(token))
    if row is None or row.ended_at is not None or as_utc(row.expires_at) <= require_aware(now):
        raise AccessTokenInvalid("The session is not valid.")
    account = session.get(StaffAccount, row.account_id)
    if account is None:
        raise AccessTokenInvalid("The session is not valid.")
    roles: dict[str, set[str]] = {}
    for membership in session.exec(
        select(StaffMembership).where(col(StaffMembership.account_id) == account.id)
    ).all():
        roles.setdefault(membership.organisation, set()).add(membership.role)
    return StaffMember(
        id=account.id,
        username=account.username,
        name=account.name,
        platform_admin=account.platform_admin,
        roles={org: frozenset(held) for org, held in roles.items()},
    )


def end_staff_session(session: Session, *, token: str, now: datetime) -> None:
    """End this browser's staff session (nothing happens for an unknown one); commits."""
    session.execute(
        update(StaffSession)
        .where(
            col(StaffSession.token_hash) == hash_secret(token[:_MAX_TOKEN_LENGTH]),
            col(StaffSession.ended_at).is_(None),
        )
        .values(ended_at=require_aware(now))
        .execution_options(synchronize_session=False)
    )
    session.commit()
