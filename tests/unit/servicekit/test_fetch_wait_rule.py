"""The consumer's fetch pacing: a long wait while it waits for records; no fetch while it applies
a poll that took everything aiokafka held; a short wait while a full poll left some behind."""

from __future__ import annotations

from types import SimpleNamespace

from aiokafka import TopicPartition
from servicekit.kafka import BUSY_FETCH_WAIT_MS, IDLE_FETCH_WAIT_MS, MAX_POLL_RECORDS, FetchWait

A, B, C = (TopicPartition("t", p) for p in range(3))


class _Consumer:
    """aiokafka's consumer as `FetchWait` uses it: its fetcher's wait, its assignment, pausing."""

    def __init__(self, *assigned: TopicPartition) -> None:
        # aiokafka's fetcher holds the wait it sends; only that attribute is read and written.
        self._fetcher = SimpleNamespace(_fetch_max_wait_ms=IDLE_FETCH_WAIT_MS)
        self.assigned = set(assigned)
        self.paused: set[TopicPartition] = set()

    def assignment(self) -> set[TopicPartition]:
        return set(self.assigned)

    def pause(self, *partitions: TopicPartition) -> None:
        assert set(partitions) <= self.assigned
        self.paused |= set(partitions)

    def resume(self, *partitions: TopicPartition) -> None:
        assert set(partitions) <= self.assigned  # aiokafka raises for one not assigned
        self.paused -= set(partitions)


def _fetch_wait(*assigned: TopicPartition) -> tuple[FetchWait, _Consumer]:
    consumer = _Consumer(*(assigned or (A, B, C)))
    return FetchWait(consumer), consumer  # type: ignore[arg-type]


def test_the_wait_is_long_while_polling_and_nothing_is_fetched_while_records_are_applied():
    fetch_wait, consumer = _fetch_wait()
    fetch_wait.polling()
    assert fetch_wait.wait_ms == IDLE_FETCH_WAIT_MS
    fetch_wait.polled(3)
    assert consumer.paused == {A, B, C}  # the next poll's fetch brings all that came meanwhile
    fetch_wait.polling()
    assert consumer.paused == set()
    assert fetch_wait.wait_ms == IDLE_FETCH_WAIT_MS


def test_an_empty_poll_keeps_the_long_wait_and_the_fetch_in_flight():
    fetch_wait, consumer = _fetch_wait()
    fetch_wait.polling()
    fetch_wait.polled(0)
    assert fetch_wait.wait_ms == IDLE_FETCH_WAIT_MS
    assert consumer.paused == set()


def test_a_full_poll_fetches_ahead_briefly_until_a_poll_returns_less():
    fetch_wait, consumer = _fetch_wait()
    fetch_wait.polled(MAX_POLL_RECORDS)
    assert consumer.paused == set()  # the records it left behind are applied next
    fetch_wait.polling()
    assert fetch_wait.wait_ms == BUSY_FETCH_WAIT_MS  # its partitions' records wait in aiokafka
    fetch_wait.polled(7)
    assert consumer.paused == {A, B, C}
    fetch_wait.polling()
    assert fetch_wait.wait_ms == IDLE_FETCH_WAIT_MS


def test_partitions_a_rebalance_took_meanwhile_are_not_resumed():
    fetch_wait, consumer = _fetch_wait()
    fetch_wait.polled(5)
    consumer.assigned = {A, C}  # B went to another member while the records were applied
    consumer.paused &= consumer.assigned
    fetch_wait.polling()
    assert consumer.paused == set()
