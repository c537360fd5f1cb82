"""Signing in and out, refreshing, and the public keys every service verifies tokens with."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from servicekit.auth import Principal, authenticated
from servicekit.deps import RuntimeDep
from servicekit.problems import Problem, problem_response

from auth_service.api import browser_session
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
from auth_service.settings import AuthSettings

router = APIRouter(tags=["tokens"])
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_optional_bearer = HTTPBearer(auto_error=False)


async def _optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)],
) -> Principal | None:
    return None if credentials is None else await authenticated(request, credentials)


RefreshTransport = Annotated[
    Literal["body", "cookie"],
    Form(
        description="Where the refresh token goes: `body` (the default) answers it in the JSON "
        "body; `cookie` (the browser app) sets it as the HttpOnly cookie `refresh_token` "
        "(Secure; SameSite=Strict; Path=/api/auth/) with the readable `csrf_token` cookie "
        "(Secure; SameSite=Strict; Path=/), and leaves it out of the body."
    ),
]


@router.post(
    "/token",
    summary="Sign in with an email and password (OAuth2 password form)",
    response_model_exclude_none=True,
    responses={401: {"description": "Wrong email or password"}, 429: {"description": "Throttled"}},
)
async def token(
    request: Request,
    username: Annotated[str, Form(min_length=1, max_length=320, description="The email.")],
    password: Annotated[str, Form(min_length=1, max_length=1024)],
    authority: AuthorityDep,
    response: Response,
    grant_type: Annotated[
        Literal["password"], Form(description="OAuth2's grant type; only `password`.")
    ] = "password",
    scope: Annotated[str, Form(max_length=1024, description="Accepted and ignored.")] = "",
    refresh_transport: RefreshTransport = "body",
) -> TokenResponse:
    try:
        pair = await log_in(authority, username, password, address=client_address(request))
    except LoginThrottled as throttled:
        raise Problem(
            429,
            "Too many sign-in attempts; wait before trying again.",
            headers={"Retry-After": str(throttled.retry_after_seconds)},
        ) from None
    except LoginRefused:
        raise Problem(401, "The email or the password is wrong.", error="invalid_grant") from None
    if refresh_transport == "cookie":
        browser_session.set_session_cookies(response, authority.runtime, pair.refresh_token)
        return _answer(pair, response, refresh_in_body=False)
    return _answer(pair, response)


@router.post(
    "/refresh",
    summary="Exchange a refresh token for new tokens (the old one stops working)",
    description="The refresh token comes in the body, or (the browser app) in the "
    "`refresh_token` cookie with the `X-CSRF-Token` header repeating the `csrf_token` cookie; "
    "then the new one is set as cookies again and left out of the body.",
    response_model=TokenResponse,
    response_model_exclude_none=True,
    responses={
        401: {"description": "Unknown, used, expired or revoked refresh token, or none sent"},
        403: {"description": "Cookie refresh without the matching CSRF token, or cross-site"},
    },
)
async def refresh_tokens(
    request: Request,
    authority: AuthorityDep,
    response: Response,
    refresh_cookie: browser_session.RefreshCookie = None,
    csrf: browser_session.CsrfHeader = None,
    body: RefreshRequest | None = None,
) -> TokenResponse | Response:
    if body is not None:
        try:
            pair = await refresh(authority, body.refresh_token)
        except RefreshRefused:
            raise _refused() from None
        return _answer(pair, response)
    cookie_token = browser_session.cookie_refresh_token(request, refresh_cookie, csrf)
    if cookie_token is None:
        raise Problem(401, "No refresh token was sent; sign in again.", error="invalid_grant")
    try:
        pair = await refresh(authority, cookie_token)
    except RefreshRefused:
        # The cookie is dead: the browser should stop sending it.
        refused = _refused()
        answer = problem_response(request, refused.status, refused.detail, **refused.extensions)
        browser_session.clear_session_cookies(answer, authority.runtime)
        return answer
    browser_session.set_session_cookies(response, authority.runtime, pair.refresh_token)
    return _answer(pair, response, refresh_in_body=False)


@router.post(
    "/logout",
    status_code=204,
    summary="End the session of a refresh or access token",
    description="The refresh token comes in the body, or in the `refresh_token` cookie with "
    "the `X-CSRF-Token` header (then both cookies are cleared), or the bearer access token "
    "names the session.",
    responses={
        400: {"description": "Neither a refresh token nor an access token was sent."},
        403: {"description": "Cookie logout without the matching CSRF token"},
    },
    # The bearer token is one of three ways to name the session, not a requirement.
    openapi_extra={"security": [{}]},
)
async def logout(
    request: Request,
    runtime: RuntimeDep[AuthSettings],
    principal: Annotated[Principal | None, Depends(_optional_principal)],
    refresh_cookie: browser_session.RefreshCookie = None,
    csrf: browser_session.CsrfHeader = None,
    body: LogoutRequest | None = None,
) -> Response:
    token = body.refresh_token if body else None
    cookie_token = (
        None if token else browser_session.cookie_refresh_token(request, refresh_cookie, csrf)
    )
    if token is None and cookie_token is None and principal is None:
        raise Problem(400, "Send the refresh token in the body or its cookie, or an access token.")
    session_id = principal.session_id if principal else None
    await log_out(runtime, token=token or cookie_token, session_id=session_id)
    answer = Response(status_code=204)
    if cookie_token is not None:
        browser_session.clear_session_cookies(answer, runtime)
    return answer


@router.get(
    "/.well-known/jwks.json",
    summary="The public keys access tokens are signed with (JWKS)",
)
async def jwks(authority: AuthorityDep, response: Response) -> dict[str, Any]:
    # Short caching: a new key is published well before it signs.
    response.headers["Cache-Control"] = "public, max-age=10"
    return await authority.keyring.jwks()


def client_address(request: Request) -> str:
    """The client as the gateway saw it: uvicorn takes `X-Forwarded-For` only from the proxies
    it trusts (`FORWARDED_ALLOW_IPS`, by default 127.0.0.1: the local gateway)."""
    return request.client.host if request.client else "unknown"


def _refused() -> Problem:
    return Problem(401, "The refresh token is not valid; sign in again.", error="invalid_grant")


def _answer(pair: TokenPair, response: Response, *, refresh_in_body: bool = True) -> TokenResponse:
    response.headers.update(_NO_STORE)
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token if refresh_in_body else None,
        expires_in=pair.expires_in,
    )
