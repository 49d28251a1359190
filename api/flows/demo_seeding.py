"""Demo seeding: organisations, people and credentials for development, created once and kept.

:func:`seed_demo` runs only when ``TAITO_DEMO`` is on **and** the environment is development
(production refuses demo settings at start, :meth:`api.settings.Settings.check_production`). It
creates what :mod:`api.demo.data` describes through the same services the API uses: the admin's
``create_issuer``/``create_verifier``, the wallet's ``register``, the issuer's
``issue_credential`` (bound to each person's wallet key), and the receive flow
(:func:`api.flows.receive.receive_credential`) through the verifiers' one gate
(docs/security.md). It runs against an application built by ``create_app`` (its verifier
sources and caches), as a request would. Nothing is written to the database behind the
services' backs; each service call and each receipt is its own transaction, so an interrupted
run keeps what it finished.

The demo's secrets (API keys shown once, the people's and the staff's passwords) are kept in
``<data_dir>/demo-credentials.json`` (0600), so ``taito dev`` can print them at every start and
``taito demo`` can use them. The file is saved after every step: an interrupted first run
resumes where it stopped (issuance is idempotent per ``Idempotency-Key``; a credential already
received is skipped). When the database no longer holds the file's organisations (it was
deleted), the demo is created afresh.
"""

import contextlib
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session

from api.caches import AppCaches
from api.demo.data import ISSUERS, OPPORTUNITIES, PEOPLE, STAFF, VERIFIERS, OrganisationSpec
from api.demo.secrets_file import (
    DEMO_FILE,
    VERSION,
    DemoCredentials,
    DemoOrganisation,
    DemoPerson,
    DemoSeedError,
    credentials_of,
    read_state,
    write_state,
)
from api.flows.ports import credential_checker
from api.flows.receive import receive_credential
from api.settings import Environment, Settings
from issuers.errors import IssuerNotFound
from issuers.identifiers import issuer_identifier
from issuers.issuance import issue_credential
from issuers.issuance_input import CredentialRequest, HolderBinding
from issuers.opportunities import OpportunitySpec, publish_opportunity
from issuers.organisations import create_issuer, get_issuer
from verifiers.errors import VerifierNotFound
from verifiers.organisations import create_verifier, get_verifier
from wallet.accounts import Argon2Parameters, register
from wallet.checker import CredentialChecker
from wallet.errors import CredentialDuplicate
from wallet.holder_keys import holder_binding
from wallet.passwords import PasswordHashing
from wallet.staff import create_staff_account

__all__ = [
    "DEMO_FILE",
    "DemoCredentials",
    "DemoOrganisation",
    "DemoPerson",
    "DemoSeedError",
    "demo_enabled",
    "demo_file",
    "seed_demo",
]


def demo_enabled(settings: Settings) -> bool:
    """Demo data exists only with ``TAITO_DEMO`` on in development."""
    return settings.demo and settings.environment is Environment.DEVELOPMENT


def demo_file(settings: Settings) -> Path:
    return settings.data_dir / DEMO_FILE


def seed_demo(app: FastAPI, *, argon2: Argon2Parameters | None = None) -> DemoCredentials | None:
    """Create the demo once in ``app``'s database (see the module docstring); ``None`` when off.

    ``argon2`` is the password hashing cost for the demo people (RFC 9106 defaults unless a
    test passes cheaper ones). Raises :class:`DemoSeedError` when demo organisations exist in
    the database but ``demo-credentials.json`` does not know them, and the services' errors.
    """
    settings: Settings = app.state.settings
    kek: bytes = app.state.kek
    engine: Engine = app.state.engine
    caches: AppCaches = app.state.caches
    if not demo_enabled(settings):
        return None
    path = demo_file(settings)
    state = read_state(path)
    with Session(engine, expire_on_commit=False) as session, caches.installed():
        if state is not None and not _present(session, state, settings):
            state = None  # The database was replaced: the old secrets name nothing.
        staff = state.get("staff", {}) if state is not None else {}
        if state is not None and state.get("complete") and all(m.username in staff for m in STAFF):
            return credentials_of(state, path, created=False)
        state = state or {"version": VERSION, "complete": False}
        check = credential_checker(
            session, sources=app.state.verifier_sources(session), base_url=settings.base_url
        )
        _seed(session, state, path, settings, kek, argon2 or Argon2Parameters(), check)
    return credentials_of(state, path, created=True)


def _seed(
    session: Session,
    state: dict[str, Any],
    path: Path,
    settings: Settings,
    kek: bytes,
    argon2: Argon2Parameters,
    check: CredentialChecker,
) -> None:
    issuers: dict[str, Any] = state.setdefault("issuers", {})
    for spec in ISSUERS:
        if spec.slug not in issuers:
            issuers[spec.slug] = _new_issuer(session, spec, settings, kek)
            write_state(path, state)
    published: list[str] = state.setdefault("opportunities", [])
    for offered in OPPORTUNITIES:
        if offered.title not in published:
            issuer = get_issuer(session, slug=offered.issuer)
            offer = OpportunitySpec(
                title=offered.title,
                provider=issuer.name,
                description=offered.description,
                skills=offered.skills,
                eqf_level=offered.eqf_level,
                duration=offered.duration,
                mode=offered.mode,
                language=offered.language,
                link=offered.link,
            )
            publish_opportunity(session, issuer=issuer, spec=offer, now=datetime.now(UTC))
            published.append(offered.title)
            write_state(path, state)
    verifiers: dict[str, Any] = state.setdefault("verifiers", {})
    for spec in VERIFIERS:
        if spec.slug not in verifiers:
            verifiers[spec.slug] = _new_verifier(session, spec, settings)
            write_state(path, state)
    people: dict[str, Any] = state.setdefault("people", {})
    for person in PEOPLE:
        if person.username not in people:
            password = "demo-" + secrets.token_urlsafe(12)
            registration = register(
                session,
                username=person.username,
                password=password,
                kek=kek,
                hashing=PasswordHashing.serial(argon2),
                client=None,
                now=datetime.now(UTC),
            )
            people[person.username] = {
                "name": person.name,
                "password": password,
                "holder_id": registration.holder_id,
            }
            write_state(path, state)
    staff: dict[str, Any] = state.setdefault("staff", {})
    for member in STAFF:
        if member.username not in staff:
            password = "demo-" + secrets.token_urlsafe(12)
            create_staff_account(
                session,
                username=member.username,
                password=password,
                name=member.name,
                hashing=PasswordHashing.serial(argon2),
                now=datetime.now(UTC),
                organisation=member.organisation or None,
                role=None if member.platform_admin else member.role,
                platform_admin=member.platform_admin,
            )
            staff[member.username] = {
                "password": password,
                "organisation": member.organisation,
                "role": member.role,
                "name": member.name,
            }
            write_state(path, state)
    for person in PEOPLE:
        holder_id = people[person.username]["holder_id"]
        jwk = holder_binding(session, holder_id=holder_id).jwk
        for number, wanted in enumerate(person.credentials):
            issued = issue_credential(
                session,
                issuer=get_issuer(session, slug=wanted.issuer),
                request=CredentialRequest(
                    type=wanted.type, claims=wanted.claims, holder=HolderBinding(jwk=dict(jwk))
                ),
                idempotency_key=f"demo:{person.username}:{number}",
                kek=kek,
                base_url=settings.base_url,
                now=datetime.now(UTC),
            )
            _receive(session, holder_id, issued.credential, check, settings, kek)
    state["complete"] = True
    write_state(path, state)


def _receive(
    session: Session,
    holder_id: str,
    credential: str,
    check: CredentialChecker,
    settings: Settings,
    kek: bytes,
) -> None:
    # A credential received before an interruption is replayed by the issuer: skip it.
    with contextlib.suppress(CredentialDuplicate):
        receive_credential(
            session,
            holder_id=holder_id,
            credential=credential,
            verify=check,
            kek=kek,
            base_url=settings.base_url,
            now=datetime.now(UTC),
        )


def _new_issuer(
    session: Session, spec: OrganisationSpec, settings: Settings, kek: bytes
) -> dict[str, str]:
    if _issuer_exists(session, spec.slug):
        raise _lost(settings)
    created = create_issuer(
        session,
        name=spec.name,
        slug=spec.slug,
        types=spec.types,
        alg="ES256",
        kek=kek,
        now=datetime.now(UTC),
    )
    return {
        "name": spec.name,
        "role": spec.role,
        "api_key": created.api_key,
        "identifier": issuer_identifier(settings.base_url, spec.slug),
    }


def _new_verifier(session: Session, spec: OrganisationSpec, settings: Settings) -> dict[str, str]:
    if _verifier_exists(session, spec.slug, settings):
        raise _lost(settings)
    created = create_verifier(
        session,
        slug=spec.slug,
        name=spec.name,
        base_url=settings.base_url,
        now=datetime.now(UTC),
        guidance=spec.guidance,
    )
    return {
        "name": spec.name,
        "role": spec.role,
        "api_key": created.api_key,
        "identifier": created.verifier.client_id,
    }


def _lost(settings: Settings) -> DemoSeedError:
    return DemoSeedError(
        f"the database holds demo organisations but {demo_file(settings)} is missing or "
        "incomplete, so their API keys are lost; delete the development database to create "
        "the demo again"
    )


def _issuer_exists(session: Session, slug: str) -> bool:
    try:
        get_issuer(session, slug=slug)
    except IssuerNotFound:
        return False
    return True


def _verifier_exists(session: Session, slug: str, settings: Settings) -> bool:
    try:
        get_verifier(session, slug=slug, base_url=settings.base_url)
    except VerifierNotFound:
        return False
    return True


def _present(session: Session, state: dict[str, Any], settings: Settings) -> bool:
    """Whether the organisations the file names are all in the database."""
    issuers, verifiers = state.get("issuers", {}), state.get("verifiers", {})
    return all(_issuer_exists(session, slug) for slug in issuers) and all(
        _verifier_exists(session, slug, settings) for slug in verifiers
    )
