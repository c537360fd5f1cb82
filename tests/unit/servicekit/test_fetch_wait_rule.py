"""The consumer's fetch wait: long while it waits for records, short while it applies them or
while a full poll left some behind."""

from __future__ import annotations

from types import SimpleNamespace

from servicekit.kafka import BUSY_FETCH_WAIT_MS, IDLE_FETCH_WAIT_MS, MAX_POLL_RECORDS, FetchWait


def _fetch_wait() -> FetchWait:
    # aiokafka's fetcher holds the wait it sends; only that attribute is read and written.
    consumer = SimpleNamespace(_fetcher=SimpleNamespace(_fetch_max_wait_ms=IDLE_FETCH_WAIT_MS))
    return FetchWait(consumer)  # type: ignore[arg-type]


def test_the_wait_is_long_while_polling_and_short_while_records_are_applied():
    fetch_wait = _fetch_wait()
    fetch_wait.polling()
    assert fetch_wait.wait_ms == IDLE_FETCH_WAIT_MS
    fetch_wait.polled(3)
    assert fetch_wait.wait_ms == BUSY_FETCH_WAIT_MS
    fetch_wait.polling()
    assert fetch_wait.wait_ms == IDLE_FETCH_WAIT_MS


def test_an_empty_poll_keeps_the_long_wait():
    fetch_wait = _fetch_wait()
    fetch_wait.polling()
    fetch_wait.polled(0)
    assert fetch_wait.wait_ms == IDLE_FETCH_WAIT_MS


def test_a_full_poll_keeps_the_wait_short_until_a_poll_returns_less():
    fetch_wait = _fetch_wait()
    fetch_wait.polled(MAX_POLL_RECORDS)
    fetch_wait.polling()
    assert fetch_wait.wait_ms == BUSY_FETCH_WAIT_MS  # its partitions' records wait in aiokafka
    fetch_wait.polled(7)
    fetch_wait.polling()
    assert fetch_wait.wait_ms == IDLE_FETCH_WAIT_MS
