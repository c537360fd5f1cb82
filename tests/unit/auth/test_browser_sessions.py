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


def test_a_request_from_the_app_s_own_origin_is_accepted():
    assert from_own_origin(
        origin="http://127.0.0.1:8080", fetch_site="same-origin", host="127.0.0.1:8080"
    )


def test_a_client_that_says_nothing_of_its_origin_is_left_to_the_csrf_token():
    assert from_own_origin(origin=None, fetch_site=None, host="127.0.0.1:8080")


def test_foreign_origins_and_cross_site_fetches_are_refused():
    host = "127.0.0.1:8080"
    assert not from_own_origin(origin="https://evil.example", fetch_site=None, host=host)
    assert not from_own_origin(origin="null", fetch_site=None, host=host)
    assert not from_own_origin(origin=None, fetch_site="cross-site", host=host)
    assert not from_own_origin(origin=None, fetch_site="same-site", host=host)
    assert not from_own_origin(origin="http://127.0.0.1:8080", fetch_site=None, host=None)
