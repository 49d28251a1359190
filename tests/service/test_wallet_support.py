"""Support for the wallet's tests: a test issuer, a real pinned-key checker, sample claims.

The checker is a real verifier built on the credential core (SD-JWT VC issuance verification
with the issuer's key pinned, the holder binding compared by RFC 7638 thumbprint), not a stub:
the tests in this module show that it rejects what it must.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlmodel import Session

from credentials.did_jwk import resolve_did_jwk
from credentials.errors import HolderBindingMismatch, IssuerKeyUnresolved, TaitoError
from credentials.jws import parse_compact, payload_object
from credentials.keys import JWK, PrivateKey, generate_key, jwk_thumbprint, public_key_from_jwk
from credentials.resolvers import PinnedKeys
from credentials.sd_jwt_disclosable import mark_paths
from credentials.sd_jwt_issuer import random_salt
from credentials.sd_jwt_vc import VCTyp, issue_sd_jwt_vc, verify_sd_jwt_vc_issuance
from credentials.vc_jose import issue_vc_jwt, verify_vc_jwt
from schemas import vct_for
from wallet.accounts import Argon2Parameters, Registration, register
from wallet.checker import CheckedCredential
from wallet.holder_keys import holder_binding
from wallet.passwords import HashingSlots, PasswordHashing

BASE_URL = "https://taito.test"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
KEK = bytes(range(32))
ACCEPTED_TYP: tuple[VCTyp, ...] = ("dc+sd-jwt",)
FAST_ARGON2 = Argon2Parameters(time_cost=1, memory_cost_kib=8, parallelism=1)
"""Cheap argon2id for tests only; production uses the RFC 9106 defaults."""
FAST_HASHING = PasswordHashing.serial(FAST_ARGON2)

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
TEAMWORK = "http://data.europa.eu/esco/skill/a5b0cd5c-e13a-4ab3-8d93-4d242adcfb01"
CUSTOMER_SERVICE = "http://data.europa.eu/esco/skill/15a33d76-4640-438d-ae64-fdc0c1d3eebc"
PROJECT_MANAGEMENT = "http://data.europa.eu/esco/skill/237db40b-4600-47c0-837f-4a2c4f3014ab"


class CredentialRevoked(TaitoError):
    code = "credential_revoked"
    title = "The issuer has revoked the credential"
    status = 422


@dataclass
class IssuerFixture:
    """An issuer of this test instance with a fixture key."""

    slug: str
    name: str
    key: PrivateKey = field(default_factory=lambda: generate_key("ES256"))

    @property
    def identifier(self) -> str:
        return f"{BASE_URL}/issuers/{self.slug}"

    def issue(
        self,
        type_slug: str,
        claims: Mapping[str, Any],
        holder_jwk: JWK,
        *,
        issued_at: datetime = NOW,
        expires_at: datetime | None = None,
    ) -> str:
        """An SD-JWT VC with every top-level claim and array element selectively disclosable."""
        paths: list[tuple[str | int, ...]] = []
        for name, value in claims.items():
            paths.append((name,))
            if isinstance(value, list):
                paths.append((name, "*"))
        issued = issue_sd_jwt_vc(
            mark_paths(claims, paths),
            issuer=self.identifier,
            vct=vct_for(type_slug, base_url=BASE_URL),
            issued_at=issued_at,
            expires_at=expires_at or issued_at + timedelta(days=3650),
            issuer_key=self.key,
            salt=random_salt,
            holder_key=public_key_from_jwk(holder_jwk),
        )
        return issued.serialized

    def issue_vc_jwt(self, claims: Mapping[str, Any], holder_did: str) -> str:
        """A W3C ``vc+jwt`` about the holder's did:jwk."""
        credential = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "CompetenceCredential"],
            "issuer": self.identifier,
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": holder_did, **claims},
        }
        return issue_vc_jwt(credential, key=self.key, issued_at=NOW)


@dataclass
class PinnedChecker:
    """A real checker: SD-JWT VC verification with pinned issuer keys and holder binding."""

    issuers: list[IssuerFixture]
    revoked: set[str] = field(default_factory=set)
    calls: int = 0

    def revoke(self, credential: str) -> None:
        self.revoked.add(credential.split("~", 1)[0])

    def __call__(self, credential: str, *, holder_jwk: JWK, now: datetime) -> CheckedCredential:
        self.calls += 1
        resolver = PinnedKeys({i.identifier: [i.key.public] for i in self.issuers})
        names = {i.identifier: i.name for i in self.issuers}
        if "~" not in credential:
            facts = verify_vc_jwt(
                credential,
                resolve_issuer_key=resolver,
                now=now,
                clock_tolerance=timedelta(seconds=60),
                algorithms=("ES256",),
            )
            bound = {resolve_did_jwk(s).thumbprint for s in facts.subject_ids}
            if jwk_thumbprint(holder_jwk) not in bound:
                raise HolderBindingMismatch("the credential is not about this holder's key")
            subject = dict(facts.credential["credentialSubject"])
            subject.pop("id", None)
            return CheckedCredential(
                format="vc+jwt",
                issuer=facts.issuer,
                issuer_name=names.get(facts.issuer),
                vct=facts.types[-1],
                claims=subject,
                valid_from=facts.valid_from,
                valid_until=facts.valid_until,
                status="none",
            )
        verified = verify_sd_jwt_vc_issuance(
            credential,
            resolve_issuer_key=resolver,
            algorithms=("ES256", "EdDSA"),
            accepted_typ=ACCEPTED_TYP,
            now=now,
            clock_tolerance=timedelta(seconds=60),
        )
        if verified.holder_jwk is None or jwk_thumbprint(verified.holder_jwk) != jwk_thumbprint(
            holder_jwk
        ):
            raise HolderBindingMismatch("the credential is not bound to this holder's key")
        if credential.split("~", 1)[0] in self.revoked:
            raise CredentialRevoked("the status list says revoked")
        payload = payload_object(parse_compact(credential.split("~", 1)[0]))
        return CheckedCredential(
            format="dc+sd-jwt",
            issuer=verified.issuer,
            issuer_name=names.get(verified.issuer),
            vct=verified.vct,
            claims=verified.claims,
            valid_from=datetime.fromtimestamp(payload["iat"], UTC),
            valid_until=datetime.fromtimestamp(payload["exp"], UTC) if "exp" in payload else None,
            status="none",
        )


def qualification_claims() -> dict[str, Any]:
    """A qualification with exactly 12 top-level claims."""
    return {
        "given_name": "Maija Liisa",
        "family_name": "Virtanen-Kallio",
        "birth_date": "1990-04-17",
        "title": "Tradenomi (AMK), tietojenkäsittely",
        "kind": "bachelor",
        "eqf_level": 6,
        "nqf_level": 6,
        "qualification_code": "671112",
        "awarding_body": {"name": "Haaga-Helia ammattikorkeakoulu", "country": "FI"},
        "date_awarded": "2016-05-31",
        "credits": {"value": 210, "unit": "ects"},
        "grade": "Kiitettävä 4,12",
    }


def qualification_with_skills() -> dict[str, Any]:
    claims = qualification_claims()
    claims["skills"] = [
        {"uri": PYTHON, "label": "Python-ohjelmointi", "level": "5"},
        {"uri": TEAMWORK, "label": "Tiimityö"},
    ]
    return claims


def competence_claims() -> dict[str, Any]:
    return {
        "given_name": "Maija Liisa",
        "family_name": "Virtanen-Kallio",
        "skill": {"uri": PYTHON, "label": "Python programming"},
        "proficiency": {"level": "7", "scale": "eqf"},
        "assessment_method": "exam",
        "date": "2023-11-02",
    }


def work_experience_claims() -> dict[str, Any]:
    return {
        "given_name": "Maija Liisa",
        "family_name": "Virtanen-Kallio",
        "employer": {"name": "Ohjelmistotalo Kuusi Oy", "business_id": "1234567-1"},
        "role": {"title": "Ohjelmistokehittäjä"},
        "start_date": "2016-08-01",
        "end_date": "2022-12-31",
        "skills": [
            {"uri": CUSTOMER_SERVICE, "label": "Asiakaspalvelu", "level": "B2"},
            {"uri": PYTHON, "label": "Python"},
        ],
    }


def committed_session(engine: Engine) -> Iterator[Session]:
    """A session that commits for real on an engine emptied after the test (``clean_engine``).

    The shared ``session`` fixture's savepoint rollback does not isolate tests on SQLite with
    pysqlite's default transaction handling (RELEASE SAVEPOINT outside BEGIN commits), so the
    wallet's tests commit for real and rely on ``clean_engine`` to empty the tables.
    """
    with Session(engine, expire_on_commit=False) as db:
        yield db


def register_holder(session: Session, username: str = "maija@example.fi") -> Registration:
    return register(
        session,
        username=username,
        password="correct horse battery staple",
        kek=KEK,
        hashing=FAST_HASHING,
        client="192.0.2.10",
        now=NOW,
    )


class CountingHasher(PasswordHasher):
    """argon2id that counts what it computes (the same cheap parameters as FAST_ARGON2)."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.calls: list[str] = []

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.calls.append("hash")
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.calls.append(f"verify {str(hash).split('$')[3]}")
        return super().verify(hash, password)


def counting_hashing() -> tuple[CountingHasher, PasswordHashing]:
    """A counting hasher and one-at-a-time hashing through it."""
    hasher = CountingHasher()
    slots = HashingSlots(slots=1, max_waiting=0, max_wait_seconds=0)
    return hasher, PasswordHashing(hasher, slots)


def holder_jwk(session: Session, holder_id: str) -> JWK:
    return holder_binding(session, holder_id=holder_id).jwk


# --- the checker itself is held to account ------------------------------------------------------


def test_pinned_checker_rejects_a_credential_bound_to_another_key() -> None:
    issuer = IssuerFixture("uni", "Test University")
    other = generate_key("ES256").public.jwk
    mine = generate_key("ES256").public.jwk
    credential = issuer.issue("qualification", qualification_claims(), other)
    with pytest.raises(HolderBindingMismatch) as caught:
        PinnedChecker([issuer])(credential, holder_jwk=mine, now=NOW)
    assert caught.value.code == "holder_binding_mismatch"


def test_pinned_checker_rejects_an_issuer_it_does_not_know() -> None:
    issuer = IssuerFixture("uni", "Test University")
    stranger = IssuerFixture("uni", "Impostor")
    jwk = generate_key("ES256").public.jwk
    credential = stranger.issue("qualification", qualification_claims(), jwk)
    with pytest.raises(TaitoError) as caught:
        PinnedChecker([issuer])(credential, holder_jwk=jwk, now=NOW)
    assert caught.value.code == "signature_invalid"
    assert not isinstance(caught.value, IssuerKeyUnresolved)


def dump_rows(engine: Engine) -> str:
    """Every row of every table as text (sealed bytes decoded leniently): a database dump."""
    from api.database import metadata

    parts: list[str] = []
    with engine.connect() as connection:
        for table in metadata().sorted_tables:
            for row in connection.execute(table.select()):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).decode("utf-8", "ignore"))
                        parts.append(bytes(value).decode("latin-1"))
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


CLAIM_VALUES = (
    "Maija Liisa",
    "Virtanen-Kallio",
    "1990-04-17",
    "Tradenomi",
    "tietojenkäsittely",
    "Haaga-Helia",
    "671112",
    "Kiitettävä",
    "Ohjelmistotalo",
    "Ohjelmistokehittäjä",
    "1234567-1",
    "Python-ohjelmointi",
    "ccd0a1d9-afda-43d9-b901-96344886e14d",
    "15a33d76-4640-438d-ae64-fdc0c1d3eebc",
)
"""Claim values of the sample credentials that must never appear in the database in clear."""
