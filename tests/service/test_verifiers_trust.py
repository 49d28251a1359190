"""The trust registry: entries, their key sources, import and export; keys from each source."""

import json
from typing import Any

import pytest
from sqlmodel import Session

from credentials.did_web import build_did_web_document, did_web_key_id, did_web_url
from credentials.errors import IssuerKeyUnresolved
from credentials.issuer_metadata import build_issuer_metadata, issuer_metadata_url
from credentials.keys import generate_key
from tests.service.test_verifiers_support import (
    BASE,
    COMPETENCE,
    NOW,
    QUALIFICATION,
    FakeFetcher,
    local_info,
    make_issuer,
    sources_for,
    unique,
)
from verifiers.errors import TrustedIssuerExists, TrustedIssuerNotFound, TrustEntryInvalid
from verifiers.issuer_trust import find_issuer_trust
from verifiers.trust import (
    add_trusted_issuer,
    export_trust_registry,
    get_trusted_issuer,
    import_trust_registry,
    remove_trusted_issuer,
    replace_trusted_issuer,
)
from verifiers.trust_entries import KeySource, TrustEntry, entry_from_json


def entry(**changes: Any) -> TrustEntry:
    document: dict[str, Any] = {
        "identifier": unique("https://issuer.example/i"),
        "display_name": "Example",
        "key_source": "jwks_url",
        "key_url": "https://issuer.example/jwks.json",
        "vct_values": [QUALIFICATION],
    }
    document.update(changes)
    return entry_from_json({k: v for k, v in document.items() if v is not None})


def problems(error: TrustEntryInvalid) -> dict[str, str]:
    return {item["pointer"]: item["message"] for item in error.errors}


def test_entry_is_added_read_replaced_and_removed(session: Session) -> None:
    added = add_trusted_issuer(session, entry=entry(), now=NOW)
    identifier = added.entry.identifier
    changed = TrustEntry(
        identifier, "Renamed", KeySource.JWKS_URL, (COMPETENCE,), key_url="https://issuer.example/k"
    )
    replace_trusted_issuer(session, entry=changed, now=NOW)
    assert get_trusted_issuer(session, identifier=identifier).entry == changed
    remove_trusted_issuer(session, identifier=identifier)
    with pytest.raises(TrustedIssuerNotFound) as raised:
        get_trusted_issuer(session, identifier=identifier)
    assert raised.value.code == "trusted_issuer_not_found"


def test_the_same_issuer_cannot_be_added_twice(session: Session) -> None:
    first = add_trusted_issuer(session, entry=entry(), now=NOW)
    with pytest.raises(TrustedIssuerExists) as raised:
        add_trusted_issuer(session, entry=first.entry, now=NOW)
    assert raised.value.status == 409


def test_jwks_url_source_needs_an_https_url(session: Session) -> None:
    with pytest.raises(TrustEntryInvalid) as raised:
        add_trusted_issuer(session, entry=entry(key_url="http://issuer.example/jwks"), now=NOW)
    assert problems(raised.value) == {"/key_url": "a jwks_url source needs an https key_url"}


def test_pinned_key_with_private_members_is_refused(session: Session) -> None:
    key = generate_key("ES256")
    bad = entry(key_source="pinned_jwk", key_url=None, jwks={"keys": [key.private_jwk]})
    with pytest.raises(TrustEntryInvalid) as raised:
        add_trusted_issuer(session, entry=bad, now=NOW)
    assert list(problems(raised.value)) == ["/jwks/keys/0"]


def test_did_web_source_needs_a_did_web_identifier(session: Session) -> None:
    with pytest.raises(TrustEntryInvalid) as raised:
        add_trusted_issuer(session, entry=entry(key_source="did_web", key_url=None), now=NOW)
    assert list(problems(raised.value)) == ["/identifier"]


def test_entry_without_types_is_refused(session: Session) -> None:
    with pytest.raises(TrustEntryInvalid) as raised:
        add_trusted_issuer(session, entry=entry(vct_values=[]), now=NOW)
    assert "/vct_values" in problems(raised.value)


def test_registry_exports_and_imports_as_json(session: Session) -> None:
    first = add_trusted_issuer(session, entry=entry(), now=NOW).entry
    document = json.loads(json.dumps(export_trust_registry(session)))
    assert document["version"] == 1 and first.to_json() in document["trusted_issuers"]
    remove_trusted_issuer(session, identifier=first.identifier)
    import_trust_registry(session, document=document, replace=False, now=NOW)
    assert get_trusted_issuer(session, identifier=first.identifier).entry == first


def test_import_with_replace_removes_entries_not_in_the_document(session: Session) -> None:
    kept, dropped = entry(), entry()
    add_trusted_issuer(session, entry=dropped, now=NOW)
    stored = import_trust_registry(
        session, document={"version": 1, "trusted_issuers": [kept.to_json()]}, replace=True, now=NOW
    )
    assert [s.entry.identifier for s in stored] == [kept.identifier]


def test_invalid_import_changes_nothing_and_lists_every_problem(session: Session) -> None:
    existing = add_trusted_issuer(session, entry=entry(), now=NOW).entry
    document = {
        "version": 1,
        "trusted_issuers": [entry().to_json(), {"identifier": "x", "key_source": "magic"}],
    }
    with pytest.raises(TrustEntryInvalid) as raised:
        import_trust_registry(session, document=document, replace=True, now=NOW)
    assert list(problems(raised.value)) == ["/trusted_issuers/1/key_source"]
    assert get_trusted_issuer(session, identifier=existing.identifier).entry == existing


def test_keys_come_from_a_jwks_url(session: Session) -> None:
    fetcher = FakeFetcher()
    key = generate_key("ES256")
    fetcher.documents["https://issuer.example/jwks.json"] = json.dumps(
        {"keys": [key.public.jwk]}
    ).encode()
    stored = add_trusted_issuer(session, entry=entry(), now=NOW).entry
    trust = find_issuer_trust(
        session, identifier=stored.identifier, sources=sources_for(fetcher), now=NOW
    )
    assert trust is not None and trust.trusted_vcts == {QUALIFICATION}
    assert trust.resolve_key(issuer=stored.identifier, kid=key.kid) == key.public
    with pytest.raises(IssuerKeyUnresolved):
        trust.resolve_key(issuer=stored.identifier, kid="unknown-kid")


def test_keys_come_from_jwt_vc_issuer_metadata(session: Session) -> None:
    fetcher = FakeFetcher()
    key = generate_key("EdDSA")
    identifier = unique("https://issuer.example/tenant")
    metadata = build_issuer_metadata(identifier, [key.public])
    fetcher.documents[issuer_metadata_url(identifier)] = json.dumps(metadata).encode()
    add_trusted_issuer(
        session,
        entry=entry(identifier=identifier, key_source="issuer_metadata", key_url=None),
        now=NOW,
    )
    trust = find_issuer_trust(session, identifier=identifier, sources=sources_for(fetcher), now=NOW)
    assert trust is not None
    assert trust.resolve_key(issuer=identifier, kid=key.kid) == key.public


def test_keys_come_from_did_web(session: Session) -> None:
    fetcher = FakeFetcher()
    key = generate_key("EdDSA")
    did = f"did:web:issuer.example:{unique('org')}"
    fetcher.documents[did_web_url(did)] = json.dumps(
        build_did_web_document(did, [key.public])
    ).encode()
    add_trusted_issuer(
        session, entry=entry(identifier=did, key_source="did_web", key_url=None), now=NOW
    )
    trust = find_issuer_trust(session, identifier=did, sources=sources_for(fetcher), now=NOW)
    assert trust is not None
    resolved = trust.resolve_key(issuer=did, kid=did_web_key_id(did, key.public))
    assert resolved.thumbprint == key.public.thumbprint


def test_unknown_issuer_has_no_trust(session: Session) -> None:
    assert (
        find_issuer_trust(
            session,
            identifier="https://nobody.example",
            sources=sources_for(FakeFetcher()),
            now=NOW,
        )
        is None
    )


def test_local_entry_narrows_but_never_widens_the_accreditation(session: Session) -> None:
    fetcher = FakeFetcher()
    issuer = make_issuer(fetcher, identifier=unique(f"{BASE}/issuers/school"))
    info = local_info(issuer, accredited=[QUALIFICATION])
    local_entry = entry(
        identifier=issuer.identifier,
        key_source="local",
        key_url=None,
        vct_values=[QUALIFICATION, COMPETENCE],
    )
    add_trusted_issuer(session, entry=local_entry, now=NOW)
    trust = find_issuer_trust(
        session, identifier=issuer.identifier, sources=sources_for(fetcher, local=[info]), now=NOW
    )
    assert trust is not None and trust.trusted_vcts == {QUALIFICATION}


@pytest.mark.parametrize("key_source", ["pinned_jwk", "jwks_url", "issuer_metadata"])
def test_a_registry_entry_of_any_key_source_cannot_widen_a_local_issuers_accreditation(
    session: Session, key_source: str
) -> None:
    fetcher = FakeFetcher()
    issuer = make_issuer(fetcher, identifier=unique(f"{BASE}/issuers/school"))
    info = local_info(issuer, accredited=[QUALIFICATION])
    widening = entry(
        identifier=issuer.identifier,
        key_source=key_source,
        key_url="https://issuer.example/jwks.json" if key_source == "jwks_url" else None,
        jwks={"keys": [issuer.key.public.jwk]} if key_source == "pinned_jwk" else None,
        vct_values=[QUALIFICATION, COMPETENCE],
    )
    add_trusted_issuer(session, entry=widening, now=NOW)
    trust = find_issuer_trust(
        session, identifier=issuer.identifier, sources=sources_for(fetcher, local=[info]), now=NOW
    )
    assert trust is not None and trust.trusted_vcts == {QUALIFICATION}
