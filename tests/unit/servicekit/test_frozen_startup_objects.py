"""A worker takes what its start-up made out of the garbage collector's sight; a process that is
not a supervised worker (a test building apps) does not."""

from __future__ import annotations

import os
import subprocess
import sys

from servicekit import metrics

PROBE = (
    "import gc; from servicekit import supervisor; "
    "supervisor.freeze_startup_objects(); print(gc.get_freeze_count())"
)


def frozen_in_a_process(environment: dict[str, str]) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def test_a_worker_freezes_what_its_start_up_made():
    environment = os.environ | {metrics.SUPERVISOR_PID: str(os.getpid())}  # another process
    assert frozen_in_a_process(environment) > 1_000


def test_outside_a_worker_nothing_is_frozen():
    environment = {k: v for k, v in os.environ.items() if k != metrics.SUPERVISOR_PID}
    assert frozen_in_a_process(environment) == 0
