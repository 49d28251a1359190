"""Staff accounts: sign-in through the same hashing and throttling, roles, invitations."""

import contextlib
from datetime import timedelta

import pytest
from sqlmodel import Session

from tests.service.test_wallet_support import FAST_HASHING, KEK, NOW
from wallet.errors import (
    AccessTokenInvalid,
    AuthenticationFailed,
    LoginThrottled,
    PasswordTooCommon,
    StaffInviteInvalid,
    StaffMemberNotFound,
    StaffRoleInvalid,
    UsernameUnavailable,
)
from wallet.staff import (
    INVITE_LIFETIME,
    StaffPasswordAuthenticator,
    accept_invite,
    create_staff_account,
    end_staff_session,
    invite_staff,
    list_staff,
    open_invite,
    remove_staff,
    staff_member,
    start_staff_session,
)

PASSWORD = "opintotoimisto kevät 2026"


def _sign_in(session: Session, username: str, password: str = PASSWORD) -> str:
    authenticator = StaffPasswordAuthenticator(username, password, KEK, FAST_HASHING, "10.0.0.1")
    return start_staff_session(session, authenticator=authenticator, now=NOW)


def test_staff_sign_in_and_see_only_their_own_roles(session: Session) -> None:
    create_staff_account(
        session,
        username="Liisa.Opinto",
        password=PASSWORD,
        name="Liisa Opinto",
        hashing=FAST_HASHING,
        now=NOW,
        organisation="college",
        role="issuer_staff",
    )
    member = staff_member(session, token=_sign_in(session, "liisa.opinto"), now=NOW)
    assert member.name == "Liisa Opinto"
    assert member.has_role("college", "issuer_staff")
    assert not member.has_role("college", "organisation_admin")
    assert not member.has_role("employer", "issuer_staff", "verifier_staff")


def test_a_wrong_password_fails_like_an_unknown_name_and_is_throttled(session: Session) -> None:
    create_staff_account(
        session, username="pekka", password=PASSWORD, name="Pekka", hashing=FAST_HASHING, now=NOW
    )
    for username in ("pekka", "nobody"):
        with pytest.raises(AuthenticationFailed):
            _sign_in(session, username, "wrong password here")
    for _ in range(6):
        with contextlib.suppress(AuthenticationFailed, LoginThrottled):
            _sign_in(session, "pekka", "still wrong password")
    with pytest.raises(LoginThrottled):
        _sign_in(session, "pekka")


def test_a_session_ends_at_sign_out(session: Session) -> None:
    create_staff_account(
        session, username="outi", password=PASSWORD, name="Outi", hashing=FAST_HASHING, now=NOW
    )
    token = _sign_in(session, "outi")
    end_staff_session(session, token=token, now=NOW)
    with pytest.raises(AccessTokenInvalid):
        staff_member(session, token=token, now=NOW)
    with pytest.raises(AccessTokenInvalid):
        staff_member(session, token="tss_made-up", now=NOW)


def test_the_username_and_password_rules_apply_and_names_are_unique(session: Session) -> None:
    with pytest.raises(PasswordTooCommon):
        create_staff_account(
            session,
            username="ville",
            password="password123",
            name="V",
            hashing=FAST_HASHING,
            now=NOW,
        )
    create_staff_account(
        session, username="ville", password=PASSWORD, name="Ville", hashing=FAST_HASHING, now=NOW
    )
    with pytest.raises(UsernameUnavailable):
        create_staff_account(
            session, username="VILLE", password=PASSWORD, name="V", hashing=FAST_HASHING, now=NOW
        )
    with pytest.raises(StaffRoleInvalid):
        invite_staff(session, organisation="college", role="superuser", now=NOW)


def test_an_invitation_link_works_once_and_gives_its_role(session: Session) -> None:
    invite = invite_staff(session, organisation="employer", role="verifier_staff", now=NOW)
    assert open_invite(session, token=invite.token, now=NOW) == ("employer", "verifier_staff")
    account = accept_invite(
        session,
        token=invite.token,
        username="rekry",
        password=PASSWORD,
        name="Rekry Henkilö",
        hashing=FAST_HASHING,
        now=NOW,
    )
    assert [(m.id, role) for m, role in list_staff(session, organisation="employer")] == [
        (account, "verifier_staff")
    ]
    with pytest.raises(StaffInviteInvalid):
        open_invite(session, token=invite.token, now=NOW)
    with pytest.raises(StaffInviteInvalid):
        accept_invite(
            session,
            token=invite.token,
            username="toinen",
            password=PASSWORD,
            name="Toinen",
            hashing=FAST_HASHING,
            now=NOW,
        )


def test_an_expired_invitation_is_refused_like_an_unknown_one(session: Session) -> None:
    invite = invite_staff(session, organisation="employer", role="verifier_staff", now=NOW)
    later = NOW + INVITE_LIFETIME + timedelta(seconds=1)
    for token in (invite.token, "tsi_unknown"):
        with pytest.raises(StaffInviteInvalid):
            open_invite(session, token=token, now=later)


def test_a_removed_member_loses_the_role_at_once(session: Session) -> None:
    account = create_staff_account(
        session,
        username="tiina",
        password=PASSWORD,
        name="Tiina",
        hashing=FAST_HASHING,
        now=NOW,
        organisation="college",
        role="issuer_staff",
    )
    token = _sign_in(session, "tiina")
    remove_staff(session, organisation="college", account_id=account)
    assert not staff_member(session, token=token, now=NOW).has_role("college", "issuer_staff")
    with pytest.raises(StaffMemberNotFound):
        remove_staff(session, organisation="college", account_id=account)
