"""``Cache-Control: no-store`` unless a route chose otherwise: private by default.

Nearly every answer of the API carries personal data or a secret: credentials, claims, skills,
shares and their views, activity, exports, tokens, verification reports, the issuer register.
RFC 9111 §5.2.2.5: ``no-store`` asks every cache (the browser's, a proxy's) to keep no copy.
Rather than trusting each route to remember it, this pure ASGI middleware adds it to every
response that has no ``Cache-Control`` of its own; only the public documents (status lists,
issuer metadata, DID documents, type metadata) set one, and they hold nothing personal.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = b"no-store"


class PrivateByDefault:
    """Adds ``Cache-Control: no-store`` to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", NO_STORE))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_private)
