"""The browser session's CSRF token and its own-origin rule."""

from __future__ import annotations

from auth_service.domain.browser_sessions import (
    csrf_token_for,
    csrf_token_matches,
    from_own_origin,
)


def test_the_csrf_token_is_tied_to_its_refresh_token_and_reveals_nothing_of_it():
    token = csrf_token_for("refresh-a")
    assert token == csrf_token_for("refresh-a")
    assert token != csrf_token_for("refresh-b")
    assert "refresh-a" not in token


def test_only_the_token_of_this_refresh_token_matches():
    assert csrf_token_matches("refresh-a", csrf_token_for("refresh-a"))
    assert not csrf_token_matches("refresh-a", csrf_token_for("refresh-b"))
    assert not csrf_token_matches("refresh-a", None)
    assert not csrf_token_matches("refresh-a", "")


GATEWAY_HOST = "127.0.0.1:8443"


def test_a_request_from_the_app_s_own_origin_is_accepted():
    assert from_own_origin(
        origin=f"https://{GATEWAY_HOST}",
        fetch_site="same-origin",
        host=GATEWAY_HOST,
        scheme="https",
    )


def test_a_client_that_says_nothing_of_its_origin_is_left_to_the_csrf_token():
    assert from_own_origin(origin=None, fetch_site=None, host=GATEWAY_HOST, scheme="https")


def test_foreign_origins_and_cross_site_fetches_are_refused():
    def own(origin: str | None, fetch_site: str | None, host: str | None = GATEWAY_HOST) -> bool:
        return from_own_origin(origin=origin, fetch_site=fetch_site, host=host, scheme="https")

    assert not own("https://evil.example", None)
    assert not own("null", None)
    assert not own(None, "cross-site")
    assert not own(None, "same-site")
    assert not own(f"https://{GATEWAY_HOST}", None, host=None)


def test_the_plain_http_origin_of_the_same_host_is_another_origin():
    # What a network attacker can serve on http://<host> must not pass for the HTTPS app.
    assert not from_own_origin(
        origin="http://hospital.example", fetch_site=None, host="hospital.example", scheme="https"
    )
    assert not from_own_origin(
        origin=f"http://{GATEWAY_HOST}", fetch_site=None, host=GATEWAY_HOST, scheme="https"
    )
