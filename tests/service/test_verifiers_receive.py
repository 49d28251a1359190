"""The gate for credentials a wallet receives: SD-JWT VC and vc+jwt, bound to the holder's key."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from credentials.bitstring_status_list import (
    BitstringStatusList,
    build_bitstring_status_entry,
    build_bitstring_status_list_credential,
)
from credentials.did_jwk import encode_did_jwk
from credentials.did_web import did_web_key_id
from credentials.keys import PrivateKey, generate_key, private_key_from_jwk
from credentials.vc_jose import issue_vc_jwt
from tests.service.test_verifiers_support import (
    BASE,
    COMPETENCE,
    NOW,
    QUALIFICATION,
    FakeFetcher,
    FixtureIssuer,
    local_info,
    make_issuer,
    pinned_entry_json,
    qualification_claims,
    sources_for,
    unique,
)
from verifiers import errors
from verifiers.issuer_trust import LocalIssuerInfo
from verifiers.receiving import ReceivedCredential, check_received_credential
from verifiers.trust import add_trusted_issuer
from verifiers.trust_entries import entry_from_json


@dataclass
class World:
    session: Session
    fetcher: FakeFetcher
    issuer: FixtureIssuer
    holder: PrivateKey


@pytest.fixture
def world(session: Session) -> Iterator[World]:
    fetcher = FakeFetcher()
    issuer = make_issuer(fetcher)
    yield World(session, fetcher, issuer, generate_key("EdDSA"))


def trust(world: World, *vcts: str) -> None:
    entry = entry_from_json(pinned_entry_json(world.issuer, vcts=vcts or (QUALIFICATION,)))
    add_trusted_issuer(world.session, entry=entry, now=NOW)


def receive(
    world: World,
    credential: str,
    *,
    holder: PrivateKey | None = None,
    local: tuple[LocalIssuerInfo, ...] = (),
) -> ReceivedCredential:
    return check_received_credential(
        world.session,
        credential,
        holder_jwk=(holder or world.holder).public.jwk,
        sources=sources_for(world.fetcher, local=local),
        language="en",
        base_url=BASE,
        now=NOW,
    )


def test_received_sd_jwt_vc_passes_with_every_claim(world: World) -> None:
    trust(world)
    credential, _ = world.issuer.issue(world.holder)
    received = check_received_credential(
        world.session,
        credential,
        holder_jwk=world.holder.public.jwk,
        sources=sources_for(world.fetcher),
        language="en",
        base_url=BASE,
        now=NOW,
    )
    assert received.format == "dc+sd-jwt" and received.vct == QUALIFICATION
    assert received.claims == qualification_claims()
    assert received.status == "valid" and received.issuer_name == "Omnia"
    assert received.valid_until == NOW + timedelta(days=365)
    assert {c.outcome for c in received.checks} == {"passed"}


def test_credential_bound_to_another_key_is_rejected(world: World) -> None:
    trust(world)
    credential, _ = world.issuer.issue(generate_key("EdDSA"))
    with pytest.raises(errors.CredentialNotBound) as raised:
        receive(world, credential)
    assert raised.value.code == "credential_not_bound_to_holder"
    assert raised.value.failed[0]["check"] == "holder_binding"


def test_revoked_credential_is_rejected_on_receipt(world: World) -> None:
    trust(world)
    credential, index = world.issuer.issue(world.holder)
    world.issuer.set_status(index, 1)
    with pytest.raises(errors.CredentialStatusInvalid) as raised:
        receive(world, credential)
    assert raised.value.code == "credential_status_invalid"
    assert raised.value.failed == (
        {
            "check": "status",
            "code": "credential_revoked",
            "reason": "The issuer has revoked this credential.",
        },
    )


def test_unreachable_status_list_on_receipt_is_a_503(world: World) -> None:
    trust(world)
    credential, _ = world.issuer.issue(world.holder)
    world.fetcher.documents.clear()
    with pytest.raises(errors.CredentialStatusUnavailable) as raised:
        receive(world, credential)
    assert raised.value.status == 503 and raised.value.code == "credential_status_unavailable"


def test_credential_of_an_unknown_issuer_is_rejected(world: World) -> None:
    credential, _ = world.issuer.issue(world.holder)
    with pytest.raises(errors.CredentialIssuerUntrusted) as raised:
        receive(world, credential)
    assert raised.value.failed[0]["code"] == "issuer_unknown"


def test_credential_of_a_type_the_issuer_is_not_trusted_for_is_rejected(world: World) -> None:
    trust(world, COMPETENCE)
    credential, _ = world.issuer.issue(world.holder)
    with pytest.raises(errors.CredentialIssuerUntrusted) as raised:
        receive(world, credential)
    assert raised.value.failed[0]["code"] == "issuer_not_trusted_for_type"


def test_credential_whose_claims_break_the_schema_is_rejected(world: World) -> None:
    trust(world)
    claims = {**qualification_claims(), "eqf_level": 12}
    credential, _ = world.issuer.issue(world.holder, claims=claims)
    with pytest.raises(errors.CredentialSchemaInvalid) as raised:
        receive(world, credential)
    assert (
        raised.value.failed[0]["reason"] == "A claim does not fit the credential type: EQF level."
    )


def test_credential_with_a_key_binding_jwt_is_rejected_as_malformed(world: World) -> None:
    trust(world)
    credential, _ = world.issuer.issue(world.holder)
    with pytest.raises(errors.CredentialFormatInvalid) as raised:
        receive(world, credential + "eyJhbGciOiJFZERTQSJ9.e30.c2ln")
    assert raised.value.failed[0]["code"] == "kb_unexpected"


def _did_issuer() -> tuple[str, PrivateKey]:
    did = f"did:web:taito.test:issuers:{unique('omnia')}"
    key = generate_key("EdDSA")
    named = private_key_from_jwk(key.private_jwk, kid=did_web_key_id(did, key.public))
    return did, named


def _vc_jwt(did: str, key: PrivateKey, holder: PrivateKey, status_url: str | None) -> str:
    credential: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", QUALIFICATION],
        "issuer": did,
        "validFrom": "2025-06-01T00:00:00Z",
        "credentialSubject": {"id": encode_did_jwk(holder.public), **qualification_claims()},
    }
    if status_url is not None:
        credential["credentialStatus"] = [
            build_bitstring_status_entry(
                status_list_credential=status_url, index=7, status_purpose="revocation"
            )
        ]
    return issue_vc_jwt(credential, key=key, issued_at=NOW - timedelta(days=1))


def _publish_w3c(world: World, did: str, key: PrivateKey, url: str, *, revoked: bool) -> None:
    bits = BitstringStatusList.empty(bits=1, size=131_072)
    if revoked:
        bits = bits.with_status(7, 1)
    document = build_bitstring_status_list_credential(
        bits,
        credential_id=url,
        issuer=did,
        status_purpose="revocation",
        valid_from=NOW - timedelta(hours=1),
        valid_until=NOW + timedelta(days=1),
    )
    world.fetcher.documents[url] = issue_vc_jwt(document, key=key).encode("ascii")


def test_received_vc_jwt_of_a_local_did_issuer_passes(world: World) -> None:
    did, key = _did_issuer()
    url = f"{BASE}/status/w3c/{unique('l')}-revocation"
    _publish_w3c(world, did, key, url, revoked=False)
    info = local_info(FixtureIssuer(did, key, world.fetcher), accredited=[QUALIFICATION])
    received = check_received_credential(
        world.session,
        _vc_jwt(did, key, world.holder, url),
        holder_jwk=world.holder.public.jwk,
        sources=sources_for(world.fetcher, local=[info]),
        language="en",
        base_url=BASE,
        now=NOW,
    )
    assert received.format == "vc+jwt" and received.vct == QUALIFICATION
    assert received.claims == qualification_claims() and received.status == "valid"


def test_revoked_vc_jwt_is_rejected(world: World) -> None:
    did, key = _did_issuer()
    url = f"{BASE}/status/w3c/{unique('l')}-revocation"
    _publish_w3c(world, did, key, url, revoked=True)
    info = local_info(FixtureIssuer(did, key, world.fetcher), accredited=[QUALIFICATION])
    with pytest.raises(errors.CredentialStatusInvalid):
        receive(world, _vc_jwt(did, key, world.holder, url), local=(info,))


def test_vc_jwt_about_another_holder_is_rejected(world: World) -> None:
    did, key = _did_issuer()
    info = local_info(FixtureIssuer(did, key, world.fetcher), accredited=[QUALIFICATION])
    credential = _vc_jwt(did, key, generate_key("EdDSA"), None)
    with pytest.raises(errors.CredentialNotBound):
        receive(world, credential, local=(info,))
