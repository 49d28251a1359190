"""The application factory. Nothing is built at import time: :func:`create_app` does it all."""

from fastapi import FastAPI
from sqlalchemy import Engine

from api.caches import CacheScope, build_caches
from api.caching import PrivateByDefault
from api.composition import install_verifier_sources
from api.database import build_engine
from api.kek import load_kek
from api.logs import configure_logging
from api.middleware import BodyLimit, RequestContext
from api.openapi import install_openapi
from api.problems import install_problem_handlers
from api.purge_schedule import purge_lifespan
from api.request_signing import load_request_signer, load_trust_anchors
from api.route_table import add_routes
from api.routers import (
    admin_issuers,
    admin_staff,
    admin_verifiers,
    health,
    issuer_opportunities,
    issuers,
    occupations,
    oid4vci,
    openid4vp,
    publishing,
    shares,
    verifier_grants,
    verifiers,
    vocab,
    wallet,
)
from api.settings import Settings, load_settings
from api.web.site import install_web
from api.work_limit import work_limiters
from wallet.passwords import HashingSlots, default_hashing_slots

HASHING_WAIT_SECONDS = 2.0
"""How long a sign-in may wait for a free hashing slot before it is answered 503."""


API_ROUTERS = (
    health.router,
    *wallet.routers,
    admin_verifiers.router,
    verifiers.router,
    openid4vp.router,
    verifier_grants.router,
    issuers.router,
    issuer_opportunities.router,
    admin_issuers.router,
    admin_staff.router,
    publishing.router,
    oid4vci.router,
    vocab.router,
    occupations.router,
    shares.router,
)
"""Every router of the API, in the order :func:`create_app` adds their routes."""


def create_app(settings: Settings, *, engine: Engine | None = None) -> FastAPI:
    """Build the Taito app for ``settings`` (an engine may be handed in by tests)."""
    settings.check_production()
    configure_logging(settings)
    app = FastAPI(
        title="Taito",
        summary="A personal competence wallet built on verifiable credentials.",
        version="0.1.0",
        lifespan=purge_lifespan,
        # Served by api.web.docs from packaged assets (no CDN), under the pages' CSP.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine or build_engine(
        settings.database_url, pool_size=settings.database_pool_size
    )
    app.state.kek = load_kek(settings)
    app.state.request_signer = load_request_signer(settings)
    app.state.openid4vp_anchors = load_trust_anchors(settings, app.state.request_signer)
    app.state.work_limiters = work_limiters(settings.work_threads)
    slots = settings.password_hashing_slots or default_hashing_slots()
    app.state.hashing_slots = HashingSlots(
        slots=slots, max_waiting=4 * slots, max_wait_seconds=HASHING_WAIT_SECONDS
    )
    app.state.caches = build_caches()
    install_verifier_sources(app, settings)
    install_problem_handlers(app)
    install_openapi(app)
    for router in API_ROUTERS:
        add_routes(app, router)
    install_web(app)
    app.add_middleware(CacheScope, caches=app.state.caches)
    # Added last = outermost: the request id exists before the body limit may answer 413.
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        max_bulk_bytes=settings.max_bulk_body_bytes,
    )
    app.add_middleware(RequestContext)
    app.add_middleware(PrivateByDefault)
    return app


def app_from_environment() -> FastAPI:
    """ASGI factory for uvicorn workers (``taito serve``): settings from ``TAITO_*``."""
    return create_app(load_settings())
