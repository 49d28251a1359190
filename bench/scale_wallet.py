"""Filling one wallet with thousands of real credentials.

The credentials are issued through the issuer API (batch endpoint) to the wallet's own holder
key, with varied titles and ESCO skills so that search and the skills profile have work to do.
They are stored through the wallet service's own :func:`wallet.credentials.store_received`
(sealed rows, search index, activity log, exactly as a receipt stores them). The checker handed
to it verifies each credential with the credential core (issuer signature with the issuer's
published key, Disclosures, validity, holder binding) but does not fetch the status list: that
part of the gate is the verification benchmark's, and its wiring may be missing.
"""

import gzip
import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session

import schemas
from bench.http_server import Running
from bench.http_setup import CREDENTIAL_TYPE, ISSUER_SLUG, Fixture, example_claims
from credentials.kb_jwt import holder_key_from_cnf
from credentials.keys import ALGORITHMS, JWK, public_key_from_jwk
from credentials.resolvers import pinned_key
from credentials.sd_jwt_vc import PLAIN_CLAIMS, VC_TYP, VCTyp, verify_sd_jwt_vc_issuance
from wallet.checker import CheckedCredential, CredentialChecker
from wallet.credentials import store_received
from wallet.tokens import authenticate_access
from wallet.vault import open_vault

PASSWORD = "bench-" + "correct horse battery staple"
SEARCH_WORD = "tietoturva"
_TITLES = (
    "Tieto- ja viestintätekniikan perustutkinto",
    "Ohjelmistokehittäjän ammattitutkinto",
    "Tietoturva-asiantuntijan erikoisammattitutkinto",
    "Datainsinööri (AMK)",
    "Pilvipalveluiden ylläpidon osatutkinto",
)
_ACCEPTED: tuple[VCTyp, ...] = (VC_TYP,)


def _skill_pool(count: int) -> list[tuple[str, str]]:
    folder = Path(schemas.__file__).with_name("data")
    with gzip.open(folder / "esco_skills.json.gz") as packed:
        document = json.loads(packed.read())
    prefix = document["prefix"]
    return [(prefix + row[0], row[1]) for row in document["skills"][:count]]


def _items(jwk: JWK, count: int, offset: int) -> list[dict[str, Any]]:
    base = example_claims()
    pool = _skill_pool(60)
    items = []
    for n in range(offset, offset + count):
        claims = dict(base)
        claims["title"] = f"{_TITLES[n % len(_TITLES)]} {n}"
        claims["skills"] = [
            {"uri": uri, "label": label}
            for uri, label in (pool[(n * 7 + k) % 60] for k in range(3))
        ]
        items.append({"type": CREDENTIAL_TYPE, "claims": claims, "holder": {"jwk": jwk}})
    return items


def register_wallet(server: Running) -> tuple[str, JWK]:
    """A new wallet account: its access token and holder public JWK."""
    with httpx.Client(base_url=server.origin, timeout=120) as client:
        answer = client.post(
            "/v1/auth/register",
            json={"username": f"bench-{secrets.token_hex(4)}@example.fi", "password": PASSWORD},
        )
        if answer.status_code >= 300:
            raise RuntimeError(f"register wallet: {answer.status_code} {answer.text[:300]}")
        token = str(answer.json()["access_token"])
        binding = client.get("/v1/wallet/binding", headers={"Authorization": f"Bearer {token}"})
        if binding.status_code != 200:
            raise RuntimeError(f"wallet binding: {binding.status_code} {binding.text[:300]}")
        jwk: JWK = binding.json()["jwk"]
    return token, jwk


def issue_to(server: Running, fixture: Fixture, jwk: JWK, count: int) -> list[str]:
    """``count`` credentials issued to ``jwk`` through the batch endpoint (100 per request)."""
    public = {k: v for k, v in jwk.items() if k in ("kty", "crv", "x", "y")}
    issued: list[str] = []
    with httpx.Client(base_url=server.origin, timeout=300) as client:
        for offset in range(0, count, 100):
            answer = client.post(
                f"/v1/issuers/{ISSUER_SLUG}/credentials/batch",
                headers={
                    "Authorization": f"Bearer {fixture.issuer_key}",
                    "Idempotency-Key": secrets.token_urlsafe(16),
                },
                json={"items": _items(public, min(100, count - offset), offset)},
            )
            if answer.status_code != 200 or answer.json().get("failed") != 0:
                raise RuntimeError(f"batch issuance: {answer.status_code} {answer.text[:300]}")
            issued.extend(item["credential"]["credential"] for item in answer.json()["items"])
    return issued


def core_checker(fixture: Fixture) -> CredentialChecker:
    """Signature, Disclosures, validity and holder binding by the core; no status fetch."""
    key = public_key_from_jwk(fixture.issuer_jwk)
    resolve = pinned_key(key, issuer=fixture.issuer_identifier)

    def check(credential: str, *, holder_jwk: JWK, now: datetime) -> CheckedCredential:
        verified = verify_sd_jwt_vc_issuance(
            credential,
            resolve_issuer_key=resolve,
            algorithms=ALGORITHMS,
            accepted_typ=_ACCEPTED,
            now=now,
            clock_tolerance=timedelta(seconds=60),
        )
        bound = holder_key_from_cnf(verified.claims)
        if bound.thumbprint != public_key_from_jwk(holder_jwk).thumbprint:
            raise ValueError("the credential is bound to another key")
        exp = verified.claims.get("exp")
        return CheckedCredential(
            format="dc+sd-jwt",
            issuer=verified.issuer,
            issuer_name="Omnia",
            vct=verified.vct,
            claims={k: v for k, v in verified.claims.items() if k not in PLAIN_CLAIMS},
            valid_from=datetime.fromtimestamp(int(verified.claims["iat"]), UTC),
            valid_until=None if exp is None else datetime.fromtimestamp(int(exp), UTC),
            status="valid",
        )

    return check


def receive_all(server: Running, fixture: Fixture, token: str, credentials: list[str]) -> None:
    """Store every credential in the wallet through the wallet service (one commit each)."""
    now = datetime.now(UTC)
    check = core_checker(fixture)
    with Session(server.engine, expire_on_commit=False) as session:
        holder_id = authenticate_access(session, access_token=token, now=now)
        vault = open_vault(session, holder_id=holder_id, kek=server.kek)
        for credential in credentials:
            store_received(
                session,
                vault=vault,
                credential=credential,
                verify=check,
                kek=server.kek,
                base_url=server.base_url,
                now=now,
            )
            session.commit()
