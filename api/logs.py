"""Logging set-up: plain text or JSON lines, one access line per request, one line per 5xx.

Only the fields the middleware puts in ``extra`` are emitted; bodies, headers and query strings
are never passed to a logger, so tokens and personal data cannot reach the logs by accident.
Server errors (:func:`log_server_error`) are logged with the request id, the status, the error
code and the exception's type and traceback *without the exception messages*: a message may
quote a claim, a username or a database parameter, a type and a line number never do.
"""

import json
import logging
import traceback
from datetime import UTC, datetime

from api.settings import LogFormat, Settings

_EXTRA_FIELDS = (
    "request_id",
    "method",
    "route",
    "status",
    "duration_ms",
    "error_code",
    "error_type",
    "traceback",
)
error_logger = logging.getLogger("taito.error")
_MAX_CHAINED = 8


class JSONLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _EXTRA_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", None)
        if request_id:
            text = f"{text} [request_id={request_id}]"
        trace = getattr(record, "traceback", None)
        return f"{text}\n{trace}" if trace else text


def error_type(error: BaseException) -> str:
    """The exception's class as ``module.Name`` (builtins without a module)."""
    kind = type(error)
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def exception_summary(error: BaseException) -> str:
    """``error``'s traceback, causes first as Python prints it, with every message left out.

    Frames (file, line, function, source line) and exception types stay; ``str(error)`` never
    appears, nor do local variables, so no claim value, token or SQL parameter is written.
    """
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain and len(chain) < _MAX_CHAINED:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts: list[str] = []
    for link in reversed(chain):
        if parts:
            parts.append("The above exception led to:\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.StackSummary.extract(traceback.walk_tb(link.__traceback__)).format())
        parts.append(f"{error_type(link)} (message withheld)\n")
    return "".join(parts).rstrip("\n")


def log_server_error(
    error: BaseException, *, status: int, code: str, request_id: str | None
) -> None:
    """Log one line for a 5xx answer: request id, status, code, exception type and traceback.

    503 (a dependency is unavailable, the client may retry) is a warning; every other 5xx is an
    error. Nothing from the request and no exception message is logged (module docstring).
    """
    kind = error_type(error)
    error_logger.log(
        logging.WARNING if status == 503 else logging.ERROR,
        "%s %s answered %d",
        kind,
        code,
        status,
        extra={
            "request_id": request_id,
            "status": status,
            "error_code": code,
            "error_type": kind,
            "traceback": exception_summary(error),
        },
    )


def configure_logging(settings: Settings) -> None:
    """Route Taito's loggers to stderr in the configured format (idempotent)."""
    handler = logging.StreamHandler()
    if settings.log_format is LogFormat.JSON:
        handler.setFormatter(JSONLineFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("taito")
    # Replace only the handler this function installed before, so captured logs keep theirs.
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "taito_handler", False)]
    handler.taito_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    root.propagate = False
