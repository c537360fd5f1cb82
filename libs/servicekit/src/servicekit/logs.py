"""Structured JSON logs carrying the request, correlation and trace ids of the work in progress.

Values a failed statement or a refused message carried (an MRN, a name) are cut out of every
line: `redact_values` is applied to each field, tracebacks included, and to the error text the
consumer writes into a dead letter's headers.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from contextvars import ContextVar
from datetime import date, datetime
from datetime import time as dt_time
from typing import Any

from servicekit.tracing import log_ids

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id_var: ContextVar[str | None] = ContextVar("causation_id", default=None)


HIDDEN = "[hidden]"
# The shapes in which PostgreSQL, asyncpg, SQLAlchemy and pydantic quote a value they were given.
_VALUE_SHAPES = (
    # PostgreSQL: "DETAIL:  Key (mrn)=(A123) already exists.", "Failing row contains (...)."
    (re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE), rf"\1 {HIDDEN}"),
    # asyncpg refusing a parameter before sending it: the value, then why (quoting it again).
    (re.compile(r"(invalid input for query argument \$\d+:).*$", re.MULTILINE), rf"\1 {HIDDEN}"),
    # PostgreSQL: 'invalid input syntax for type integer: "A123"' and its kin.
    (re.compile(r"""(: )(?:"[^"\n]*"|'[^'\n]*')"""), rf"\1{HIDDEN}"),
    # contracts: "unknown event 'A123' version 1": the type came from the message.
    (re.compile(r"""(unknown event )(?:'[^'\n]*'|"[^"\n]*")"""), rf"\1{HIDDEN}"),
    # SQLAlchemy, where an engine does not hide them: "[parameters: ('A123', 3)]".
    (re.compile(r"\[parameters: .*$", re.MULTILINE), f"[parameters {HIDDEN}]"),
    # pydantic: "[type=string_type, input_value=..., input_type=int]".
    (re.compile(r"input_value=.*?, input_type=", re.DOTALL), f"input_value={HIDDEN}, input_type="),
)


def redact_values(text: str) -> str:
    """`text` without the values a database or validation error quotes from its input."""
    for shape, replacement in _VALUE_SHAPES:
        text = shape.sub(replacement, text)
    return text


# Whether a text may hold one of _VALUE_SHAPES: one search, so the common line (an access
# line, a plain message) is not run through every substitution.
_MAY_QUOTE_A_VALUE = re.compile(
    r"DETAIL:|invalid input for query argument|: [\"']|unknown event |\[parameters: |input_value="
)
# A LogRecord's own attributes; any other one is a field a caller passed in `extra`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}
_may_quote_a_value = _MAY_QUOTE_A_VALUE.search


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date | dt_time):
        return value.isoformat()
    return str(value)  # a UUID, an enum, an exception: their text


# `json.dumps` with a `default` makes an encoder per call; one made once writes the same text.
_encode = json.JSONEncoder(default=_json_default).encode


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line: `ts`, `level`, `logger`, `message`, the context fields, then
    `exc_info`, then the caller's `extra` fields; every text redacted (`redact_values`).

    Built directly rather than through python-json-logger's generic machinery: it ran all six
    redactions over every field of every line, an access line included, and cost a read by id
    several percent of its time (docs/performance.md). The line is the same."""

    def __init__(self) -> None:
        super().__init__()
        self._second = -1
        self._second_text = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        # logging's own "2026-12-02 22:38:37,107", the local date and time made once a second.
        second = int(record.created)
        if second != self._second:
            self._second_text = time.strftime(self.default_time_format, self.converter(second))
            self._second = second
        return f"{self._second_text},{int(record.msecs):03d}"

    def format(self, record: logging.LogRecord) -> str:
        # Every access line comes through here: field by field, no call that can be saved.
        fields = record.__dict__
        line: dict[str, Any] = {
            "ts": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            # The context fields (_ContextFilter), null when a record came without them.
            "service": fields.get("service"),
            "request_id": fields.get("request_id"),
            "correlation_id": fields.get("correlation_id"),
            "trace_id": fields.get("trace_id"),
            "span_id": fields.get("span_id"),
        }
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        for name, value in fields.items():
            if name not in _RECORD_ATTRIBUTES and name not in line:
                line[name] = value
        for name, value in line.items():
            if isinstance(value, str) and _may_quote_a_value(value):
                line[name] = redact_values(value)
        return _encode(line)


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.request_id = request_id_var.get()
        record.correlation_id = correlation_id_var.get()
        record.trace_id, record.span_id = log_ids()
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log line, ours and the libraries', to stdout as one JSON object."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_ContextFilter(service))
    handler.setFormatter(JsonLineFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Access lines come from our own middleware, with the route template and request id.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
    # A line shows none of the thread, process or multiprocessing names a record would look up
    # for every line (the `logging` HOWTO's "Optimization"); the line is the same without.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
