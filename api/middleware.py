"""Pure ASGI middleware: request context (id, access log, last-resort 500) and the body limit.

Both sit outside routing, so they apply to every path, including ones that do not exist.

- :class:`RequestContext` gives each request an id (a sane incoming ``X-Request-ID`` is kept),
  writes one access-log line (method, route template, status, duration, request id; never the
  query string, body or credential headers) and turns any unhandled exception into a generic 500
  problem after logging its type and traceback, without its message, with the request id
  (:func:`api.logs.log_server_error`).
- :class:`BodyLimit` answers 413 when ``Content-Length`` is above the limit, before the app is
  called, and stops a chunked body as soon as it grows past the limit, without reading it whole.
"""

import json
import logging
import re
import secrets
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.logs import log_server_error
from api.problems import PROBLEM_JSON, problem_body

access_logger = logging.getLogger("taito.access")

_REQUEST_ID = re.compile(r"\A[A-Za-z0-9._-]{8,64}\Z")


async def _send_problem(
    send: Send,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    request_id: str | None,
    add_request_id_header: bool,
) -> None:
    body = json.dumps(
        problem_body(status=status, code=code, title=title, detail=detail, request_id=request_id)
    ).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if request_id and add_request_id_header:
        headers.append((b"x-request-id", request_id.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            log_server_error(error, status=500, code="internal_error", request_id=request_id)
            if not response_started:
                status = 500
                await _send_problem(
                    send,
                    status=500,
                    code="internal_error",
                    title="Something went wrong on our side",
                    detail="The error has been logged; quote the request id if you report it.",
                    request_id=request_id,
                    add_request_id_header=True,
                )
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "(unmatched)"
            access_logger.info(
                "%s %s %s %.1fms",
                scope.get("method"),
                template,
                status,
                (time.perf_counter() - started) * 1000,
                extra={
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "route": template,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )


class _BodyTooLarge(HTTPException):
    # An HTTPException so that FastAPI's body parsing re-raises it unchanged and the problem
    # handler answers 413, whoever happens to be reading the body.
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"Request bodies may be at most {max_bytes} bytes.")


class BodyLimit:
    """``max_bytes`` everywhere, except paths matching ``bulk_paths`` (batch issuance, wallet
    import, the spreadsheet upload of the organisation pages), which may carry up to
    ``max_bulk_bytes``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        max_bulk_bytes: int,
        bulk_paths: re.Pattern[str] = re.compile(
            r"/v1/(issuers/[^/]+/credentials/batch|wallet/import)|/org/[^/]+/batch"
        ),
    ) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.max_bulk_bytes = max(max_bulk_bytes, max_bytes)
        self.bulk_paths = bulk_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bulk = self.bulk_paths.fullmatch(scope.get("path", ""))
        limit = _Limit(self.max_bulk_bytes if bulk else self.default_max_bytes)
        await limit(self.app, scope, receive, send)


class _Limit:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    async def __call__(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = scope.get("state", {}).get("request_id")
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                too_large = False
            if too_large:
                await self._reject(send, request_id)
                return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await self._reject(send, request_id)

    async def _reject(self, send: Send, request_id: Any) -> None:
        await _send_problem(
            send,
            status=413,
            code="request_too_large",
            title="The request body is too large",
            detail=f"Request bodies may be at most {self.max_bytes} bytes.",
            request_id=request_id if isinstance(request_id, str) else None,
            add_request_id_header=False,
        )
