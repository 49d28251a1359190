"""Shared data and helpers for the issuer tests (no tests here).

Sample claims of each credential type, a fixed clock, a KEK and helpers that create issuers and
verify what they issued with the credential core.
"""

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from credentials.keys import PrivateKey, PublicKey, generate_key
from credentials.resolvers import PinnedKeys
from credentials.sd_jwt_vc import VCTyp, VerifiedCredential, verify_sd_jwt_vc_issuance
from issuers.custody import published_keys
from issuers.issuance_input import CredentialRequest, HolderBinding
from issuers.organisations import CreatedIssuer, create_issuer
from schemas import SLUGS

BASE_URL = "https://taito.test"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALGORITHMS = ("EdDSA", "ES256")
SD_JWT_VC: tuple[VCTyp, ...] = ("dc+sd-jwt",)
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
DATABASE = "http://data.europa.eu/esco/skill/43ae58b9-5e56-4524-b45a-b422777a0576"
HETU = "131052-308T"
"""The example personal identity code of the Digital and Population Data Services Agency."""

_PERSON = {"given_name": "Aino", "family_name": "Testinen", "birth_date": "1999-04-01"}
_SKILLS = [
    {"uri": PYTHON, "label": "Python (computer programming)", "level": "advanced"},
    {"uri": DATABASE, "label": "database"},
]

SAMPLE_CLAIMS: dict[str, dict[str, Any]] = {
    "qualification": {
        **_PERSON,
        "title": "Insinööri (AMK), tieto- ja viestintätekniikka",
        "kind": "bachelor",
        "eqf_level": 6,
        "nqf_level": 6,
        "awarding_body": {"name": "Esimerkin ammattikorkeakoulu", "country": "FI"},
        "date_awarded": "2025-06-01",
        "credits": {"value": 240, "unit": "ects"},
        "grade": "4.1",
        "learning_outcomes": ["Designs and builds software systems."],
        "skills": _SKILLS,
    },
    "study_attainment": {
        **_PERSON,
        "course": {"name": "Tietokannat", "code": "TKT-101"},
        "credits": {"value": 5, "unit": "ects"},
        "grade": "5",
        "date": "2025-05-20",
        "level": {"eqf_level": 6, "study_level": "basic"},
        "skills": [_SKILLS[1]],
    },
    "competence": {
        **_PERSON,
        "skill": {"uri": PYTHON, "label": "Python (computer programming)"},
        "proficiency": {"level": "B2", "scale": "cefr"},
        "assessment_method": "skills_demonstration",
        "evidence": "Näyttö 2025-03-01",
        "assessor": {"name": "Arvioija Esimerkki", "organisation": "Esimerkki Oy"},
        "date": "2025-03-01",
    },
    "work_experience": {
        **_PERSON,
        "employer": {"name": "Esimerkki Oy", "business_id": "0112038-9"},
        "role": {"title": "Ohjelmistokehittäjä"},
        "start_date": "2020-01-01",
        "end_date": "2024-12-31",
        "working_time": {"type": "full_time", "hours_per_week": 37.5},
        "tasks": ["Backend development", "Code review"],
        "skills": _SKILLS,
        "evaluation": "Erinomainen",
        "reason_for_ending": "Työntekijän oma irtisanoutuminen",
    },
    "prior_learning_recognition": {
        **_PERSON,
        "recognised": {"description": "Ohjelmointiosaaminen", "source": "Työkokemus"},
        "toward": {"name": "Ohjelmointi 1", "code": "OHJ1", "kind": "module"},
        "credits_recognised": {"value": 5, "unit": "ects"},
        "decision_date": "2025-02-01",
        "recognising_institution": {"name": "Esimerkin ammattikorkeakoulu"},
        "skills": [_SKILLS[0]],
    },
}


def new_kek() -> bytes:
    return secrets.token_bytes(32)


def make_issuer(
    session: Session,
    kek: bytes,
    *,
    slug: str | None = None,
    types: Sequence[str] = SLUGS,
    alg: str = "EdDSA",
) -> CreatedIssuer:
    # Unique slugs: on SQLite the rolled-back session fixture does not undo commits (pysqlite
    # starts no transaction before the first SAVEPOINT), so tests must not collide.
    slug = slug or f"esimerkki-{secrets.token_hex(4)}"
    return create_issuer(
        session, name=f"Issuer {slug}", slug=slug, types=types, alg=alg, kek=kek, now=NOW
    )


def holder_key(alg: str = "ES256") -> PrivateKey:
    return generate_key("ES256" if alg == "ES256" else "EdDSA")


def request_for(
    slug: str,
    holder: PublicKey,
    *,
    fmt: str = "dc+sd-jwt",
    claims: dict[str, Any] | None = None,
    **extra: Any,
) -> CredentialRequest:
    return CredentialRequest(
        type=slug,
        claims=dict(SAMPLE_CLAIMS[slug] if claims is None else claims),
        holder=HolderBinding(jwk=holder.jwk),
        format=fmt,
        **extra,
    )


def verify_issued(
    session: Session, issuer_id: str, identifier: str, credential: str, *, now: datetime = NOW
) -> VerifiedCredential:
    """Verify an issued SD-JWT VC with the issuer's published keys (pinned)."""
    keys = published_keys(session, issuer_id=issuer_id, now=now)
    return verify_sd_jwt_vc_issuance(
        credential,
        resolve_issuer_key=PinnedKeys({identifier: keys}),
        algorithms=ALGORITHMS,
        accepted_typ=SD_JWT_VC,
        now=now + timedelta(seconds=1),
        clock_tolerance=timedelta(seconds=60),
    )
