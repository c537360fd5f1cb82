"""Every refused access token is counted by reason and logged with who, never with the token."""

from __future__ import annotations

import logging
import time
import uuid

import httpx
import pytest
from fastapi import FastAPI
from servicekit.auth import CurrentPrincipal, JwksKeys, Principal, TokenVerifier
from servicekit.metrics import TOKENS_REFUSED
from servicekit.problems import install_problem_handlers

from tests.unit.servicekit.test_token_verification import AUDIENCE, ISSUER, KeyRing


class RevokedSessions:
    """An access guard that knows one revoked session (the kit's reads a table)."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id

    async def refusal(self, principal: Principal) -> str | None:
        return "session_revoked" if principal.session_id == self.session_id else None


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing()


@pytest.fixture
def revoked_session() -> str:
    return str(uuid.uuid4())


@pytest.fixture
async def client(ring: KeyRing, revoked_session: str):
    app = FastAPI()
    install_problem_handlers(app)
    keys = JwksKeys(
        "http://auth/jwks",
        client=httpx.AsyncClient(transport=ring.transport()),
        min_refresh_seconds=0,
    )
    app.state.token_verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE, leeway=0)
    app.state.access_guard = RevokedSessions(revoked_session)

    @app.get("/protected")
    async def protected(principal: CurrentPrincipal) -> dict[str, str]:
        return {"user_id": principal.user_id}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        yield http


def refused(reason: str) -> float:
    return TOKENS_REFUSED.labels(reason)._value.get()


async def call(client: httpx.AsyncClient, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return await client.get("/protected", headers=headers)


async def test_a_revoked_sessions_token_is_counted_and_logged_without_the_token(
    client, ring, revoked_session, caplog
):
    token = ring.token(sid=revoked_session)
    before = refused("session_revoked")
    with caplog.at_level(logging.INFO, logger="servicekit.auth"):
        response = await call(client, token)
    assert response.status_code == 401
    assert refused("session_revoked") == before + 1
    (record,) = [r for r in caplog.records if r.getMessage() == "access token refused"]
    assert (record.reason, record.session_id) == ("session_revoked", revoked_session)
    assert token not in caplog.text and token.split(".")[2] not in caplog.text


@pytest.mark.parametrize(
    ("token_of", "reason"),
    [
        (lambda ring: None, "missing"),
        (lambda ring: "not-a-jwt", "malformed"),
        (lambda ring: ring.token(exp=int(time.time()) - 60), "expired"),
        (lambda ring: ring.token(aud="someone-else"), "invalid"),
        (lambda ring: KeyRing().token(), "unknown_key"),
    ],
)
async def test_each_kind_of_refusal_is_counted_under_its_own_reason(client, ring, token_of, reason):
    before = refused(reason)
    response = await call(client, token_of(ring))
    assert response.status_code == 401
    assert refused(reason) == before + 1


async def test_a_token_of_another_session_is_accepted_and_not_counted(client, ring):
    before = refused("session_revoked")
    response = await call(client, ring.token(sid=str(uuid.uuid4())))
    assert response.status_code == 200
    assert refused("session_revoked") == before
