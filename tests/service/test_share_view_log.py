"""The activity log stays bounded however often a share's link is opened, and counts every view."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from tests.service.test_wallet_shares import _create, _holder_with_credential, _spec
from tests.service.test_wallet_support import BASE_URL, KEK, NOW, committed_session
from wallet.activity import ActivityKind, list_activity, verify_activity_log
from wallet.shares.creation import ANYONE
from wallet.shares.records import get_share
from wallet.shares.viewing import VIEW_LOG_INTERVAL, VIEWS_LOGGED_SINGLY, record_share_view
from wallet.tables import WalletActivity

VIEWER = "anyone with the link"


@pytest.fixture
def session(clean_engine: Engine) -> Iterator[Session]:
    yield from committed_session(clean_engine)


def _view_entries(session: Session, holder: str) -> list[dict[str, object]]:
    entries = list_activity(session, holder_id=holder, kek=KEK, limit=10_000)
    return [dict(e.details) for e in reversed(entries) if e.kind is ActivityKind.SHARE_VIEWED]


def _entries(session: Session, holder: str) -> int:
    statement = select(func.count()).where(col(WalletActivity.holder_id) == holder)
    return session.exec(statement).one()


def test_ten_thousand_views_of_an_anyone_link_keep_the_log_bounded_and_every_view_counted(
    session: Session,
) -> None:
    holder, credential_id = _holder_with_credential(session)
    created = _create(session, holder, _spec(credential_id, audience=ANYONE))
    before = _entries(session, holder)
    for number in range(1, 10_001):
        at = NOW + timedelta(milliseconds=number)
        assert record_share_view(session, share_id=created.id, viewer=VIEWER, kek=KEK, now=at) == (
            number
        )
        if number % 500 == 0:
            session.commit()
    session.commit()

    assert _entries(session, holder) - before == VIEWS_LOGGED_SINGLY
    views = _view_entries(session, holder)
    assert [v["views"] for v in views] == [1] * VIEWS_LOGGED_SINGLY
    shown = get_share(
        session, holder_id=holder, share_id=created.id, kek=KEK, base_url=BASE_URL, now=NOW
    )
    assert shown.view_count == 10_000

    # The next view a day later logs one entry that counts every view the log did not hold yet.
    later = NOW + VIEW_LOG_INTERVAL + timedelta(seconds=1)
    record_share_view(session, share_id=created.id, viewer=VIEWER, kek=KEK, now=later)
    session.commit()
    views = _view_entries(session, holder)
    assert len(views) == VIEWS_LOGGED_SINGLY + 1
    assert views[-1]["views"] == 10_001 - VIEWS_LOGGED_SINGLY
    assert views[-1]["view"] == 10_001
    assert (
        views[-1]["first_viewed_at"]
        == (NOW + timedelta(milliseconds=VIEWS_LOGGED_SINGLY + 1)).isoformat()
    )
    assert sum(int(str(v["views"])) for v in views) == 10_001
    assert verify_activity_log(session, kek=KEK).entries == _entries(session, holder)


def test_views_after_the_first_ten_are_logged_at_most_once_a_day_per_share(
    session: Session,
) -> None:
    holder, credential_id = _holder_with_credential(session)
    created = _create(session, holder, _spec(credential_id, audience=ANYONE))
    for hour in range(24 * 3):
        at = NOW + timedelta(hours=hour)
        record_share_view(session, share_id=created.id, viewer=VIEWER, kek=KEK, now=at)
    session.commit()
    views = _view_entries(session, holder)
    # Ten single views (hours 0-9), then one entry a day after the last: hours 33 and 57, each
    # counting the 24 views since the entry before; the 14 views after hour 57 wait on the share.
    assert [v["views"] for v in views] == [1] * 10 + [24, 24]
    assert sum(int(str(v["views"])) for v in views) == 24 * 3 - 14
    verify_activity_log(session, kek=KEK)
