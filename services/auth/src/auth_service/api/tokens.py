"""Signing in and out, refreshing, and the public keys every service verifies tokens with."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordRequestForm
from servicekit.auth import Principal, authenticated
from servicekit.deps import RuntimeDep
from servicekit.problems import Problem

from auth_service.api.deps import AuthorityDep
from auth_service.api.schemas import LogoutRequest, RefreshRequest, TokenResponse
from auth_service.sessions import (
    LoginRefused,
    LoginThrottled,
    RefreshRefused,
    TokenPair,
    log_in,
    log_out,
    refresh,
)

router = APIRouter(tags=["tokens"])
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_optional_bearer = HTTPBearer(auto_error=False)


async def _optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)],
) -> Principal | None:
    return None if credentials is None else await authenticated(request, credentials)


@router.post(
    "/token",
    summary="Sign in with an email and password (OAuth2 password form)",
    responses={401: {"description": "Wrong email or password"}, 429: {"description": "Throttled"}},
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    authority: AuthorityDep,
    response: Response,
) -> TokenResponse:
    try:
        pair = await log_in(authority, form.username, form.password)
    except LoginThrottled as throttled:
        raise Problem(
            429,
            "Too many sign-in attempts for this account name; wait before trying again.",
            headers={"Retry-After": str(throttled.retry_after_seconds)},
        ) from None
    except LoginRefused:
        raise Problem(401, "The email or the password is wrong.", error="invalid_grant") from None
    return _answer(pair, response)


@router.post(
    "/refresh",
    summary="Exchange a refresh token for new tokens (the old one stops working)",
    responses={401: {"description": "Unknown, used, expired or revoked refresh token"}},
)
async def refresh_tokens(
    body: RefreshRequest, authority: AuthorityDep, response: Response
) -> TokenResponse:
    try:
        pair = await refresh(authority, body.refresh_token)
    except RefreshRefused:
        raise Problem(
            401, "The refresh token is not valid; sign in again.", error="invalid_grant"
        ) from None
    return _answer(pair, response)


@router.post("/logout", status_code=204, summary="End the session of a refresh or access token")
async def logout(
    runtime: RuntimeDep,
    principal: Annotated[Principal | None, Depends(_optional_principal)],
    body: LogoutRequest | None = None,
) -> Response:
    token = body.refresh_token if body else None
    if token is None and principal is None:
        raise Problem(400, "Send the refresh token in the body, or an access token, or both.")
    session_id = principal.session_id if principal else None
    await log_out(runtime, token=token, session_id=session_id)
    return Response(status_code=204)


@router.get(
    "/.well-known/jwks.json",
    summary="The public keys access tokens are signed with (JWKS)",
)
async def jwks(authority: AuthorityDep, response: Response) -> dict[str, Any]:
    # Short caching: a new key is published well before it signs.
    response.headers["Cache-Control"] = "public, max-age=10"
    return await authority.keyring.jwks()


def _answer(pair: TokenPair, response: Response) -> TokenResponse:
    response.headers.update(_NO_STORE)
    return TokenResponse(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )
