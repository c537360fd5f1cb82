"""The browser app's refresh token, kept in an HttpOnly cookie and guarded against CSRF.

Contract (docs/services/auth.md): `POST /token` with the form field `refresh_transport=cookie`
sets the `refresh_token` cookie (HttpOnly; Secure; SameSite=Strict; Path=/api/auth/) and the
`csrf_token` cookie (Secure; SameSite=Strict; Path=/; readable by the app), and leaves the
refresh token out of the body. `/refresh` and `/logout` then take the cookie when the request
carries `X-CSRF-Token: <csrf_token cookie>` and, when the browser says, comes from our origin.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Cookie, Header, Request, Response
from servicekit.app import gateway_prefix
from servicekit.problems import Problem
from servicekit.service import Runtime

from auth_service.domain.browser_sessions import (
    csrf_token_for,
    csrf_token_matches,
    from_own_origin,
)
from auth_service.settings import AuthSettings

REFRESH_COOKIE = "refresh_token"
CSRF_COOKIE = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# The csrf cookie is read by the app's scripts on every page, so it is not scoped to the API.
_CSRF_PATH = "/"

RefreshCookie = Annotated[
    str | None,
    Cookie(
        alias=REFRESH_COOKIE,
        description="The browser app's refresh token (set by `POST /token` with "
        "`refresh_transport=cookie`); needs the X-CSRF-Token header.",
    ),
]
CsrfHeader = Annotated[
    str | None,
    Header(
        alias=CSRF_HEADER,
        description="The value of the `csrf_token` cookie, when the refresh token is a cookie.",
    ),
]


def refresh_cookie_path(runtime: Runtime) -> str:
    # The browser sees the gateway's path, which nginx strips before the service sees it.
    return f"{gateway_prefix(runtime.service)}/"


def set_session_cookies(
    response: Response, runtime: Runtime[AuthSettings], refresh_token: str
) -> None:
    settings = runtime.settings
    # The session ends after this long without a refresh anyway; every refresh renews both.
    max_age = int(min(settings.session_idle_hours, settings.session_max_hours) * 3600)
    response.set_cookie(
        REFRESH_COOKIE,
        refresh_token,
        max_age=max_age,
        path=refresh_cookie_path(runtime),
        secure=True,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf_token_for(refresh_token),
        max_age=max_age,
        path=_CSRF_PATH,
        secure=True,
        httponly=False,
        samesite="strict",
    )


def clear_session_cookies(response: Response, runtime: Runtime) -> None:
    response.delete_cookie(
        REFRESH_COOKIE,
        path=refresh_cookie_path(runtime),
        secure=True,
        httponly=True,
        samesite="strict",
    )
    response.delete_cookie(CSRF_COOKIE, path=_CSRF_PATH, secure=True, samesite="strict")


def cookie_refresh_token(request: Request, token: str | None, csrf: str | None) -> str | None:
    """The refresh token of the cookie, once the request proved it is the app's own; or None."""
    if not token:
        return None
    headers = request.headers
    if not from_own_origin(
        origin=headers.get("origin"),
        fetch_site=headers.get("sec-fetch-site"),
        host=headers.get("host"),
        # uvicorn takes it from X-Forwarded-Proto, sent by the gateway it trusts alone.
        scheme=request.url.scheme,
    ):
        raise Problem(403, "The refresh cookie is only accepted from this site's own pages.")
    if not csrf_token_matches(token, csrf):
        raise Problem(
            403,
            f"The {CSRF_HEADER} header must repeat the {CSRF_COOKIE} cookie when the refresh "
            "token comes in a cookie.",
        )
    return token
