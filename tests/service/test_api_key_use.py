"""An API key's use is noted at most once a minute, read with the authentication."""

from datetime import datetime, timedelta

from sqlmodel import Session

from issuers.api_keys import list_api_keys
from issuers.organisations import authenticate_issuer_use
from tests.service.test_issuers_support import NOW, make_issuer, new_kek
from tests.service.test_verifiers_support import BASE, unique
from verifiers import api_keys as verifier_keys
from verifiers.organisations import authenticate_verifier_use, create_verifier


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


def test_a_verifier_key_use_is_written_only_when_a_minute_has_passed(session: Session) -> None:
    created = create_verifier(
        session, slug=unique("employer"), name="Employer", base_url=BASE, now=NOW
    )
    slug, api_key = created.verifier.slug, created.api_key

    def last_use() -> object:
        (key,) = verifier_keys.list_api_keys(session, verifier_id=created.verifier.id)
        return key.last_used_at

    def use(moment: datetime) -> object:
        return authenticate_verifier_use(
            session, api_key=api_key, slug=slug, base_url=BASE, now=moment
        )

    assert use(NOW) == created.verifier
    assert last_use() == NOW
    use(NOW + timedelta(seconds=30))
    assert last_use() == NOW
    use(NOW + timedelta(minutes=2))
    assert last_use() == NOW + timedelta(minutes=2)
