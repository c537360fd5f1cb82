"""Loaded by the schemathesis command line (SCHEMATHESIS_HOOKS) for the API contract test.

Every request carries an administrator token of the throwaway auth service, signed in again
every 20 s (not on every `401`: the checks send bad tokens on purpose, and that many sign-ins
would lock the account). Fuzzing auth, the fuzzer acts as that administrator and may change its
roles or reset its password; when signing in fails, a new administrator is made with auth's own
`create-admin` command (the AUTH_* settings of the throwaway are in this process's environment).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import httpx
import schemathesis
from hypothesis.internal import lambda_sources

# CPython 3.11.7's ast.parse can fail inside deep recursion ("AST constructor recursion depth
# mismatch", fixed in 3.11.8), and Hypothesis parses a lambda's source only to name a filtered
# strategy in its repr. Naming it without the source keeps the tool from failing on itself.
lambda_sources.lambda_description = lambda f: "lambda: <source not shown>"

_admin = {"email": os.environ["FUZZ_ADMIN_EMAIL"], "password": os.environ["FUZZ_ADMIN_PASSWORD"]}


def _sign_in() -> httpx.Response:
    return httpx.post(
        f"{os.environ['FUZZ_AUTH_URL']}/token",
        data={"username": _admin["email"], "password": _admin["password"]},
        timeout=30,
    )


def _new_admin() -> None:
    _admin.update(
        email=f"fuzz-admin-{uuid.uuid4().hex[:8]}@example.org", password=str(uuid.uuid4())
    )
    command = ["create-admin", "--email", _admin["email"], "--display-name", "Fuzz"]
    subprocess.run(
        [sys.executable, "-m", "auth_service", *command],
        env={**os.environ, "AUTH_FIRST_ADMIN_PASSWORD": _admin["password"]},
        check=True,
        capture_output=True,
        timeout=120,
    )


@schemathesis.auth(refresh_interval=20, retry_on=[])
class ThrowawayAdministrator:
    def get(self, case: object, context: object) -> str:
        response = _sign_in()
        if response.status_code != 200:
            _new_admin()
            response = _sign_in()
        response.raise_for_status()
        return response.json()["access_token"]

    def set(self, case: schemathesis.Case, data: str, context: object) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
