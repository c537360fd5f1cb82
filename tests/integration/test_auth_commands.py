"""The auth service's own commands, run as an operator would, against its real database."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

import pytest
from auth_service.db.tables import signing_keys, users
from auth_service.settings import AuthSettings
from servicekit.db import create_engine
from sqlalchemy import func, select

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


async def run_command(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "auth_service",
        *args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode()


@pytest.fixture
async def auth_db():
    engine = create_engine(AuthSettings().database_url.get_secret_value(), pool_size=1)
    yield engine
    await engine.dispose()


async def test_create_admin_makes_an_administrator_from_a_password_in_the_environment(auth_db):
    email = f"it-{uuid.uuid4().hex[:8]}@hospital.example"
    password = "a long first admin passphrase"
    code, output = await run_command(
        "create-admin",
        "--email",
        email,
        "--display-name",
        "IT Admin",
        env={"AUTH_FIRST_ADMIN_PASSWORD": password},
    )
    assert code == 0, output
    assert password not in output
    async with auth_db.connect() as conn:
        roles = await conn.scalar(select(users.c.roles).where(users.c.email == email))
    assert roles == ["admin"]
    again, output = await run_command(
        "create-admin",
        "--email",
        email,
        "--display-name",
        "IT",
        env={"AUTH_FIRST_ADMIN_PASSWORD": password},
    )
    assert again != 0 and "exists already" in output


async def test_create_admin_refuses_a_weak_password():
    code, output = await run_command(
        "create-admin",
        "--email",
        f"it-{uuid.uuid4().hex[:8]}@hospital.example",
        "--display-name",
        "IT Admin",
        env={"AUTH_FIRST_ADMIN_PASSWORD": "short"},
    )
    assert code != 0 and "at least 12 characters" in output


async def test_rotate_keys_adds_a_key_that_signs_after_its_publishing_delay(auth_db):
    async with auth_db.connect() as conn:
        before = await conn.scalar(select(func.count()).select_from(signing_keys))
    code, output = await run_command("rotate-keys", "--publish-ahead-seconds", "30")
    assert code == 0, output
    assert "signs from" in output
    async with auth_db.connect() as conn:
        keys = (await conn.execute(select(signing_keys).order_by(signing_keys.c.created_at))).all()
    assert len(keys) == before + 1
    newest = keys[-1]
    assert newest.retires_at is None
    assert b"PRIVATE KEY" not in newest.private_key_sealed
    if before:
        previous = keys[-2]  # it was signing, or about to: it stops when the new key starts
        assert previous.retires_at == newest.activates_at
        assert (newest.activates_at - newest.created_at).total_seconds() >= 29
    else:
        # The very first key signs at once: there is no older key to publish it ahead of.
        assert (newest.activates_at - newest.created_at).total_seconds() < 5
