"""Schemathesis, with all its checks, over every operation of the five services: no server
error, and no status code, content type, header or body the OpenAPI document does not declare.

Each service is a throwaway of its own (see `throwaway.py`); the run is seeded and
deterministic, with a bounded number of examples per operation, so CI sees the same cases:
3 in `make test`, API_CONTRACT_EXAMPLES of them when set (`make bench` runs 12).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.integration.api_contract.throwaway import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    SERVICES,
    Stack,
)

pytestmark = pytest.mark.integration

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES_PER_OPERATION = int(os.environ.get("API_CONTRACT_EXAMPLES", "3"))


def schemathesis(
    service_url: str, auth_url: str, auth_environment: dict[str, str], report: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "--config-file",
            str(CONFIG),
            "run",
            f"{service_url}/openapi.json",
            "--url",
            service_url,
            "--max-examples",
            str(EXAMPLES_PER_OPERATION),
            "--generation-deterministic",
            "--workers",
            "2",
            "--request-timeout",
            "30",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(report),
        ],
        # Its cache of findings (for `st replay`) goes beside the services' logs, not in the tree.
        cwd=report.parent,
        env={
            **auth_environment,
            "PYTHONPATH": str(ROOT),
            "SCHEMATHESIS_HOOKS": "tests.integration.api_contract.schemathesis_hooks",
            "FUZZ_AUTH_URL": auth_url,
            "FUZZ_ADMIN_EMAIL": ADMIN_EMAIL,
            "FUZZ_ADMIN_PASSWORD": ADMIN_PASSWORD,
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


# The first test also pays for starting the five throwaway services (over three minutes on a
# busy two-core machine), which pytest-timeout counts against it.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", SERVICES)
def test_every_operation_answers_only_what_its_openapi_document_declares(
    name: str, throwaway_stack: Stack
) -> None:
    service = throwaway_stack.services[name]
    report = service.log.with_suffix(".junit.xml")
    auth = throwaway_stack.services["auth"]
    run = schemathesis(service.url, auth.url, auth.environment, report)
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"{name}: schemathesis found problems\n{output[-20000:]}"
