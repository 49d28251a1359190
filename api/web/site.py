"""Mounting the pages on the app: templates, static assets, routers, headers and error pages."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.route_table import add_routes
from api.web import (
    accounts,
    docs,
    guidance_pages,
    offer_pages,
    org_admin_pages,
    org_batch_pages,
    org_issue_pages,
    org_issuer_pages,
    org_opportunity_pages,
    org_pages,
    org_people_pages,
    org_register_pages,
    org_verifier_pages,
    org_verify_pages,
    outside_request_pages,
    platform_trust_import_pages,
    platform_trust_pages,
    profile_pages,
    request_pages,
    settings_pages,
    share_pages,
    share_steps,
    shared_view,
    wallet_pages,
)
from api.web.errors import install_page_error_handlers
from api.web.rendering import build_templates
from api.web.security import SecurityHeaders

STATIC = Path(__file__).parent / "static"


def install_web(app: FastAPI) -> None:
    """Add the pages, their assets and the API docs; call after the problem handlers."""
    app.state.web_templates = build_templates()
    app.mount("/static/web", StaticFiles(directory=STATIC), name="web-static")
    docs.install_docs(app)
    for module in (
        accounts,
        wallet_pages,
        offer_pages,
        profile_pages,
        guidance_pages,
        share_steps,
        share_pages,
        request_pages,
        outside_request_pages,
        settings_pages,
        shared_view,
        org_pages,
        org_admin_pages,
        org_issuer_pages,
        org_people_pages,
        org_opportunity_pages,
        platform_trust_pages,
        platform_trust_import_pages,
        org_verifier_pages,
        org_verify_pages,
        org_batch_pages,
        org_issue_pages,
        org_register_pages,
    ):
        add_routes(app, module.router, include_in_schema=False)
    install_page_error_handlers(app)
    app.add_middleware(SecurityHeaders)
