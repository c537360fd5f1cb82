"""Readiness compares the database's migration revision with the code's: behind is not ready,
at head or ahead (a newer release migrated first, during a rolling upgrade) is."""

from __future__ import annotations

from servicekit.health import SchemaRevisions

REVISIONS = SchemaRevisions(heads=frozenset({"0003"}), known=frozenset({"0001", "0002", "0003"}))


def test_a_database_at_the_codes_head_is_ready():
    assert REVISIONS.problem({"0003"}) is None


def test_a_database_behind_the_codes_head_is_not_ready_and_says_where_it_stands():
    problem = REVISIONS.problem({"0002"})
    assert problem is not None
    assert "behind" in problem and "0002" in problem and "0003" in problem


def test_a_database_never_migrated_is_not_ready():
    assert "not migrated" in (REVISIONS.problem(set()) or "")


def test_a_database_migrated_by_a_newer_release_stays_ready_for_the_older_code():
    assert REVISIONS.problem({"0004_newer"}) is None
