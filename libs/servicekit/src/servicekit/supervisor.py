"""The process `serve` becomes when a service runs several workers: it starts them, keeps them
alive and stops them, and imports nothing of the service itself.

`python -m <service>_service serve` has loaded the whole service (its settings decide how many
workers), so with several workers it execs this module in its place: the same pid and process
group, a few tens of megabytes instead of the service's hundred and more. Uvicorn's supervisor
binds the port once and hands it to each worker, replaces a worker that dies, and on SIGTERM
stops every worker gracefully and waits for them (deploy/local/services.sh signals the whole
process group, which comes to the same). Each worker imports the ASGI app and runs the lifespan:
its own pools, relay, consumer and workers.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import signal
import sys

import uvicorn

from servicekit import metrics
from servicekit.logs import configure_logging

HEALTHCHECK_SECONDS = 60
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def command(
    *,
    service: str,
    asgi_app: str,
    workers: int,
    host: str,
    port: int,
    root_path: str,
    grace_seconds: int,
    log_level: str,
) -> list[str]:
    """The command line that runs this module with these settings."""
    return [
        sys.executable,
        "-m",
        __name__,
        f"--service={service}",
        f"--app={asgi_app}",
        f"--workers={workers}",
        f"--host={host}",
        f"--port={port}",
        f"--root-path={root_path}",
        f"--grace-seconds={grace_seconds}",
        f"--log-level={log_level}",
    ]


def become(argv: list[str]) -> None:
    """Replace this process with the supervisor (never returns)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)  # noqa: S606 - our own interpreter and arguments, no shell


def _in_worker() -> bool:
    supervisor = os.environ.get(metrics.SUPERVISOR_PID)
    return bool(supervisor) and int(supervisor or 0) != os.getpid()


def freeze_startup_objects() -> None:
    """In a worker, once started: everything made so far (the imports, the app, the runtime;
    ~150,000 objects) lives as long as the process, so it is taken out of the cyclic garbage
    collector's sight (`gc.freeze`). A full collection then walks only what came after, not
    them all: with resources' app loaded, one took 100-110 ms on this machine, a pause of every
    request in flight whenever it falls. A no-op outside a worker (tests build many apps in one
    process: frozen, the earlier ones would never be freed)."""
    if not _in_worker():
        return
    gc.collect()  # garbage of the start-up is freed, not frozen
    gc.freeze()


def die_with_supervisor() -> None:
    """In a worker: be sent SIGTERM (a graceful stop) when the supervisor dies.

    The supervisor stops its workers itself on SIGTERM; but killed outright (SIGKILL, the OOM
    killer) it leaves them running as orphans that keep the port and their consumer's
    partitions. Linux's parent-death signal ends them too. A no-op outside a worker.
    """
    supervisor = os.environ.get(metrics.SUPERVISOR_PID)
    if not supervisor or int(supervisor) == os.getpid() or not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(supervisor):  # it died before the signal was asked for
        os.kill(os.getpid(), signal.SIGTERM)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m {__name__}")
    for name in ("service", "app", "host", "root-path", "log-level"):
        parser.add_argument(f"--{name}", required=True)
    for name in ("workers", "port", "grace-seconds"):
        parser.add_argument(f"--{name}", required=True, type=int)
    args = parser.parse_args(argv)
    configure_logging(args.service, args.log_level)
    with metrics.shared_between_workers(args.service):
        uvicorn.run(
            args.app,
            workers=args.workers,
            host=args.host,
            port=args.port,
            log_config=None,
            proxy_headers=True,
            root_path=args.root_path,
            timeout_graceful_shutdown=args.grace_seconds,
            # How long a worker may take to answer the supervisor's ping before it is killed and
            # replaced. Uvicorn's 5 s killed workers still starting up on a busy two-core
            # machine, again and again; a worker stuck for a minute is hung.
            timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
        )


if __name__ == "__main__":
    main()
