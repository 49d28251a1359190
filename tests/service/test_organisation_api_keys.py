"""Several named API keys per organisation: shown once, revocable, last use kept; disabling."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from issuers.api_keys import add_api_key, list_api_keys, record_api_key_use, revoke_api_key
from issuers.custody import published_keys
from issuers.errors import IssuerAPIKeyInvalid, IssuerApiKeyNotFound, IssuerInvalid
from issuers.organisations import authenticate_issuer, set_issuer_disabled
from tests.service.test_issuers_support import NOW, make_issuer, new_kek
from tests.service.test_verifiers_support import BASE, unique
from verifiers import api_keys as verifier_keys
from verifiers.errors import VerifierApiKeyNotFound, VerifierKeyInvalid
from verifiers.organisations import authenticate_verifier, create_verifier, set_verifier_disabled

KEK = new_kek()


def test_an_issuer_has_several_named_keys_each_working_until_revoked(session: Session) -> None:
    created = make_issuer(session, KEK)
    issuer = created.account
    second = add_api_key(session, issuer_id=issuer.id, name=" Student register ", now=NOW)
    assert second.info.name == "Student register" and second.api_key != created.api_key
    assert authenticate_issuer(session, slug=issuer.slug, api_key=second.api_key) == issuer
    assert authenticate_issuer(session, slug=issuer.slug, api_key=created.api_key) == issuer

    revoked = revoke_api_key(session, issuer_id=issuer.id, key_id=second.info.id, now=NOW)
    assert revoked.revoked_at == NOW
    with pytest.raises(IssuerAPIKeyInvalid):
        authenticate_issuer(session, slug=issuer.slug, api_key=second.api_key)
    assert authenticate_issuer(session, slug=issuer.slug, api_key=created.api_key) == issuer
    names = {(key.name, key.revoked_at) for key in list_api_keys(session, issuer_id=issuer.id)}
    assert names == {("first key", None), ("Student register", NOW)}


def test_a_key_listing_never_holds_the_key_and_records_its_last_use(session: Session) -> None:
    created = make_issuer(session, KEK)
    record_api_key_use(session, api_key=created.api_key, now=NOW)
    record_api_key_use(session, api_key=created.api_key, now=NOW + timedelta(seconds=20))
    (key,) = list_api_keys(session, issuer_id=created.account.id)
    assert key.last_used_at == NOW
    assert created.api_key not in repr(key)
    record_api_key_use(session, api_key=created.api_key, now=NOW + timedelta(minutes=5))
    (key,) = list_api_keys(session, issuer_id=created.account.id)
    assert key.last_used_at == NOW + timedelta(minutes=5)


def test_another_issuers_key_cannot_be_revoked_through_this_one(session: Session) -> None:
    mine = make_issuer(session, KEK).account
    other = make_issuer(session, KEK)
    (other_key,) = list_api_keys(session, issuer_id=other.account.id)
    with pytest.raises(IssuerApiKeyNotFound):
        revoke_api_key(session, issuer_id=mine.id, key_id=other_key.id, now=NOW)
    assert authenticate_issuer(session, slug=other.account.slug, api_key=other.api_key)


def test_key_names_are_required_and_keys_are_bounded(session: Session) -> None:
    issuer = make_issuer(session, KEK).account
    with pytest.raises(IssuerInvalid):
        add_api_key(session, issuer_id=issuer.id, name="  ", now=NOW)
    for n in range(19):
        add_api_key(session, issuer_id=issuer.id, name=f"key {n}", now=NOW)
    with pytest.raises(IssuerInvalid):
        add_api_key(session, issuer_id=issuer.id, name="one too many", now=NOW)
    assert len(list_api_keys(session, issuer_id=issuer.id)) == 20


def test_a_disabled_issuers_keys_stop_but_its_published_keys_stay(session: Session) -> None:
    created = make_issuer(session, KEK)
    slug = created.account.slug
    disabled = set_issuer_disabled(session, slug=slug, disabled=True, now=NOW)
    assert disabled.disabled_at == NOW
    with pytest.raises(IssuerAPIKeyInvalid):
        authenticate_issuer(session, slug=slug, api_key=created.api_key)
    assert published_keys(session, issuer_id=created.account.id, now=NOW)
    set_issuer_disabled(session, slug=slug, disabled=False, now=NOW)
    assert authenticate_issuer(session, slug=slug, api_key=created.api_key).disabled_at is None


def test_a_verifier_has_several_keys_revocable_and_stopped_when_disabled(session: Session) -> None:
    created = create_verifier(session, slug=unique("acme"), name="Acme", base_url=BASE, now=NOW)
    verifier = created.verifier
    second = verifier_keys.add_api_key(session, verifier_id=verifier.id, name="ATS", now=NOW)
    assert authenticate_verifier(session, api_key=second.api_key, slug=None, base_url=BASE)
    verifier_keys.revoke_api_key(session, verifier_id=verifier.id, key_id=second.info.id, now=NOW)
    with pytest.raises(VerifierKeyInvalid):
        authenticate_verifier(session, api_key=second.api_key, slug=None, base_url=BASE)
    with pytest.raises(VerifierApiKeyNotFound):
        verifier_keys.revoke_api_key(session, verifier_id="vrf_x", key_id=second.info.id, now=NOW)

    set_verifier_disabled(session, slug=verifier.slug, disabled=True, base_url=BASE, now=NOW)
    with pytest.raises(VerifierKeyInvalid):
        authenticate_verifier(session, api_key=created.api_key, slug=None, base_url=BASE)
