"""``/docs`` (Swagger UI) and ``/redoc`` from packaged assets, so the docs work offline.

The assets come from the ``fastapi-offline`` package (it ships Swagger UI and ReDoc builds);
Taito serves them at ``/static/docs``. The Swagger UI is started by a small script file of our
own (no inline script, so the Content-Security-Policy holds). The OpenAPI document names the
bearer schemes (wallet access token, issuer and verifier API keys, admin token) so "Authorize"
offers them.
"""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"

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


def install_docs(app: FastAPI) -> None:
    """Serve the assets and the two docs pages (the document itself: :mod:`api.openapi`)."""
    app.mount("/static/docs", StaticFiles(directory=ASSETS), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(_SWAGGER)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse(_REDOC)
