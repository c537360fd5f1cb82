"""Sign-in throttling over many names and addresses: the budgets hold, and no stranger's failures
lock the owner out (the lock holds only at the address that failed)."""

import ipaddress
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from auth_service.domain.throttling import (
    EVERYONE,
    BudgetPolicy,
    Count,
    SignInKeys,
    SignInPolicy,
    ThrottleKeys,
    ThrottlePolicy,
    forgiven,
    judge_sign_in,
    sign_in_keys,
)
from hypothesis import given, settings
from hypothesis import strategies as st

T0 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
KEYS = ThrottleKeys(b"a test key")
# Small numbers, so a few dozen attempts reach every rule.
POLICY = SignInPolicy(
    lock=ThrottlePolicy(max_failures=3, window=timedelta(minutes=5)),
    address=BudgetPolicy(6, timedelta(minutes=10)),
    everyone=BudgetPolicy(10, timedelta(minutes=10), pace=timedelta(seconds=20)),
)
# Each budget alone, the other out of reach, so that a short run can spend it.
ADDRESS_ALONE = replace(POLICY, everyone=BudgetPolicy(10**6, timedelta(minutes=10)))
EVERYONE_ALONE = SignInPolicy(
    lock=POLICY.lock,
    address=BudgetPolicy(10**6, timedelta(minutes=10)),
    everyone=BudgetPolicy(5, timedelta(minutes=10), pace=timedelta(minutes=3)),
)
FEW = settings(max_examples=50)
NAMES = [f"user{i}@example.org" for i in range(6)]
ADDRESSES = [f"203.0.113.{i}" for i in range(1, 4)]
# Bursts, a steady trickle, and now and then a pause longer than a window.
pauses = st.one_of(*[st.integers(0, 3)] * 6, *[st.integers(20, 90)] * 3, st.integers(0, 900))

# (seconds since the previous attempt, name, address, the right password?)
attempts = st.lists(
    st.tuples(
        pauses,
        st.sampled_from(NAMES),
        st.sampled_from(ADDRESSES),
        st.sampled_from([False, False, False, True]),
    ),
    min_size=20,
    max_size=120,
)
# A steady stream, many names and addresses: enough to spend the global budget.
steady = st.lists(
    st.tuples(
        st.integers(0, 60),
        st.sampled_from([f"anyone{i}@example.org" for i in range(40)]),
        st.sampled_from([f"192.0.2.{i}" for i in range(1, 40)]),
        st.sampled_from([False, False, False, True]),
    ),
    min_size=40,
    max_size=120,
)
# (seconds since the previous attempt, a stranger's (name, address), or None: the owner tries)
mixed = st.lists(
    st.tuples(
        pauses,
        # Mostly strangers, mostly after the owner's name.
        st.sampled_from([None, *[(NAMES[0], a) for a in ADDRESSES], (NAMES[1], ADDRESSES[0])]),
    ),
    min_size=20,
    max_size=120,
)


def attempt(store: dict, keys: SignInKeys, now: datetime, right: bool, policy=POLICY):
    verdict, changes = judge_sign_in(store, keys, now, policy)
    store.update(changes)
    if verdict.allowed and right:
        for key, count in forgiven(store, keys).items():
            if count is None:
                store.pop(key, None)
            else:
                store[key] = count
    return verdict


def run(events, policy):
    """Plays the attempts; yields each with its verdict and the budgets after it."""
    store: dict[str, Count] = {}
    now = T0
    for pause, name, address, right in events:
        now += timedelta(seconds=pause)
        keys = sign_in_keys(KEYS, policy, name, address)
        verdict = attempt(store, keys, now, right, policy)
        yield now, keys, verdict, store.get(f"address:{keys.address}"), store.get(EVERYONE), right


@FEW
@given(attempts)
def test_an_address_never_fails_more_often_than_its_budget_in_one_window(events):
    failures = Counter()
    for _, keys, verdict, own, _, right in run(events, ADDRESS_ALONE):
        if verdict.allowed and not right:
            failures[(keys.address, own.at)] += 1
    assert all(count <= POLICY.address.failures for count in failures.values())


@FEW
@given(steady)
def test_all_addresses_together_fail_at_most_the_budget_then_one_per_pace(events):
    failures = Counter()
    for _, _, verdict, _, everyone, right in run(events, EVERYONE_ALONE):
        if verdict.allowed and not right:
            failures[everyone.at] += 1
    everyone = EVERYONE_ALONE.everyone
    paced = everyone.window // everyone.pace + 1
    assert all(count <= everyone.failures + paced for count in failures.values())


@FEW
@given(mixed)
def test_a_strangers_failures_elsewhere_never_lock_the_owner_out(events):
    """Strangers at other addresses try the owner's name (and others) as often as they like;
    the owner at their own address is only ever paced with everyone, for one pace at most."""
    store: dict[str, Count] = {}
    now = T0
    owner = sign_in_keys(KEYS, POLICY, NAMES[0], "198.51.100.7")
    for pause, stranger in events:
        now += timedelta(seconds=pause)
        if stranger is not None:  # strangers never know the password
            attempt(store, sign_in_keys(KEYS, POLICY, *stranger), now, right=False)
            continue
        verdict = attempt(store, owner, now, right=True)
        assert verdict.allowed or verdict.reason == "everyone_paced"
        assert (verdict.retry_after_seconds or 0) <= POLICY.everyone.pace.total_seconds()


def test_the_owners_lock_at_one_address_does_not_follow_them_to_another():
    store: dict[str, Count] = {}
    there = sign_in_keys(KEYS, POLICY, NAMES[1], ADDRESSES[0])
    verdicts = [attempt(store, there, T0, right=False) for _ in range(4)]
    assert [v.reason for v in verdicts] == [None, None, None, "account_locked"]
    here = sign_in_keys(KEYS, POLICY, NAMES[1], ADDRESSES[1])
    assert attempt(store, here, T0, right=True).allowed
    assert attempt(store, there, T0, right=True).reason == "account_locked"  # still locked there


def test_a_spent_address_waits_for_the_end_of_its_window():
    store: dict[str, Count] = {}
    for i in range(POLICY.address.failures):
        keys = sign_in_keys(KEYS, POLICY, f"spray{i}@example.org", ADDRESSES[2])
        assert attempt(store, keys, T0 + timedelta(seconds=i), right=False).allowed
    late = T0 + timedelta(seconds=30)
    refused = attempt(store, sign_in_keys(KEYS, POLICY, NAMES[2], ADDRESSES[2]), late, right=True)
    assert refused.reason == "address_budget_spent"
    assert refused.retry_after_seconds == 570  # the window began at T0 and lasts ten minutes
    after = T0 + POLICY.address.window
    assert attempt(store, sign_in_keys(KEYS, POLICY, NAMES[2], ADDRESSES[2]), after, True).allowed


def test_an_unbudgeted_network_spends_only_the_global_budget_and_is_still_locked():
    local = SignInPolicy(unbudgeted=(ipaddress.ip_network("127.0.0.0/8"),))
    keys = sign_in_keys(KEYS, local, NAMES[0], "127.0.0.1")
    assert keys.budget_keys == [EVERYONE]
    assert keys.lock in keys.keys
    assert sign_in_keys(KEYS, local, NAMES[0], "203.0.113.1").budgeted


def test_names_and_addresses_are_kept_as_keyed_digests():
    assert KEYS.account(" Admin@Example.org ") == KEYS.account("admin@example.org")
    assert "admin" not in KEYS.account("admin@example.org")
    assert ThrottleKeys(b"another key").account("admin@example.org") != KEYS.account(
        "admin@example.org"
    )
    assert KEYS.account("203.0.113.1") != KEYS.address("203.0.113.1")
