"""Export, erase and password change take the password again; exports are encrypted (issue 12)."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from tests.service.test_wallet_support import (
    BASE_URL,
    CLAIM_VALUES,
    FAST_HASHING,
    KEK,
    NOW,
    IssuerFixture,
    PinnedChecker,
    committed_session,
    holder_jwk,
    qualification_claims,
    register_holder,
)
from wallet.accounts import PasswordAuthenticator
from wallet.activity import ActivityKind, list_activity
from wallet.credentials import receive_credential
from wallet.erasure import erase_wallet
from wallet.errors import (
    AccessTokenInvalid,
    AuthenticationFailed,
    ExportPassphraseWrong,
    ImportInvalid,
    LoginThrottled,
    PassphraseRejected,
    ReauthenticationFailed,
)
from wallet.export_encryption import decrypt_export
from wallet.holder_keys import holder_private_jwks
from wallet.portability import export_wallet, import_wallet
from wallet.reauthentication import change_password
from wallet.tables import WalletCredential, WalletHolderKey
from wallet.tokens import authenticate_access, login

UNI = IssuerFixture("uni", "Haaga-Helia ammattikorkeakoulu")
PASSWORD = "correct horse battery staple"
PASSPHRASE = "my own export passphrase"

CLIENT = "192.0.2.10"


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _wallet(session: Session, username: str = "maija@example.fi") -> str:
    holder = register_holder(session, username).holder_id
    receive_credential(
        session,
        holder_id=holder,
        credential=UNI.issue("qualification", qualification_claims(), holder_jwk(session, holder)),
        verify=PinnedChecker([UNI]),
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    return holder


def _export(
    session: Session, holder: str, *, password: str = PASSWORD, passphrase: str = PASSPHRASE
) -> dict[str, Any]:
    envelope = export_wallet(
        session,
        holder_id=holder,
        password=password,
        passphrase=passphrase,
        kek=KEK,
        hashing=FAST_HASHING,
        client=CLIENT,
        base_url=BASE_URL,
        now=NOW,
    )
    return dict(json.loads(json.dumps(envelope)))


def _import(session: Session, holder: str, envelope: dict[str, Any], passphrase: str) -> object:
    return import_wallet(
        session,
        holder_id=holder,
        export=envelope,
        passphrase=passphrase,
        verify=PinnedChecker([UNI]),
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )


def _kinds(session: Session, holder: str) -> list[ActivityKind]:
    return [e.kind for e in list_activity(session, holder_id=holder, kek=KEK)]


def test_the_export_shows_no_claim_and_no_private_key_without_the_passphrase(
    session: Session,
) -> None:
    holder = _wallet(session)
    (private_jwk,) = holder_private_jwks(session, holder_id=holder, kek=KEK)
    envelope = _export(session, holder)
    text = json.dumps(envelope)
    assert [value for value in CLAIM_VALUES if value in text] == []
    assert str(private_jwk["d"]) not in text
    assert envelope["kdf"] == {**envelope["kdf"], "name": "argon2id", "iterations": 1}
    assert envelope["cipher"]["name"] == "A256GCM"
    opened = decrypt_export(envelope, passphrase=PASSPHRASE)
    assert opened["holder_keys"] == [private_jwk]
    assert len(opened["credentials"]) == 1


def test_an_export_with_a_wrong_password_is_refused_and_nothing_is_logged(
    session: Session,
) -> None:
    holder = _wallet(session)
    with pytest.raises(ReauthenticationFailed) as caught:
        _export(session, holder, password="not my password at all")
    assert caught.value.status == 403 and caught.value.code == "reauthentication_failed"
    assert ActivityKind.WALLET_EXPORTED not in _kinds(session, holder)


def test_wrong_passwords_given_to_export_count_towards_the_account_lock(session: Session) -> None:
    holder = _wallet(session)
    for _ in range(5):
        with pytest.raises(ReauthenticationFailed):
            _export(session, holder, password="guessing the password")
    with pytest.raises(LoginThrottled):
        _export(session, holder)


@pytest.mark.parametrize("passphrase", ["too short", " " * 20, PASSWORD])
def test_a_weak_passphrase_or_the_password_itself_is_refused(
    session: Session, passphrase: str
) -> None:
    holder = _wallet(session)
    with pytest.raises(PassphraseRejected) as caught:
        _export(session, holder, passphrase=passphrase)
    assert caught.value.status == 422
    assert ActivityKind.WALLET_EXPORTED not in _kinds(session, holder)


def test_erasing_with_a_wrong_password_erases_nothing(session: Session) -> None:
    holder = _wallet(session)
    with pytest.raises(ReauthenticationFailed):
        erase_wallet(
            session,
            holder_id=holder,
            password="wrong password!",
            kek=KEK,
            hashing=FAST_HASHING,
            client=CLIENT,
            now=NOW,
        )
    assert session.exec(select(func.count()).select_from(WalletCredential)).one() == 1


def test_an_import_with_a_wrong_passphrase_changes_nothing(session: Session) -> None:
    envelope = _export(session, _wallet(session))
    newcomer = register_holder(session, "newcomer@example.fi").holder_id
    keys_before = session.exec(select(func.count()).select_from(WalletHolderKey)).one()
    with pytest.raises(ExportPassphraseWrong) as caught:
        _import(session, newcomer, envelope, "not the passphrase")
    assert caught.value.status == 422
    assert session.exec(select(func.count()).select_from(WalletHolderKey)).one() == keys_before
    assert session.exec(select(func.count()).select_from(WalletCredential)).one() == 1
    assert _kinds(session, newcomer) == [ActivityKind.ACCOUNT_CREATED]


def test_an_export_whose_parameters_were_altered_does_not_open(session: Session) -> None:
    envelope = _export(session, _wallet(session))
    newcomer = register_holder(session, "newcomer@example.fi").holder_id
    altered = {**envelope, "kdf": {**envelope["kdf"], "iterations": 2}}
    with pytest.raises(ExportPassphraseWrong):
        _import(session, newcomer, altered, PASSPHRASE)
    costly = {**envelope, "kdf": {**envelope["kdf"], "memory_kib": 4 * 1024 * 1024}}
    with pytest.raises(ImportInvalid):
        _import(session, newcomer, costly, PASSPHRASE)


def test_a_password_change_needs_the_current_password_and_ends_every_session(
    session: Session,
) -> None:
    registration = register_holder(session)
    holder = registration.holder_id
    with pytest.raises(ReauthenticationFailed):
        change_password(
            session,
            holder_id=holder,
            current_password="not the password",
            new_password="a brand new password",
            kek=KEK,
            hashing=FAST_HASHING,
            client=CLIENT,
            now=NOW,
        )
    authenticate_access(session, access_token=registration.tokens.access_token, now=NOW)
    fresh = change_password(
        session,
        holder_id=holder,
        current_password=PASSWORD,
        new_password="a brand new password",
        kek=KEK,
        hashing=FAST_HASHING,
        client=CLIENT,
        now=NOW,
    )
    with pytest.raises(AccessTokenInvalid):
        authenticate_access(session, access_token=registration.tokens.access_token, now=NOW)
    assert authenticate_access(session, access_token=fresh.access_token, now=NOW) == holder
    old = PasswordAuthenticator("maija@example.fi", PASSWORD, KEK, FAST_HASHING, CLIENT)
    with pytest.raises(AuthenticationFailed):
        login(session, authenticator=old, now=NOW)
    new = PasswordAuthenticator(
        "maija@example.fi", "a brand new password", KEK, FAST_HASHING, CLIENT
    )
    login(session, authenticator=new, now=NOW)
    assert ActivityKind.PASSWORD_CHANGED in _kinds(session, holder)
