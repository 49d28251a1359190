"""An issuer's API key use is noted at most once a minute, read with the authentication."""

from datetime import timedelta

from sqlmodel import Session

from issuers.api_keys import list_api_keys
from issuers.organisations import authenticate_issuer_use
from tests.service.test_issuers_support import NOW, make_issuer, new_kek


def test_the_key_use_is_written_only_when_a_minute_has_passed(session: Session) -> None:
    kek = new_kek()
    created = make_issuer(session, kek)
    slug, api_key = created.account.slug, created.api_key
    authenticate_issuer_use(session, slug=slug, api_key=api_key, now=NOW)
    (key,) = list_api_keys(session, issuer_id=created.account.id)
    assert key.last_used_at == NOW
    later = NOW + timedelta(seconds=30)
    assert authenticate_issuer_use(session, slug=slug, api_key=api_key, now=later) == (
        created.account
    )
    (key,) = list_api_keys(session, issuer_id=created.account.id)
    assert key.last_used_at == NOW
    much_later = NOW + timedelta(minutes=2)
    authenticate_issuer_use(session, slug=slug, api_key=api_key, now=much_later)
    (key,) = list_api_keys(session, issuer_id=created.account.id)
    assert key.last_used_at == much_later
