"""Settings of the optimizer service, read from OPTIMIZER_* environment variables."""

import os

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class OptimizerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="OPTIMIZER_", extra="ignore", frozen=True)

    port: int = Field(default=8004, ge=1, le=65535)
    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://optimizer_svc:dev-only-optimizer-db-password@127.0.0.1:55432/optimizer"
    )
    # CP-SAT search workers of one solve; the machine's cores by default.
    solver_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=256)
    # Runs solved at the same time, each in its own process (a solve uses every core it is given).
    max_concurrent_runs: int = Field(default=1, ge=1, le=16)
    # A request may ask for less, never for more; longer limits are cut to this.
    max_time_limit_seconds: float = Field(default=300.0, gt=0, le=3600)
    # A solve overrunning its time limit by this much is stopped and the run failed.
    solve_overrun_seconds: float = Field(default=60.0, gt=0)
    # Safety-net poll of the queue; new runs wake the worker at once through NOTIFY.
    run_poll_seconds: float = Field(default=2.0, gt=0)
    # A running run whose lease is not renewed in time (its process died) is claimed again.
    run_lease_seconds: float = Field(default=30.0, ge=1)
    # Claims of one run before it is failed instead of being solved again (it keeps killing us).
    run_max_attempts: int = Field(default=3, ge=1, le=20)
    # `POST /runs` in wait mode waits for the time limit plus this, then answers 202.
    wait_margin_seconds: float = Field(default=10.0, ge=0, le=600)
    # ...but never longer than this: the gateway gives up on an answer after 120 s.
    max_wait_seconds: float = Field(default=100.0, gt=0, le=3600)
    wait_poll_seconds: float = Field(default=0.2, gt=0, le=5)
