"""Optimistic concurrency: a write naming a stale version is refused with 412."""

import pytest
from servicekit.etags import ensure_fresh, etag
from servicekit.problems import Problem


def test_a_write_without_if_match_is_unconditional():
    ensure_fresh(None, 7)


@pytest.mark.parametrize("header", ['"7"', 'W/"7"', '"6", "7"', "*"])
def test_a_write_naming_the_current_version_passes(header):
    ensure_fresh(header, 7)


def test_a_write_naming_an_older_version_gets_412_with_the_current_etag():
    with pytest.raises(Problem) as refused:
        ensure_fresh('"6"', 7)
    assert refused.value.status == 412
    assert refused.value.extensions["current_etag"] == etag(7) == '"7"'
