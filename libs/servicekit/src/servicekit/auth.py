"""Access-token verification against the auth service's JWKS, and role checks for routes."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from servicekit.metrics import TOKENS_REFUSED
from servicekit.problems import Problem

# Asymmetric algorithms only: never `none`, never HMAC (a public key must not verify a token).
ALLOWED_ALGORITHMS = frozenset({"EdDSA", "ES256", "RS256"})
REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "iat", "jti")
_BEARER = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
_UNREAD = object()  # `authenticated` reads the credentials from the request
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as the token says."""

    user_id: str
    roles: frozenset[str]
    token_id: str
    expires_at: int
    issued_at: int = 0
    session_id: str | None = None

    def has_any(self, roles: set[str] | frozenset[str]) -> bool:
        return bool(self.roles & roles)


class AccessGuard(Protocol):
    """What this service knows about users beyond the token: deactivations and role changes."""

    async def refusal(self, principal: Principal) -> str | None: ...


class InvalidToken(Exception):
    """The token cannot be trusted; the reason is logged, never told to the client in detail.

    `reason` is one of: `missing`, `malformed`, `unknown_key`, `keys_unavailable`, `expired`,
    `invalid` (signature, issuer, audience, claims), or an access guard's refusal
    (`user_deactivated`, `session_revoked`, `issued_before_access_change`)."""

    def __init__(self, message: str, reason: str = "invalid") -> None:
        super().__init__(message)
        self.reason = reason


class JwksKeys:
    """The auth service's public keys, cached and fetched again when an unknown `kid` appears."""

    def __init__(
        self,
        url: str,
        *,
        client: httpx.AsyncClient | None = None,
        min_refresh_seconds: float = 10.0,
        max_age_seconds: float = 3600.0,
    ) -> None:
        self.url = url
        self._client = client or httpx.AsyncClient(timeout=5.0)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._min_refresh = min_refresh_seconds
        self._max_age = max_age_seconds
        self._lock = asyncio.Lock()
        self._prefetch: asyncio.Task[None] | None = None

    def prefetch(self) -> None:
        """Fetches the keys in the background, ahead of the first token (a worker's start:
        `servicekit.warmup`). In the background, because the auth service's own workers fetch
        them from their own port, which answers only once they have started. Unlike a refresh
        for a token's unknown key, a failure here leaves no trace: the first token fetches the
        keys as before, and a token that comes meanwhile waits for this fetch."""
        if self._prefetch is None:
            self._prefetch = asyncio.create_task(self._fetch_ahead(), name="jwks-prefetch")

    async def _fetch_ahead(self) -> None:
        async with self._lock:
            if self._keys:
                return
            try:
                keys = await self._fetch()
            except (httpx.HTTPError, ValueError) as exc:
                log.info("signing keys not fetched ahead (the first token fetches them): %s", exc)
                return
            self._keys, self._fetched_at = keys, time.monotonic()

    async def key_for(self, kid: str) -> jwt.PyJWK:
        stale = time.monotonic() - self._fetched_at > self._max_age
        if kid not in self._keys or stale:
            await self._refresh()
        try:
            return self._keys[kid]
        except KeyError:
            raise InvalidToken(f"unknown signing key {kid!r}", "unknown_key") from None

    async def _refresh(self) -> None:
        async with self._lock:
            # An attacker can send endless unknown kids: fetch at most once per interval.
            if time.monotonic() - self._fetched_at < self._min_refresh:
                return
            self._fetched_at = time.monotonic()
            try:
                self._keys = await self._fetch()
            except (httpx.HTTPError, ValueError) as exc:
                raise InvalidToken(f"signing keys unavailable: {exc}", "keys_unavailable") from exc

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        response = await self._client.get(self.url)
        response.raise_for_status()
        return _parse_jwks(response.json())

    async def aclose(self) -> None:
        if self._prefetch is not None:
            self._prefetch.cancel()
            await asyncio.gather(self._prefetch, return_exceptions=True)
        await self._client.aclose()


def _parse_jwks(document: Any) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document.get("keys", []) if isinstance(document, dict) else []:
        if not isinstance(entry, dict) or entry.get("alg") not in ALLOWED_ALGORITHMS:
            continue
        if "kid" not in entry or entry.get("use", "sig") != "sig":
            continue
        try:
            keys[entry["kid"]] = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue
    return keys


class TokenVerifier:
    """Checks a token's header, signature and claims. A token that passed is remembered with
    the key that verified it (at most `remember` of them): a client sends the same token with
    every request until it expires, and its signature and claims cannot have changed. A token
    remembered is still refused once expired, and checked in full again when its key is no
    longer the one published (the keys were fetched again); the access guard runs on every
    request whatever is remembered (`authenticated`)."""

    def __init__(
        self,
        keys: JwksKeys,
        *,
        issuer: str,
        audience: str,
        leeway: int = 30,
        remember: int = 10_000,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self._remember = remember
        self._verified: dict[str, tuple[Principal, str, jwt.PyJWK]] = {}

    async def verify(self, token: str) -> Principal:
        if (known := self._verified.get(token)) is not None:
            principal, kid, key = known
            if time.time() <= principal.expires_at + self.leeway and (
                await self.keys.key_for(kid) is key
            ):
                return principal
            del self._verified[token]
        principal, kid, key = await self._verified_in_full(token)
        if len(self._verified) >= self._remember:
            self._verified.clear()  # rare; a dict of live tokens needs no finer eviction
        self._verified[token] = (principal, kid, key)
        return principal

    async def _verified_in_full(self, token: str) -> tuple[Principal, str, jwt.PyJWK]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed token: {exc}", "malformed") from exc
        kid = header.get("kid")
        if not isinstance(kid, str) or header.get("alg") not in ALLOWED_ALGORITHMS:
            raise InvalidToken("token header lacks a kid or names a forbidden algorithm")
        key = await self.keys.key_for(kid)
        if header["alg"] != key.algorithm_name:
            raise InvalidToken("token algorithm does not match its key")
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=[key.algorithm_name],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken(str(exc), "expired") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        roles = claims.get("roles")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken("roles claim must be a list of strings")
        principal = Principal(
            user_id=str(claims["sub"]),
            roles=frozenset(roles),
            token_id=str(claims["jti"]),
            expires_at=int(claims["exp"]),
            issued_at=int(claims["iat"]),
            session_id=str(claims["sid"]) if claims.get("sid") else None,
        )
        return principal, kid, key


class _BearerAuthentication(HTTPBearer):
    """`authenticated`: the caller's principal from their bearer token, as one dependency.

    It is the OpenAPI document's bearer scheme (named `HTTPBearer`, as the plain scheme was)
    and reads the Authorization header itself. FastAPI solves each dependency of a route on
    every request (about 18 us of a core each, in process); a scheme of its own made a
    credentials model for this one to read. Called directly, it takes credentials already read
    (auth's optional principal)."""

    def __init__(self) -> None:
        super().__init__(scheme_name="HTTPBearer", auto_error=False)
        # FastAPI reads a dependency's parameters from its signature: the request alone.
        self.__signature__ = inspect.Signature(
            [
                inspect.Parameter(
                    "request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request
                )
            ],
            return_annotation=Principal,
        )

    async def __call__(  # type: ignore[override]  # the scheme's answer is the principal
        self,
        request: Request,
        credentials: object = _UNREAD,  # HTTPAuthorizationCredentials, or None: none were sent
    ) -> Principal:
        if credentials is _UNREAD:
            token = _bearer_token(request.headers.get("authorization"))
        elif isinstance(credentials, HTTPAuthorizationCredentials):
            token = credentials.credentials if credentials.scheme.lower() == "bearer" else None
        else:
            token = None
        return await _principal(request, token)


def _bearer_token(authorization: str | None) -> str | None:
    # As HTTPBearer reads the header: "<scheme> <token>", the scheme in any case.
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme and token and scheme.lower() == "bearer" else None


async def _principal(request: Request, token: str | None) -> Principal:
    if token is None:
        _count_refusal(request, InvalidToken("no bearer token", "missing"))
        raise Problem(401, "A bearer access token is required.", headers=_BEARER)
    verifier: TokenVerifier = request.app.state.token_verifier
    principal: Principal | None = None
    try:
        principal = await verifier.verify(token)
        guard: AccessGuard | None = getattr(request.app.state, "access_guard", None)
        if guard is not None and (reason := await guard.refusal(principal)):
            raise InvalidToken(reason, reason)
    except InvalidToken as exc:
        _count_refusal(request, exc, principal)
        raise Problem(401, "The access token is not valid.", headers=_BEARER) from exc
    return principal


authenticated = _BearerAuthentication()


def _count_refusal(request: Request, exc: InvalidToken, principal: Principal | None = None) -> None:
    # Never the token itself: who and which session are enough to follow a revocation.
    request.state.auth_failure = str(exc)
    TOKENS_REFUSED.labels(exc.reason).inc()
    log.info(
        "access token refused",
        extra={
            "reason": exc.reason,
            "detail": str(exc),
            "user_id": principal.user_id if principal else None,
            "session_id": principal.session_id if principal else None,
            "path": request.url.path,
        },
    )


CurrentPrincipal = Annotated[Principal, Depends(authenticated)]


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency admitting only callers that hold at least one of `roles`."""
    wanted = frozenset(roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(wanted):
            raise Problem(403, f"This needs one of the roles: {', '.join(sorted(wanted))}.")
        return principal

    # The OpenAPI document declares a 403 for routes that need a role (error_responses.py).
    dependency.required_roles = wanted  # type: ignore[attr-defined]
    return dependency
