"""Security headers on every response, and ``no-store`` on every page.

- ``Content-Security-Policy``: only this origin's scripts and styles, nothing inline, no
  frames of us anywhere (``frame-ancestors 'none'``), forms post only to us. The API docs pages
  (Swagger UI and ReDoc, third-party code that sets styles at run time) additionally allow
  inline *styles*, never inline scripts.
- ``Referrer-Policy: no-referrer``: share tokens live in URLs and must not leak to other sites.
- ``X-Content-Type-Options: nosniff`` and ``X-Frame-Options: DENY`` for older browsers.
- ``Cache-Control: no-store`` on every HTML page (pages show personal data, and a shared
  computer's back button must not show them after sign-out); static assets may be cached.
"""

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
DOCS_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
DOCS_PATHS: Final = frozenset({"/docs", "/redoc"})


class SecurityHeaders:
    """Pure ASGI middleware adding the headers above (a header the app set is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope.get("path") in DOCS_PATHS else PAGE_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                wanted = [
                    (b"content-security-policy", policy.encode()),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                ]
                content_type = dict(headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    wanted.append((b"cache-control", b"no-store"))
                headers.extend(item for item in wanted if item[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
