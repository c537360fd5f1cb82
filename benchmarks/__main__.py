"""Runs every benchmark in turn: `python -m benchmarks [name ...]`."""

from __future__ import annotations

import asyncio
import sys

from benchmarks import (
    auth,
    chaos,
    event_latency,
    interop_fhir,
    interop_siu,
    load,
    machine,
    optimizer,
    optimizer_fuzz,
    resources,
    scheduling,
    web,
)

BENCHMARKS = {
    "event-latency": event_latency.main,
    "auth": auth.main,
    "resources": resources.main,
    "optimizer": optimizer.main,
    "optimizer-fuzz": optimizer_fuzz.main,
    "scheduling": scheduling.main,
    "web": web.main,
    "interop-fhir": interop_fhir.main,
    "interop-siu": interop_siu.main,
    "load": load.main,
    # Last: it kills the broker, PostgreSQL and services (and starts them again).
    "chaos": chaos.main,
}


def main() -> None:
    chosen = sys.argv[1:] or list(BENCHMARKS)
    unknown = [name for name in chosen if name not in BENCHMARKS]
    if unknown:
        sys.exit(f"unknown benchmark(s) {unknown}; known: {', '.join(BENCHMARKS)}")
    for name in chosen:
        print(f"{name}: {machine.describe()}", flush=True)
        asyncio.run(BENCHMARKS[name]())
        print(f"{name}, after: {machine.describe()}", flush=True)


if __name__ == "__main__":
    main()
