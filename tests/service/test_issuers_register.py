"""The register: listing, filtering and paging what an issuer issued."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from issuers.errors import IssuedCredentialNotFound, PageInvalid
from issuers.issuance import issue_credential
from issuers.register import get_issued_credential, list_issued_credentials
from issuers.status import change_credential_status
from tests.service.test_issuers_support import (
    BASE_URL,
    NOW,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
)

KEK = new_kek()


def test_lists_newest_first_with_filters_and_pages(session: Session) -> None:
    created = make_issuer(session, KEK)
    ids = []
    for n, slug in enumerate(["competence", "qualification", "competence", "competence"]):
        issued = issue_credential(
            session,
            issuer=created.account,
            request=request_for(slug, holder_key().public),
            idempotency_key=f"r-{n}",
            kek=KEK,
            base_url=BASE_URL,
            now=NOW + timedelta(minutes=n),
        )
        ids.append(issued.id)
    change_credential_status(
        session, issuer_id=created.account.id, credential_id=ids[2], status="revoked", now=NOW
    )
    page = list_issued_credentials(session, issuer_id=created.account.id, limit=3)
    assert [e.id for e in page.items] == [ids[3], ids[2], ids[1]]
    assert page.next_cursor is not None
    rest = list_issued_credentials(
        session, issuer_id=created.account.id, limit=3, cursor=page.next_cursor
    )
    assert [e.id for e in rest.items] == [ids[0]] and rest.next_cursor is None
    by_type = list_issued_credentials(session, issuer_id=created.account.id, type="qualification")
    assert [e.id for e in by_type.items] == [ids[1]]
    revoked = list_issued_credentials(session, issuer_id=created.account.id, status="revoked")
    assert [e.id for e in revoked.items] == [ids[2]]
    window = list_issued_credentials(
        session,
        issuer_id=created.account.id,
        issued_after=NOW + timedelta(minutes=1),
        issued_before=NOW + timedelta(minutes=3),
    )
    assert [e.id for e in window.items] == [ids[2], ids[1]]
    other = make_issuer(session, KEK)
    assert list_issued_credentials(session, issuer_id=other.account.id).items == ()


def test_another_issuers_entry_is_not_found(session: Session) -> None:
    owner = make_issuer(session, KEK)
    other = make_issuer(session, KEK)
    issued = issue_credential(
        session,
        issuer=owner.account,
        request=request_for("competence", holder_key().public),
        idempotency_key="x",
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )
    assert get_issued_credential(session, issuer_id=owner.account.id, credential_id=issued.id)
    with pytest.raises(IssuedCredentialNotFound):
        get_issued_credential(session, issuer_id=other.account.id, credential_id=issued.id)


@pytest.mark.parametrize(("limit", "cursor"), [(0, None), (201, None), (10, "%%%"), (10, "YWJj")])
def test_rejects_a_bad_limit_or_cursor_as_a_bad_page(
    session: Session, limit: int, cursor: str | None
) -> None:
    created = make_issuer(session, KEK)
    with pytest.raises(PageInvalid) as caught:
        list_issued_credentials(session, issuer_id=created.account.id, limit=limit, cursor=cursor)
    assert caught.value.code == "page_invalid" and caught.value.status == 400
