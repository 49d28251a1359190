"""Rows an organisation or a person can add without end are bounded: past the bound a 409
problem, and nothing is stored (issue 12, "Bound every stored item")."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from issuers import offers
from issuers.errors import OfferLimitReached
from issuers.tables import IssuerOffer
from tests.service.test_issuers_support import (
    BASE_URL,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
)
from tests.service.test_verifiers_requests import World, ask
from tests.service.test_verifiers_requests import world as world
from tests.service.test_verifiers_support import BASE, NOW, QUALIFICATION
from tests.service.test_wallet_shares import _create, _holder_with_credential, _spec
from tests.service.test_wallet_staff import PASSWORD as STAFF_PASSWORD
from tests.service.test_wallet_support import BASE_URL as WALLET_BASE
from tests.service.test_wallet_support import FAST_HASHING, KEK, register_holder
from verifiers import presentation_requests
from verifiers.errors import RequestLimitReached
from verifiers.presentation_requests import create_request
from verifiers.tables import VerifierRequest
from wallet import staff, tokens
from wallet.errors import AccessTokenInvalid, RefreshTokenInvalid, StaffInviteLimitReached
from wallet.shares import creation
from wallet.shares.records import list_shares, withdraw_share
from wallet.tables import StaffInvite, WalletAccessToken

ISSUER_KEK = new_kek()
FORM = [{"type": QUALIFICATION, "claims": ["title"]}]


def _requests(session: Session, verifier_id: str) -> int:
    statement = select(func.count()).where(col(VerifierRequest.verifier_id) == verifier_id)
    return session.exec(statement).one()


def test_a_verifier_past_its_open_requests_is_refused_until_some_expire(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(presentation_requests, "MAX_OPEN_REQUESTS", 3)
    for _ in range(3):
        ask(world, FORM)
    with pytest.raises(RequestLimitReached) as refused:
        ask(world, FORM)
    assert (refused.value.status, refused.value.code) == (409, "verifier_request_limit_reached")
    assert _requests(world.session, world.verifier.id) == 3
    # An hour later the three have expired: the verifier may ask again.
    later = create_request(
        world.session,
        verifier=world.verifier,
        dcql_query=None,
        form=FORM,
        purpose="Again.",
        expires_in=timedelta(hours=1),
        language="en",
        base_url=BASE,
        now=NOW + timedelta(hours=1, seconds=1),
    )
    assert later.id.startswith("req_")


def test_an_issuer_past_its_unredeemed_offers_is_refused_and_nothing_is_kept(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(offers, "MAX_OPEN_OFFERS", 2)
    issuer = make_issuer(session, ISSUER_KEK).account
    request = replace(request_for("competence", holder_key().public), holder=None)

    def offer(key: str, now: datetime = NOW) -> None:
        offers.create_offer(
            session,
            issuer=issuer,
            request=request,
            idempotency_key=key,
            kek=ISSUER_KEK,
            base_url=BASE_URL,
            now=now,
        )

    offer("one")
    offer("two")
    with pytest.raises(OfferLimitReached) as refused:
        offer("three")
    assert (refused.value.status, refused.value.code) == (409, "offer_limit_reached")
    kept = select(func.count()).where(col(IssuerOffer.issuer_id) == issuer.id)
    assert session.exec(kept).one() == 2
    offer("three", NOW + offers.OFFER_LIFETIME + timedelta(seconds=1))


def test_an_organisation_past_its_open_invitations_is_refused_and_spent_ones_are_purged(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staff, "MAX_OPEN_INVITES", 2)
    for _ in range(2):
        staff.invite_staff(session, organisation="college", role="issuer_staff", now=NOW)
    with pytest.raises(StaffInviteLimitReached) as refused:
        staff.invite_staff(session, organisation="college", role="issuer_staff", now=NOW)
    assert (refused.value.status, refused.value.code) == (409, "staff_invite_limit_reached")
    invites = select(func.count()).where(col(StaffInvite.organisation) == "college")
    assert session.exec(invites).one() == 2
    # Another organisation is not held back; expired invitations no longer count, and are purged.
    staff.invite_staff(session, organisation="employer", role="verifier_staff", now=NOW)
    later = NOW + staff.INVITE_LIFETIME + timedelta(days=1, seconds=1)
    staff.invite_staff(session, organisation="college", role="issuer_staff", now=later)
    assert staff.purge_spent_invites(session, now=later) == 3
    assert session.exec(invites).one() == 1


def test_a_persons_oldest_session_ends_when_a_new_one_would_exceed_the_bound(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "MAX_SESSIONS", 3)
    holder = register_holder(session).holder_id
    pairs = [
        tokens.issue_tokens(session, holder_id=holder, now=NOW + timedelta(seconds=n))
        for n in range(1, 6)
    ]
    session.commit()
    live = []
    for pair in pairs:
        try:
            tokens.authenticate_access(
                session, access_token=pair.access_token, now=NOW + timedelta(seconds=10)
            )
            live.append(True)
        except AccessTokenInvalid:
            live.append(False)
    # The two oldest have ended; the three newest are live.
    assert live == [False, False, True, True, True]
    with pytest.raises(RefreshTokenInvalid):
        tokens.refresh_tokens(
            session, refresh_token=pairs[0].refresh_token, now=NOW + timedelta(seconds=10)
        )
    kept = select(func.count()).where(col(WalletAccessToken.holder_id) == holder)
    assert session.exec(kept).one() == 3


def test_a_new_share_beyond_those_kept_removes_the_oldest_ended_one_never_a_live_one(
    clean_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(creation, "MAX_SHARES_KEPT", 3)
    with Session(clean_engine, expire_on_commit=False) as db:
        holder, credential_id = _holder_with_credential(db)
        made = []
        for minute in range(4):
            created = _create(db, holder, _spec(credential_id), NOW + timedelta(minutes=minute))
            made.append(created.id)
            if minute < 2:
                withdraw_share(
                    db,
                    holder_id=holder,
                    share_id=created.id,
                    kek=KEK,
                    base_url=WALLET_BASE,
                    now=NOW,
                )
        kept = list_shares(db, holder_id=holder, kek=KEK, base_url=WALLET_BASE, now=NOW)
        assert sorted(s.id for s in kept) == sorted(made[1:])
        # The only ended share left goes next; then live shares stay and the count may grow.
        made.append(_create(db, holder, _spec(credential_id), NOW + timedelta(minutes=5)).id)
        kept = list_shares(db, holder_id=holder, kek=KEK, base_url=WALLET_BASE, now=NOW)
        assert sorted(s.id for s in kept) == sorted(made[2:])


def test_a_staff_members_oldest_session_ends_beyond_the_bound_and_ended_ones_are_purged(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staff, "MAX_STAFF_SESSIONS", 2)
    staff.create_staff_account(
        session,
        username="outi",
        password=STAFF_PASSWORD,
        name="Outi",
        hashing=FAST_HASHING,
        now=NOW,
    )

    def sign_in(at: datetime) -> str:
        who = staff.StaffPasswordAuthenticator(
            "outi", STAFF_PASSWORD, KEK, FAST_HASHING, "10.0.0.1"
        )
        return staff.start_staff_session(session, authenticator=who, now=at)

    tokens_made = [sign_in(NOW + timedelta(minutes=n)) for n in range(3)]
    check = NOW + timedelta(minutes=5)
    with pytest.raises(AccessTokenInvalid):
        staff.staff_member(session, token=tokens_made[0], now=check)
    assert all(staff.staff_member(session, token=t, now=check) for t in tokens_made[1:])
    staff.end_staff_session(session, token=tokens_made[1], now=check)
    assert staff.purge_staff_sessions(session, now=check) == 1
    assert staff.staff_member(session, token=tokens_made[2], now=check).username == "outi"
