"""How fast the machine is while a benchmark runs: this one is shared, and its pace moved by a
factor of two within one evening (docs/performance.md, Fifth round), so figures from different
runs compare only with the pace printed beside them (`python -m benchmarks` prints it before
and after each benchmark)."""

from __future__ import annotations

import time

LOOP = 5_000_000  # additions: 0.3 s on this machine on 2026-12-03, an evening it was slow


def pace_ms(tries: int = 3) -> float:
    """The best of `tries` timings of a fixed pure-Python loop, in ms (lower is faster)."""
    best = float("inf")
    for _ in range(tries):
        started = time.perf_counter()
        total = 0
        for n in range(LOOP):
            total += n
        best = min(best, time.perf_counter() - started)
    return best * 1000


def busy_share(seconds: float) -> float:
    """The share of the machine's cores busy over the next `seconds` (/proc/stat)."""

    def ticks() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            counts = [int(n) for n in stat.readline().split()[1:]]
        return sum(counts), counts[3] + counts[4]  # all, idle and waiting for I/O

    total, idle = ticks()
    time.sleep(seconds)
    total_after, idle_after = ticks()
    return 1 - (idle_after - idle) / max(total_after - total, 1)


def describe() -> str:
    """One line: the loop's pace and how busy the cores were just before."""
    busy = busy_share(0.5)
    return (
        f"machine pace: a fixed pure-Python loop in {pace_ms():.0f} ms (best of 3; lower is "
        f"faster), {busy:.0%} of the cores busy"
    )
