"""Logging set-up: plain text or JSON lines, one access line per request.

Only the fields the middleware puts in ``extra`` are emitted; bodies, headers and query strings
are never passed to a logger, so tokens and personal data cannot reach the logs by accident.
"""

import json
import logging
from datetime import UTC, datetime

from api.settings import LogFormat, Settings

_EXTRA_FIELDS = ("request_id", "method", "route", "status", "duration_ms")


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
        return f"{text} [request_id={request_id}]" if request_id else text


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
