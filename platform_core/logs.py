"""JSON log lines, each carrying the request id of the request that wrote it.

Every request writes an access line, so this is on the path every request takes: lines are made by
a small orjson formatter rather than a general-purpose one, and the standard library is told not to
gather what no line shows (the caller's file and line, thread and process names), as the logging
HOWTO's "Optimization" section describes. A line looks like:

    {"time": "2026-11-29T09:12:01.325Z", "level": "INFO", "name": "platform.access", "message": "request",
     "request_id": "3729c17f...", "part": "gateway", "method": "GET", "path": "/api/ideas/whoami", ...}

with any `extra={...}` fields after `part`, and `exc_info` / `stack_info` when there are some.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

import orjson
from asgi_correlation_id import CorrelationIdFilter

# Attributes every LogRecord has; whatever else a record carries came from `extra=` and is logged.
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "correlation_id",
    "taskName",
}
# Loggers that write a line of their own for every request, which the access line already covers.
_PER_REQUEST_LOGGERS = ("httpx", "httpcore", "aiohttp.access")


def _default(value: Any) -> str:
    """Anything orjson cannot encode natively (Decimal, Path, an exception...) is logged as text."""
    return str(value)


class JsonLineFormatter(logging.Formatter):
    """One compact JSON object per record, fields in a fixed order."""

    def __init__(self, part: str) -> None:
        super().__init__()
        self.part = part
        self._second = -1
        self._second_text = ""

    def _time(self, created: float) -> str:
        # ISO 8601 in UTC with milliseconds ("2026-11-29T09:12:01.325Z"), whatever the machine's zone,
        # so that lines from several machines sort and join; the seconds' text is made once a second.
        second = int(created)
        if second != self._second:
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = second
        return f"{self._second_text}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname,
            "name": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "correlation_id", "-"),
            "part": self.part,
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES:
                line[key] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        try:
            return orjson.dumps(line, default=_default).decode()
        except TypeError:  # e.g. an integer beyond 64 bits, or a key that is not a string
            return json.dumps(line, default=_default, ensure_ascii=False)


def configure_logging(part: str, level: str = "INFO") -> None:
    # Nothing in a line needs the caller's source position, thread or process: skip gathering them.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False

    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(CorrelationIdFilter(name="", default_value="-"))
    handler.setFormatter(JsonLineFormatter(part))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Uvicorn's own access log is replaced by ours (which carries the request id).
    logging.getLogger("uvicorn.access").handlers[:] = []
    logging.getLogger("uvicorn.access").propagate = False
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # A line per outgoing HTTP call at INFO doubles the log of a part that calls another; the called
    # part's access line (same request id) already records it. Their warnings and errors still show,
    # and at DEBUG everything does.
    if root.level > logging.DEBUG:
        for name in _PER_REQUEST_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
