"""Errors under /fhir as FHIR OperationOutcomes: raised with `fhir_error`, rendered for the kit's
problems by `operation_outcome` (`OPERATION_OUTCOME`, the kit's `ProblemFormat`)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import Request
from fhir.resources.R4B.operationoutcome import OperationOutcome
from servicekit.problems import Problem, ProblemFormat
from starlette.responses import Response

from interop_service.fhir.formats import FHIR_JSON

# FHIR's issue type (http://hl7.org/fhir/issue-type) for each status we answer.
_ISSUE_CODES: dict[int, str] = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    412: "conflict",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
    428: "required",
    429: "throttled",
    503: "transient",
}


def fhir_error(status: int, detail: str, code: str | None = None) -> Problem:
    """The error to raise from FHIR code: answered as an OperationOutcome with issue `code`."""
    return Problem(status, detail, issue_code=code or _ISSUE_CODES.get(status, "processing"))


def outcome(status: int, body: dict[str, Any]) -> OperationOutcome:
    """The OperationOutcome of a problem's fields (`problem_response`'s body)."""
    code = body.get("issue_code") or _ISSUE_CODES.get(status, "exception")
    severity = "fatal" if status >= 500 and status != 503 else "error"
    errors = body.get("errors")
    if status == 422 and isinstance(errors, list) and errors:
        issues = [_validation_issue(error) for error in errors]
    else:
        issues = [
            {
                "severity": severity,
                "code": code,
                "details": {"text": body.get("title") or HTTPStatus(status).phrase},
                "diagnostics": body.get("detail") or HTTPStatus(status).phrase,
            }
        ]
    return OperationOutcome(issue=issues)


def _validation_issue(error: dict[str, Any]) -> dict[str, Any]:
    where = ".".join(str(part) for part in error.get("loc", ()))
    issue: dict[str, Any] = {
        "severity": "error",
        "code": "required" if error.get("type") == "missing" else "invalid",
        "diagnostics": f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", "")),
    }
    if where:
        issue["expression"] = [where]
    return issue


def operation_outcome(request: Request, body: dict[str, Any], headers: dict[str, str]) -> Response:
    """The kit's `ProblemRenderer` for /fhir: a problem answered as an OperationOutcome."""
    status = int(body.get("status", 500))
    text = outcome(status, body).model_dump_json(by_alias=True, exclude_none=True)
    return Response(text, status_code=status, media_type=FHIR_JSON, headers=headers)


# What the OpenAPI document says an error under /fhir is: the parts of OperationOutcome we fill.
_OUTCOME_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "OperationOutcome",
    "description": "A FHIR R4 OperationOutcome: every error under /fhir.",
    "required": ["resourceType", "issue"],
    "properties": {
        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
        "issue": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["severity", "code"],
                "properties": {
                    "severity": {"type": "string", "enum": ["fatal", "error", "warning"]},
                    "code": {"type": "string"},
                    "details": {"type": "object"},
                    "diagnostics": {"type": "string"},
                    "expression": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
OPERATION_OUTCOME = ProblemFormat(
    render=operation_outcome, media_type=FHIR_JSON, name="OperationOutcome", schema=_OUTCOME_SCHEMA
)
