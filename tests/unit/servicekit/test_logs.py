"""Every log line is one JSON object naming the service, request and correlation it belongs to."""

import json
import logging
import re
from datetime import UTC, datetime

from servicekit.logs import configure_logging, correlation_id_var, request_id_var


def test_a_log_line_carries_the_request_and_correlation_ids(capsys):
    configure_logging("scheduling", "INFO")
    request = request_id_var.set("req-42")
    correlation = correlation_id_var.set("7f0c7a52-8d2e-4a8e-9d7e-1c2b3a4d5e6f")
    try:
        logging.getLogger("scheduling_service.bookings").info("booked", extra={"room": "OR-3"})
    finally:
        request_id_var.reset(request)
        correlation_id_var.reset(correlation)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["message"] == "booked"
    assert line["service"] == "scheduling"
    assert line["request_id"] == "req-42"
    assert line["correlation_id"] == "7f0c7a52-8d2e-4a8e-9d7e-1c2b3a4d5e6f"
    assert line["room"] == "OR-3"
    assert line["level"] == "INFO"


def test_a_line_keeps_its_field_order_and_hides_a_value_an_extra_field_quotes(capsys):
    configure_logging("resources", "INFO")
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("servicekit.access").exception(
            "%s %s %d",
            "GET",
            "/api/resources/staff/1",
            500,
            extra={
                "route": "/staff/{staff_id}",
                "reason": 'invalid input syntax for type uuid: "MRN-1234"',
                "at": datetime(2026, 12, 2, 7, 30, tzinfo=UTC),
            },
        )
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    line = json.loads(raw)
    assert list(line) == [
        "ts", "level", "logger", "message",
        "service", "request_id", "correlation_id", "trace_id", "span_id",
        "exc_info", "route", "reason", "at",
    ]  # fmt: skip
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", line["ts"])
    assert line["message"] == "GET /api/resources/staff/1 500"
    assert line["level"] == "ERROR"
    assert line["exc_info"].endswith("ValueError: boom")
    assert "MRN-1234" not in raw
    assert line["reason"] == "invalid input syntax for type uuid: [hidden]"
    assert line["at"] == "2026-12-02T07:30:00+00:00"
