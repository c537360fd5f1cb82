"""The optimizer's own Prometheus metrics, beside the ones every service exposes."""

from prometheus_client import Counter, Gauge, Histogram

RUNS_FINISHED = Counter(
    "optimizer_runs_total",
    "Optimization runs finished, by source (http, event) and outcome (succeeded or the reason).",
    ("source", "outcome"),
)
SOLVE_SECONDS = Histogram(
    "optimizer_solve_duration_seconds",
    "Wall time of one solve, in its process, by planner.",
    ("planner",),
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600),
)
# Measured from the database by every worker process alike: the latest measurement holds.
QUEUE_DEPTH = Gauge(
    "optimizer_run_queue_depth",
    "Runs queued and not yet claimed by a worker.",
    multiprocess_mode="livemostrecent",
)
RUNS_IN_PROGRESS = Gauge(
    "optimizer_runs_in_progress",
    "Runs the service's processes are solving now.",
    multiprocess_mode="livesum",
)
