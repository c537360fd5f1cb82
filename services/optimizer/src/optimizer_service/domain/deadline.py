"""One deadline for a whole solve, passed down to every phase: setup, the greedy baseline, phase
1, phase 2 and repair each ask it how much time is left instead of trusting a share of the limit."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Deadline:
    """A point on the monotonic clock."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    @classmethod
    def never(cls) -> Deadline:
        return cls(float("inf"))

    def left(self) -> float:
        """Seconds left; negative once passed."""
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def earlier(self, seconds: float) -> Deadline:
        """This deadline moved `seconds` sooner (time kept back for what follows)."""
        return Deadline(self.at - seconds)

    def share(self, fraction: float) -> Deadline:
        """A deadline `fraction` of the time now left away (never later than this one)."""
        return Deadline(time.monotonic() + max(0.0, self.left()) * fraction)
