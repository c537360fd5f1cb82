"""Every log line is one JSON object naming the service, request and correlation it belongs to."""

import json
import logging

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
