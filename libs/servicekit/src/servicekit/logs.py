"""Structured JSON logs carrying the request, correlation and trace ids of the work in progress.

Values a failed statement or a refused message carried (an MRN, a name) are cut out of every
line: `redact_values` is applied to each field, tracebacks included, and to the error text the
consumer writes into a dead letter's headers.
"""

from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

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


class _RedactingJsonFormatter(JsonFormatter):
    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {
            key: redact_values(value) if isinstance(value, str) else value
            for key, value in log_data.items()
        }


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
    handler.setFormatter(
        _RedactingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s "
            "%(service)s %(request_id)s %(correlation_id)s %(trace_id)s %(span_id)s",
            rename_fields={"asctime": "ts", "levelname": "level", "name": "logger"},
            timestamp=False,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Access lines come from our own middleware, with the route template and request id.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
