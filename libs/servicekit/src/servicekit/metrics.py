"""The Prometheus metrics every service exposes on /metrics, defined once, and how /metrics
reads them when a service runs several worker processes.

With several workers (`<PREFIX>_WORKERS`), each process writes its values to files in
`PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode, chosen when the variable is
set before the process imports it) and /metrics, on whichever worker answers, adds up every
process's files: counters and histograms are summed, and each gauge says how (its
`multiprocess_mode`). A gauge every process measures alike from the database (the outbox's
backlog, the consumer's lag) shows the most recent measurement; `live*` modes forget a process
once it is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Set by `serve` for its worker processes: the pid of the process that started them.
SUPERVISOR_PID = "SERVICEKIT_SUPERVISOR_PID"

HTTP_REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds",
    "HTTP request duration by route template.",
    ("method", "route", "status"),
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter(
    "events_published_total", "Events the outbox relay published to Kafka.", ("topic",)
)
EVENTS_CONSUMED = Counter(
    "events_consumed_total",
    "Events a consumer handled, by outcome (applied, duplicate, ignored).",
    ("group", "topic", "outcome"),
)
EVENTS_FAILED = Counter(
    "events_failed_total",
    "Handling attempts that failed, and messages sent to the DLQ.",
    ("group", "topic", "kind"),
)
# Reasons are a short fixed vocabulary (servicekit.auth.InvalidToken), so the label stays small.
TOKENS_REFUSED = Counter(
    "auth_tokens_refused_total", "Access tokens refused, by reason.", ("reason",)
)
# Every process's relay measures these from the database; the latest measurement is the truth.
OUTBOX_BACKLOG = Gauge(
    "outbox_backlog",
    "Outbox rows committed but not yet published.",
    multiprocess_mode="livemostrecent",
)
OUTBOX_OLDEST_SECONDS = Gauge(
    "outbox_oldest_unpublished_age_seconds",
    "Age of the oldest outbox row not yet published; 0 when none waits.",
    multiprocess_mode="livemostrecent",
)
OUTBOX_PARKED = Gauge(
    "outbox_parked_rows",
    "Outbox rows parked after failing to publish again and again; each waits for an operator.",
    multiprocess_mode="livemostrecent",
)
OUTBOX_PUBLISH_SECONDS = Histogram(
    "outbox_publish_batch_duration_seconds", "Time to publish and mark one outbox batch."
)
# A partition is read by one process of the group at a time; after a rebalance its new reader's
# measurement is the most recent one.
CONSUMER_LAG = Gauge(
    "consumer_lag",
    "Messages behind the partition's high watermark.",
    ("group", "topic", "partition"),
    multiprocess_mode="livemostrecent",
)
CONSUMER_RESTARTS = Counter(
    "consumer_restarts_total",
    "Times a consumer failed and started again from its committed offsets.",
    ("group",),
)
# Each worker sets 1: the sum is how many serve the service, and each has its own pool of
# connections (the DatabaseConnectionsNearPoolLimit alert scales with it).
WORKER_PROCESSES = Gauge(
    "service_worker_processes",
    "Worker processes serving this service, each with its own database pool.",
    multiprocess_mode="livesum",
)
KAFKA_BROKER_REACHABLE = Gauge(
    "kafka_broker_reachable",
    "1 when the broker answered the last metadata request of every process, 0 when it did not.",
    multiprocess_mode="livemin",
)


def exposition() -> bytes:
    """What /metrics answers: this process's metrics, or every worker's when there are several."""
    directory = os.environ.get(MULTIPROCESS_DIR)
    if not directory:
        return generate_latest(REGISTRY)
    _forget_other_processes(Path(directory))
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]  # untyped in prometheus_client
    registry.register(ServiceProcesses())
    return generate_latest(registry)


@contextlib.contextmanager
def shared_between_workers(service: str) -> Iterator[Path]:
    """Before `serve` starts its workers: the empty directory where they keep their metrics.

    `PROMETHEUS_MULTIPROC_DIR` when set (deploy/local/services.sh gives each service one under
    .run/), emptied of an earlier run's files; otherwise a temporary one, removed at the end.
    Set in the environment the workers inherit, with this process's pid (`SUPERVISOR_PID`).
    """
    given = os.environ.get(MULTIPROCESS_DIR)
    directory = Path(given) if given else Path(tempfile.mkdtemp(prefix=f"{service}-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROCESS_DIR] = str(directory)
    os.environ[SUPERVISOR_PID] = str(os.getpid())
    try:
        yield directory
    finally:
        if not given:
            shutil.rmtree(directory, ignore_errors=True)


def _forget_other_processes(directory: Path) -> None:
    # Live gauges count only the service's own processes: not a worker that died (and was
    # replaced), nor a process a worker started (the optimizer's solver) with a gauge at 0.
    ours = set(service_pids())
    for path in directory.glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        if pid not in ours:
            multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]  # untyped in prometheus_client


class ServiceProcesses(Collector):
    """Memory, CPU and file descriptors of each of the service's processes, by `pid`: the one
    that started the workers and the workers (a solver's process apart)."""

    def collect(self) -> Iterable[Metric]:
        families: dict[str, Metric] = {}
        for pid in service_pids():
            for family in _of_process(pid).collect():
                merged = families.setdefault(
                    family.name, Metric(family.name, family.documentation, family.type)
                )
                for sample in family.samples:
                    merged.add_sample(sample.name, {**sample.labels, "pid": str(pid)}, sample.value)
        return families.values()


def _of_process(pid: int) -> ProcessCollector:
    return ProcessCollector(pid=lambda: pid, registry=None)


def service_pids() -> list[int]:
    supervisor = os.environ.get(SUPERVISOR_PID)
    if not supervisor:
        return [os.getpid()]
    try:
        children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    except OSError:  # no /proc children list: this worker alone
        return [os.getpid()]
    return [int(supervisor), *(int(pid) for pid in children)]
