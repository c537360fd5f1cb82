"""The gateway serves the built web app: its routes fall back to index.html, hashed assets are
cached for good and index.html never, and each page gets a fresh CSP nonce for its styles."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

NONCE = re.compile(r'<meta property="csp-nonce" nonce="([0-9a-f]{32})">')


async def test_every_app_route_is_answered_with_the_app_page(gateway):
    for path in ("/", "/waiting-list", "/surgeries/00000000-0000-0000-0000-000000000000/edit"):
        response = await gateway.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert '<div id="app">' in response.text, path


async def test_the_app_page_is_never_cached_nor_revalidated_with_an_old_nonce(gateway):
    response = await gateway.get("/waiting-list")
    assert response.headers["cache-control"] == "no-cache"
    assert "etag" not in response.headers
    assert "last-modified" not in response.headers


async def test_each_page_allows_only_its_own_fresh_style_nonce(gateway):
    nonces = []
    for _ in range(2):
        response = await gateway.get("/")
        found = NONCE.search(response.text)
        assert found, "index.html carries the nonce placeholder Vite wrote, filled in"
        policy = response.headers["content-security-policy"]
        assert f"style-src 'self' 'nonce-{found[1]}';" in policy
        assert "script-src 'self';" in policy
        assert "unsafe-inline" not in policy
        nonces.append(found[1])
    assert nonces[0] != nonces[1]


async def test_hashed_assets_are_cached_for_good_and_keep_the_security_headers(gateway):
    page = (await gateway.get("/")).text
    script = re.search(r'src="(/assets/[^"]+\.js)"', page)
    assert script
    response = await gateway.get(script[1])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in response.headers


async def test_a_missing_asset_is_a_404_problem_not_the_app_page(gateway):
    response = await gateway.get("/assets/no-such-file-0000.js")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_api_keeps_its_own_caching(gateway):
    response = await gateway.get("/api/auth/healthz")
    # The app's no-cache for index.html is not stamped on the services' answers.
    assert response.headers.get("cache-control") != "no-cache"
