"""Solves that take as long as a test needs, run by the run worker's solving process.

Module-level functions, so the spawned solving process can import them by name; this module
imports what the real solve does and no more (no test fixtures), so the child starts as that
one would.
"""

from __future__ import annotations

import time
from typing import Any

from optimizer_service.solving import solve


def never_ending(*args: Any) -> Any:
    """Overruns any time limit: the worker must stop it."""
    time.sleep(3600)


def two_seconds_then_solved(*args: Any) -> Any:
    """Outlasts a lease of one second, then answers as the real solve does."""
    time.sleep(2)
    return solve(*args)
