"""Narrowing a registry entry and previewing an import: the pieces the trust pages stand on."""

import pytest
from sqlmodel import Session

from tests.service.test_verifiers_support import COMPETENCE, NOW, QUALIFICATION
from tests.service.test_verifiers_trust import entry
from verifiers.errors import TrustedIssuerNotFound, TrustEntryInvalid
from verifiers.trust import (
    add_trusted_issuer,
    get_trusted_issuer,
    list_trusted_issuers,
    narrow_trusted_issuer,
    preview_trust_import,
)
from verifiers.trust_entries import KeySource, entries_from, trusted_vcts


def test_narrowing_keeps_only_the_chosen_types_in_the_entrys_order(session: Session) -> None:
    added = add_trusted_issuer(
        session, entry=entry(vct_values=[QUALIFICATION, COMPETENCE]), now=NOW
    ).entry
    narrowed = narrow_trusted_issuer(
        session, identifier=added.identifier, vct_values={COMPETENCE}, now=NOW
    )
    assert narrowed.entry.vct_values == (COMPETENCE,)
    assert get_trusted_issuer(session, identifier=added.identifier).entry.vct_values == (
        COMPETENCE,
    )


@pytest.mark.parametrize("keep", [set(), {QUALIFICATION, "https://example.fi/types/more"}])
def test_narrowing_never_widens_nor_empties_an_entry(session: Session, keep: set[str]) -> None:
    added = add_trusted_issuer(session, entry=entry(vct_values=[QUALIFICATION]), now=NOW).entry
    with pytest.raises(TrustEntryInvalid):
        narrow_trusted_issuer(session, identifier=added.identifier, vct_values=keep, now=NOW)
    assert get_trusted_issuer(session, identifier=added.identifier).entry == added


def test_narrowing_an_issuer_not_in_the_registry_is_not_found(session: Session) -> None:
    with pytest.raises(TrustedIssuerNotFound):
        narrow_trusted_issuer(
            session, identifier="https://nobody.example.fi", vct_values={QUALIFICATION}, now=NOW
        )


def test_a_preview_names_what_an_import_would_change_and_writes_nothing(
    session: Session,
) -> None:
    kept = add_trusted_issuer(session, entry=entry(), now=NOW).entry
    renamed = add_trusted_issuer(session, entry=entry(), now=NOW).entry
    dropped = add_trusted_issuer(session, entry=entry(), now=NOW).entry
    new = entry()
    changed = entry(identifier=renamed.identifier, display_name="Uusi nimi")
    document = entries_from([kept, changed, new])
    before = list_trusted_issuers(session)
    preview = preview_trust_import(session, document=document, replace=True)
    assert [e.identifier for e in preview.added] == [new.identifier]
    assert [e.identifier for e in preview.changed] == [renamed.identifier]
    assert [e.identifier for e in preview.unchanged] == [kept.identifier]
    assert [e.identifier for e in preview.removed] == [dropped.identifier]
    assert preview_trust_import(session, document=document, replace=False).removed == ()
    assert list_trusted_issuers(session) == before


def test_an_entry_narrows_a_local_issuers_accreditation_and_never_widens_it() -> None:
    both = entry(vct_values=[QUALIFICATION, COMPETENCE])
    assert trusted_vcts(both, accredited=frozenset({QUALIFICATION})) == {QUALIFICATION}
    assert trusted_vcts(both, accredited=None) == {QUALIFICATION, COMPETENCE}
    local = entry(key_source=KeySource.LOCAL.value, key_url=None, identifier="https://x.fi/i")
    assert trusted_vcts(local, accredited=None) == frozenset()
