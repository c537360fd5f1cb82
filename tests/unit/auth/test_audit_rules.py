"""The audit store's rules: which filters are answered, and when an entry is past retention."""

from datetime import UTC, datetime, timedelta

import pytest
from auth_service.domain.audit import (
    AuditQuery,
    past_retention,
    query_problems,
    retention_cutoff,
)
from auth_service.settings import AuthSettings
from contracts.events.audit import AuditRecorded
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

T0 = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
instants = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2190, 1, 1), timezones=st.just(UTC)
)
names = st.one_of(
    st.from_regex(r"\A[a-z][a-z0-9_.-]{0,30}\Z"), st.text(max_size=30), st.just("session.login")
)


def contract_accepts(**fields) -> bool:
    entry = {
        "audit_id": "6f1c1b55-4e0b-4b8e-9d43-3a3ee2b5b0a1",
        "actor": {"kind": "service", "id": "auth"},
        "action": "session.login",
        "record_type": "user",
        "record_id": "x",
        "at": T0,
        "service": "auth",
        **fields,
    }
    try:
        AuditRecorded.model_validate(entry)
    except ValidationError:
        return False
    return True


@settings(max_examples=60)
@given(names)
def test_an_action_filter_is_answered_exactly_when_an_entry_could_carry_that_action(action):
    answered = not query_problems(AuditQuery(action=action))
    assert answered == contract_accepts(action=action)


@settings(max_examples=60)
@given(names)
def test_a_service_filter_is_answered_exactly_when_an_entry_could_name_that_service(service):
    answered = not query_problems(AuditQuery(service=service))
    assert answered == contract_accepts(service=service)


@settings(max_examples=60)
@given(instants, instants)
def test_a_time_range_is_answered_only_when_it_runs_forwards(since, until):
    problems = query_problems(AuditQuery(since=since, until=until))
    assert (not problems) == (since < until)
    if problems:
        assert "`to`" in problems[0] and "`from`" in problems[0]


def test_every_wrong_filter_is_named_at_once():
    query = AuditQuery(action="Session Login", service="Auth", since=T0, until=T0)
    assert [p.split()[0] for p in query_problems(query)] == ["`action`", "`service`", "`to`"]


def test_no_filters_at_all_is_a_fair_question():
    assert query_problems(AuditQuery()) == []


@settings(max_examples=60)
@given(instants, instants, st.integers(min_value=1, max_value=36_500))
def test_an_entry_is_past_retention_exactly_when_it_is_older_than_the_retention(at, now, days):
    assert past_retention(at, now, days) == (now - at > timedelta(days=days))


def test_an_entry_exactly_as_old_as_the_retention_is_kept_and_a_microsecond_older_is_not():
    cutoff = retention_cutoff(T0, 2192)
    assert not past_retention(cutoff, T0, 2192)
    assert past_retention(cutoff - timedelta(microseconds=1), T0, 2192)


@settings(max_examples=60)
@given(instants.filter(lambda now: (now.month, now.day) != (2, 29)))
def test_the_default_retention_keeps_six_whole_years_whichever_leap_days_they_hold(now):
    days = AuthSettings().audit_retention_days
    six_years_ago = now.replace(year=now.year - 6)
    assert retention_cutoff(now, days) <= six_years_ago
    # Six years hold one or two leap days, or none across a century year like 2100.
    assert six_years_ago - retention_cutoff(now, days) <= timedelta(days=2)


@pytest.mark.parametrize("days", [0, -1])
def test_a_retention_shorter_than_a_day_is_refused(days, monkeypatch):
    with pytest.raises(ValueError, match="at least one day"):
        retention_cutoff(T0, days)
    monkeypatch.setenv("AUTH_AUDIT_RETENTION_DAYS", str(days))
    with pytest.raises(ValidationError):
        AuthSettings()
