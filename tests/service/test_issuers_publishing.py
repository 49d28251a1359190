"""Published documents: issuer metadata, did:web, status lists (IETF and W3C), type metadata."""

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from api.caches import build_caches
from credentials.bitstring_status_list import (
    parse_bitstring_status_list_credential,
    parse_status_entry,
    resolve_bitstring_status,
)
from credentials.dids import did_resolver
from credentials.issuer_metadata import parse_issuer_metadata
from credentials.jws import parse_compact, payload_object
from credentials.vc_jose import verify_vc_jwt
from issuers.errors import CredentialTypeNotFound, IssuerNotFound, StatusListNotFound
from issuers.identifiers import issuer_did, issuer_identifier
from issuers.issuance import IssuedCredential, issue_credential
from issuers.publishing import (
    STATUS_LIST_TTL,
    credential_type_metadata,
    issuer_did_document,
    issuer_metadata_document,
    status_list_token,
    w3c_status_list_credential,
)
from issuers.status import CredentialStatus, change_credential_status
from schemas import SLUGS, vct_for
from tests.service.test_issuers_support import (
    ALGORITHMS,
    BASE_URL,
    NOW,
    holder_key,
    make_issuer,
    new_kek,
    request_for,
)

KEK = new_kek()


def _issue(session: Session, issuer: Any, fmt: str, key: str) -> IssuedCredential:
    return issue_credential(
        session,
        issuer=issuer,
        request=request_for("competence", holder_key().public, fmt=fmt),
        idempotency_key=key,
        kek=KEK,
        base_url=BASE_URL,
        now=NOW,
    )


def test_issuer_metadata_publishes_the_keys_for_the_issuer_identifier(session: Session) -> None:
    created = make_issuer(session, KEK)
    identifier = issuer_identifier(BASE_URL, created.account.slug)
    document = issuer_metadata_document(
        session, slug=created.account.slug, base_url=BASE_URL, now=NOW
    )
    parsed = parse_issuer_metadata(json.dumps(document).encode(), issuer=identifier)
    assert parsed.keys is not None and [k.kid for k in parsed.keys] == [created.key.kid]
    assert all("d" not in key for key in document["jwks"]["keys"])


def test_unknown_issuer_has_no_documents(session: Session) -> None:
    with pytest.raises(IssuerNotFound):
        issuer_metadata_document(session, slug="no-such-issuer", base_url=BASE_URL, now=NOW)
    with pytest.raises(IssuerNotFound):
        issuer_did_document(session, slug="no-such-issuer", base_url=BASE_URL, now=NOW)


def test_the_status_list_token_is_typed_signed_and_carries_ttl_and_exp(session: Session) -> None:
    created = make_issuer(session, KEK)
    issued = _issue(session, created.account, "dc+sd-jwt", "a")
    assert issued.status is not None
    list_id = issued.status["uri"].rsplit("/", 1)[1]
    published = status_list_token(session, list_id=list_id, base_url=BASE_URL, kek=KEK, now=NOW)
    assert published.media_type == "application/statuslist+jwt"
    assert published.max_age == STATUS_LIST_TTL
    parsed = parse_compact(published.token)
    assert parsed.header["typ"] == "statuslist+jwt" and parsed.header["kid"] == created.key.kid
    payload = payload_object(parsed)
    assert payload["sub"] == issued.status["uri"]
    assert payload["iss"] == issuer_identifier(BASE_URL, created.account.slug)
    assert payload["ttl"] == STATUS_LIST_TTL
    assert payload["exp"] > payload["iat"] == int(NOW.timestamp())
    assert payload["status_list"]["bits"] == 2


def test_the_signed_token_is_reused_within_an_application_until_the_list_changes(
    session: Session,
) -> None:
    with build_caches().installed():
        created = make_issuer(session, KEK)
        issued = _issue(session, created.account, "dc+sd-jwt", "a")
        assert issued.status is not None
        list_id = issued.status["uri"].rsplit("/", 1)[1]
        first = status_list_token(session, list_id=list_id, base_url=BASE_URL, kek=KEK, now=NOW)
        later = NOW + timedelta(minutes=5)
        again = status_list_token(session, list_id=list_id, base_url=BASE_URL, kek=KEK, now=later)
        assert again.token == first.token
        change_credential_status(
            session,
            issuer_id=created.account.id,
            credential_id=issued.id,
            status="revoked",
            now=NOW,
        )
        changed = status_list_token(session, list_id=list_id, base_url=BASE_URL, kek=KEK, now=later)
        assert changed.token != first.token
        much_later = NOW + timedelta(hours=13)
        refreshed = status_list_token(
            session, list_id=list_id, base_url=BASE_URL, kek=KEK, now=much_later
        )
        assert refreshed.token != changed.token


def test_unknown_or_mismatched_status_lists_are_not_found(session: Session) -> None:
    created = make_issuer(session, KEK)
    w3c = _issue(session, created.account, "vc+jwt", "w")
    assert w3c.credential_status is not None
    w3c_list = w3c.credential_status[0]["statusListCredential"].rsplit("/", 1)[1]
    list_id = w3c_list.rsplit("-", 1)[0]
    calls: list[Callable[[], object]] = [
        lambda: status_list_token(session, list_id="nope", base_url=BASE_URL, kek=KEK, now=NOW),
        lambda: status_list_token(session, list_id=list_id, base_url=BASE_URL, kek=KEK, now=NOW),
        lambda: w3c_status_list_credential(
            session, name=list_id, base_url=BASE_URL, kek=KEK, now=NOW
        ),
        lambda: w3c_status_list_credential(
            session, name=f"{list_id}-refresh", base_url=BASE_URL, kek=KEK, now=NOW
        ),
    ]
    for call in calls:
        with pytest.raises(StatusListNotFound) as caught:
            call()
        assert caught.value.code == "status_list_not_found"


def _w3c_status(session: Session, slug: str, issued: IssuedCredential) -> dict[str, bool]:
    document = issuer_did_document(session, slug=slug, base_url=BASE_URL, now=NOW)
    resolver = did_resolver(lambda url: json.dumps(document).encode())
    found = {}
    assert issued.credential_status is not None
    for raw_entry in issued.credential_status:
        entry = parse_status_entry(raw_entry)
        name = entry.status_list_credential.rsplit("/", 1)[1]
        published = w3c_status_list_credential(
            session, name=name, base_url=BASE_URL, kek=KEK, now=NOW
        )
        assert published.media_type == "application/vc+jwt"
        verified = verify_vc_jwt(
            published.token,
            resolve_issuer_key=resolver,
            now=NOW,
            clock_tolerance=timedelta(seconds=60),
            algorithms=ALGORITHMS,
        )
        assert verified.issuer == issuer_did(BASE_URL, slug)
        status_list = parse_bitstring_status_list_credential(verified.credential)
        found[entry.status_purpose] = resolve_bitstring_status(status_list, entry).valid
    return found


def test_w3c_lists_show_revocation_and_suspension_separately(session: Session) -> None:
    created = make_issuer(session, KEK)
    slug = created.account.slug
    revoked = _issue(session, created.account, "vc+jwt", "r")
    suspended = _issue(session, created.account, "vc+jwt", "s")
    assert _w3c_status(session, slug, revoked) == {"revocation": True, "suspension": True}
    changes: list[tuple[IssuedCredential, CredentialStatus]] = [
        (revoked, "revoked"),
        (suspended, "suspended"),
    ]
    for issued, status in changes:
        change_credential_status(
            session, issuer_id=created.account.id, credential_id=issued.id, status=status, now=NOW
        )
    assert _w3c_status(session, slug, revoked) == {"revocation": False, "suspension": True}
    assert _w3c_status(session, slug, suspended) == {"revocation": True, "suspension": False}
    change_credential_status(
        session, issuer_id=created.account.id, credential_id=suspended.id, status="valid", now=NOW
    )
    assert _w3c_status(session, slug, suspended) == {"revocation": True, "suspension": True}


@pytest.mark.parametrize("slug", SLUGS)
def test_type_metadata_is_served_for_each_type(slug: str) -> None:
    document = credential_type_metadata(slug=slug, version=1, base_url=BASE_URL)
    assert document["vct"] == vct_for(slug, base_url=BASE_URL)
    assert document["claims"]


@pytest.mark.parametrize(("slug", "version"), [("diploma", 1), ("qualification", 2)])
def test_unknown_type_metadata_is_not_found(slug: str, version: int) -> None:
    with pytest.raises(CredentialTypeNotFound) as caught:
        credential_type_metadata(slug=slug, version=version, base_url=BASE_URL)
    assert caught.value.code == "credential_type_not_found" and caught.value.status == 404
