"""Daily active users are counted from sign-ins without keeping who signed in."""

import uuid
from datetime import UTC, datetime

from auth_service.metrics import SignedInToday

MORNING = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
EVENING = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)
NEXT_DAY = datetime(2026, 3, 3, 0, 1, tzinfo=UTC)


def test_a_user_signing_in_twice_in_a_day_counts_once():
    seen, alice, bob = SignedInToday(), uuid.uuid4(), uuid.uuid4()
    seen.add(alice, MORNING)
    seen.add(alice, EVENING)
    seen.add(bob, EVENING)
    assert seen.count(EVENING) == 2


def test_the_count_starts_again_at_midnight_utc_even_without_a_sign_in():
    seen = SignedInToday()
    seen.add(uuid.uuid4(), EVENING)
    assert seen.count(NEXT_DAY) == 0
    seen.add(uuid.uuid4(), NEXT_DAY)
    assert seen.count(NEXT_DAY) == 1


def test_no_user_id_is_kept_only_a_keyed_hash_that_changes_each_day():
    seen, alice = SignedInToday(), uuid.uuid4()
    seen.add(alice, MORNING)
    first = set(seen._seen)
    assert all(alice.bytes not in h and str(alice).encode() not in h for h in first)
    seen.add(alice, NEXT_DAY)
    assert set(seen._seen).isdisjoint(first)
