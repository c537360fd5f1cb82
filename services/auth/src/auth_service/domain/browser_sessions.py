"""The browser's cookie session: its CSRF token, and which requests may use the cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

# Sec-Fetch-Site values a browser sends for a request the app itself made.
_OWN_SITE = frozenset({"same-origin"})


def csrf_token_for(refresh_token: str) -> str:
    """The double-submit token paired with a refresh token (signed double submit).

    Derived from the refresh token, which scripts cannot read (HttpOnly): a csrf cookie that a
    neighbouring site planted cannot be made to match, and the pair rotates together.
    """
    mac = hmac.new(refresh_token.encode(), b"csrf-double-submit", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def csrf_token_matches(refresh_token: str, presented: str | None) -> bool:
    if not presented:
        return False
    return hmac.compare_digest(csrf_token_for(refresh_token).encode(), presented.encode())


def from_own_origin(
    *, origin: str | None, fetch_site: str | None, host: str | None, scheme: str
) -> bool:
    """Whether a cookie-bearing request comes from the app's own origin, as far as it says.

    Browsers send Origin on every POST and Sec-Fetch-Site on every request; other clients may
    send neither, and the CSRF token is the check that holds for them. An origin is a scheme
    and a host: the request's scheme is the one the client used at the gateway (https), so a
    page of http://<same host> — a plain-HTTP origin a network attacker can speak for — is
    another origin.
    """
    if fetch_site is not None and fetch_site.lower() not in _OWN_SITE:
        return False
    if origin is None:
        return True
    parts = urlsplit(origin)
    if not host:
        return False
    return parts.scheme == scheme.lower() and parts.netloc.lower() == host.lower()
