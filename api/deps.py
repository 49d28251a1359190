"""FastAPI dependencies shared by the routers (``Annotated`` aliases; docs/architecture.md)."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.settings import Settings
from verifiers.issuer_trust import Sources
from verifiers.request_objects import RequestSigner


def settings_of(request: Request) -> Settings:
    """The app's settings. Also for a hot endpoint that keeps its dependencies few: each costs
    FastAPI tens of microseconds per request to solve (docs/architecture.md)."""
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    return settings


def kek_of(request: Request) -> bytes:
    """The key-encryption key (as :func:`settings_of`)."""
    kek = request.app.state.kek
    assert isinstance(kek, bytes)
    return kek


def engine_of(request: Request) -> Engine:
    """The app's database engine (as :func:`settings_of`)."""
    engine = request.app.state.engine
    assert isinstance(engine, Engine)
    return engine


def sources_of(request: Request, session: Session) -> Sources:
    """Where the gate fetches documents and learns about this instance's issuers (per request).

    ``create_app`` installs the one factory (``api.composition.install_verifier_sources``).
    """
    sources = request.app.state.verifier_sources(session)
    assert isinstance(sources, Sources)
    return sources


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def get_engine(request: Request) -> Engine:
    return engine_of(request)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request; the services decide when to commit.

    Opening a session does no I/O, and neither does closing one whose transaction has ended
    (committed, or never begun): both happen here on the event loop, which spares every
    request two hops through the thread pool (a sync dependency with ``yield`` enters and
    leaves in the pool). A session still in a transaction (a read, or an error before the
    commit) is closed in the pool, since closing rolls back over the network.
    """
    session = Session(engine_of(request), expire_on_commit=False)
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


async def get_kek(request: Request) -> bytes:
    return kek_of(request)


def get_request_signer(request: Request) -> RequestSigner | None:
    """What signs this instance's OpenID4VP Request Objects (``None``: not configured)."""
    signer = request.app.state.request_signer
    assert signer is None or isinstance(signer, RequestSigner)
    return signer


async def get_verifier_sources(
    request: Request, session: Annotated[Session, Depends(get_session)]
) -> Sources:
    """:func:`sources_of` as a dependency."""
    return sources_of(request, session)


OwnSession = Session
"""The type of the session a hot endpoint's work gets in a work thread
(:func:`api.flows.transaction.in_own_session`): routers import no database library."""

SettingsDep = Annotated[Settings, Depends(get_settings)]
KEKDep = Annotated[bytes, Depends(get_kek)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
SourcesDep = Annotated[Sources, Depends(get_verifier_sources)]
RequestSignerDep = Annotated[RequestSigner | None, Depends(get_request_signer)]
