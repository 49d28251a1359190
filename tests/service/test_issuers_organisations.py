"""Issuer organisations: creation, API keys, accreditation and the local issuer profile."""

import hashlib

import pytest
from sqlmodel import Session, select

from credentials.did_web import did_web_key_id
from issuers.errors import IssuerAPIKeyInvalid, IssuerInvalid, IssuerNotFound, IssuerSlugTaken
from issuers.identifiers import issuer_did, issuer_identifier
from issuers.organisations import (
    authenticate_issuer,
    find_local_issuer,
    get_issuer,
    list_issuers,
    rotate_key,
)
from issuers.tables import IssuerApiKey
from schemas import vct_for
from tests.service.test_issuers_support import BASE_URL, NOW, make_issuer, new_kek

KEK = new_kek()


def test_creating_an_issuer_gives_an_api_key_once_and_stores_only_its_hash(
    session: Session,
) -> None:
    created = make_issuer(session, KEK, types=["qualification", "competence"])
    assert created.api_key.startswith("tik_") and len(created.api_key) == 47
    rows = session.exec(select(IssuerApiKey).where(IssuerApiKey.issuer_id == created.account.id))
    assert [row.key_hash for row in rows] == [hashlib.sha256(created.api_key.encode()).hexdigest()]
    assert created.account.types == ("competence", "qualification")
    assert get_issuer(session, slug=created.account.slug) == created.account
    assert created.account in list_issuers(session)


def test_a_taken_slug_is_refused(session: Session) -> None:
    created = make_issuer(session, KEK)
    with pytest.raises(IssuerSlugTaken) as caught:
        make_issuer(session, KEK, slug=created.account.slug)
    assert caught.value.code == "issuer_slug_taken" and caught.value.status == 409


@pytest.mark.parametrize(
    ("slug", "types"),
    [("Bad Slug", ["qualification"]), ("-x", ["qualification"]), ("ok", []), ("ok", ["diploma"])],
)
def test_invalid_slugs_and_types_are_refused(session: Session, slug: str, types: list[str]) -> None:
    with pytest.raises(IssuerInvalid) as caught:
        make_issuer(session, KEK, slug=slug, types=types)
    assert caught.value.code == "issuer_invalid" and caught.value.status == 422


def test_the_api_key_authenticates_its_own_issuer_only(session: Session) -> None:
    mine = make_issuer(session, KEK)
    other = make_issuer(session, KEK)
    account = authenticate_issuer(session, slug=mine.account.slug, api_key=mine.api_key)
    assert account == mine.account
    with pytest.raises(IssuerNotFound) as caught:
        authenticate_issuer(session, slug=other.account.slug, api_key=mine.api_key)
    assert caught.value.code == "issuer_not_found" and caught.value.status == 404
    with pytest.raises(IssuerNotFound):
        authenticate_issuer(session, slug="no-such-issuer", api_key=mine.api_key)


@pytest.mark.parametrize("api_key", ["tik_wrong", "tvk_" + "a" * 43, "tik_" + "a" * 200])
def test_an_unknown_api_key_is_unauthenticated(session: Session, api_key: str) -> None:
    mine = make_issuer(session, KEK)
    with pytest.raises(IssuerAPIKeyInvalid) as caught:
        authenticate_issuer(session, slug=mine.account.slug, api_key=api_key)
    assert caught.value.code == "issuer_api_key_invalid" and caught.value.status == 401


def test_the_local_issuer_profile_names_its_keys_as_tokens_do(session: Session) -> None:
    created = make_issuer(session, KEK, types=["competence"])
    slug = created.account.slug
    https = find_local_issuer(
        session, identifier=issuer_identifier(BASE_URL, slug), base_url=BASE_URL, now=NOW
    )
    assert https is not None
    assert https.name == created.account.name
    assert https.vct_values == (vct_for("competence", base_url=BASE_URL),)
    assert [k.kid for k in https.keys] == [created.key.kid]
    did = issuer_did(BASE_URL, slug)
    by_did = find_local_issuer(session, identifier=did, base_url=BASE_URL, now=NOW)
    assert by_did is not None
    assert [k.kid for k in by_did.keys] == [did_web_key_id(did, https.keys[0])]
    for unknown in (
        issuer_identifier(BASE_URL, "no-such-issuer"),
        issuer_identifier("https://elsewhere.example", slug),
        f"{issuer_identifier(BASE_URL, slug)}/extra",
    ):
        assert find_local_issuer(session, identifier=unknown, base_url=BASE_URL, now=NOW) is None


def test_rotate_key_by_slug(session: Session) -> None:
    created = make_issuer(session, KEK)
    key = rotate_key(session, slug=created.account.slug, alg="ES256", kek=KEK, now=NOW)
    assert key.alg == "ES256" and key.kid != created.key.kid
    with pytest.raises(IssuerNotFound):
        rotate_key(session, slug="no-such-issuer", alg="ES256", kek=KEK, now=NOW)
