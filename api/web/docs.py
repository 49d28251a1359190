"""``/docs`` (Swagger UI) and ``/redoc`` from packaged assets, so the docs work offline.

The assets come from the ``fastapi-offline`` package (it ships Swagger UI and ReDoc builds);
Taito serves them at ``/static/docs``. The Swagger UI is started by a small script file of our
own (no inline script, so the Content-Security-Policy holds). The OpenAPI document names the
bearer schemes (wallet access token, issuer and verifier API keys, admin token) so "Authorize"
offers them.
"""

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"

SCHEMES: dict[str, tuple[str, str]] = {
    "WalletToken": ("/v1/wallet", "A person's access token (tat_...) from /v1/auth/login."),
    "IssuerKey": ("/v1/issuers", "An issuer's API key (tik_...)."),
    "VerifierKey": ("/v1/verifiers", "A verifier's API key (tvk_...)."),
    "AdminToken": ("/v1/admin", "The instance's admin token (tadm_...)."),
}

_SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Taito API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/docs/swagger-ui.css">
<link rel="icon" href="/static/docs/favicon.png"></head>
<body><main id="swagger-ui"></main>
<script src="/static/docs/swagger-ui-bundle.js"></script>
<script src="/static/web/swagger-start.js"></script></body></html>
"""

_REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Taito API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/static/docs/favicon.png"></head>
<body><redoc spec-url="/openapi.json"></redoc>
<script src="/static/docs/redoc.standalone.js"></script></body></html>
"""


def _security(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    components["securitySchemes"] = {
        name: {"type": "http", "scheme": "bearer", "description": description}
        for name, (_, description) in SCHEMES.items()
    }
    for path, operations in schema.get("paths", {}).items():
        for name, (prefix, _) in SCHEMES.items():
            wallet_path = name == "WalletToken" and path.startswith("/v1/auth/logout")
            if path.startswith(prefix) or wallet_path:
                for operation in operations.values():
                    operation.setdefault("security", [{name: []}])
        if path.startswith("/v1/verifications"):
            for operation in operations.values():
                operation.setdefault("security", [{"VerifierKey": []}])
    return schema


def install_docs(app: FastAPI) -> None:
    """Serve the assets, the two docs pages, and an OpenAPI document with the bearer schemes."""
    app.mount("/static/docs", StaticFiles(directory=ASSETS), name="docs-static")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _security(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(_SWAGGER)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(_REDOC)
