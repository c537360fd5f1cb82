"""The lock of one account name, as a pure rule over the attempts so far."""

from datetime import UTC, datetime, timedelta

from auth_service.domain.throttling import Attempts, ThrottlePolicy, admit

POLICY = ThrottlePolicy()
T0 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def attempts_until_refused(previous=None, now=T0, step=timedelta(seconds=1)):
    verdicts = []
    while True:
        verdict = admit(previous, now, POLICY)
        verdicts.append(verdict)
        if not verdict.allowed:
            return verdicts
        previous, now = verdict.attempts, now + step


def test_five_attempts_are_checked_and_the_sixth_waits():
    verdicts = attempts_until_refused()
    assert [v.allowed for v in verdicts] == [True] * 5 + [False]
    assert verdicts[-1].retry_after_seconds == 30 - 1  # locked at the fifth, a second ago


def test_the_wait_doubles_with_each_failure_after_a_lock_up_to_the_cap():
    previous, now, waits = None, T0, []
    for _ in range(12):
        verdict = admit(previous, now, POLICY)
        previous = verdict.attempts
        if previous.locked_until:
            waits.append(int((previous.locked_until - now).total_seconds()))
            now = previous.locked_until  # the next try comes exactly when the lock ends
    assert waits[:6] == [30, 60, 120, 240, 480, 900]
    assert set(waits[6:]) == {900}


def test_attempts_during_a_lock_are_refused_without_counting():
    locked = Attempts(count=5, last_at=T0, locked_until=T0 + timedelta(seconds=30))
    verdict = admit(locked, T0 + timedelta(seconds=10), POLICY)
    assert not verdict.allowed
    assert verdict.retry_after_seconds == 20
    assert verdict.attempts == locked


def test_failures_are_forgotten_after_a_quiet_window():
    four = Attempts(count=4, last_at=T0)
    later = T0 + POLICY.window + timedelta(seconds=1)
    assert admit(four, later, POLICY).attempts.count == 1
    assert admit(four, T0 + POLICY.window, POLICY).attempts.count == 5


def test_a_lock_is_remembered_for_a_window_after_it_ends():
    locked = Attempts(count=6, last_at=T0, locked_until=T0 + timedelta(minutes=1))
    soon_after = T0 + timedelta(minutes=10)
    assert admit(locked, soon_after, POLICY).attempts.count == 7
    long_after = T0 + timedelta(minutes=1) + POLICY.window + timedelta(seconds=1)
    assert admit(locked, long_after, POLICY).attempts.count == 1
