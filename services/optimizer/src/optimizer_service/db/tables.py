"""The optimizer service's tables: its optimization runs, and the user-access read model."""

from servicekit.user_access import revoked_sessions_table, user_access_table
from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = MetaData()

user_access = user_access_table(metadata)
revoked_sessions = revoked_sessions_table(metadata)

# One row per run, whoever asked; the row is also the queue entry its worker claims.
optimization_runs = Table(
    "optimization_runs",
    metadata,
    Column("run_id", UUID(as_uuid=True), primary_key=True),
    # The OptimizationRequested it answers; unique, so a request republished is solved once.
    Column("request_id", UUID(as_uuid=True), unique=True),
    Column("source", Text, nullable=False),
    Column("planner", Text, nullable=False, server_default="cp_sat"),
    Column("requested_by", UUID(as_uuid=True)),
    Column("status", Text, nullable=False, server_default="queued"),
    Column("problem", JSONB, nullable=False),
    # {"plan", "solver"} when it succeeded, {"failure": {"reason", "message", "details"}} if not.
    Column("result", JSONB),
    Column("correlation_id", UUID(as_uuid=True)),
    Column("causation_id", UUID(as_uuid=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    # CP-SAT's random seed, and the search workers of the solve that finished the run: with one
    # worker, the same problem and seed give the same plan.
    Column("seed", Integer, nullable=False, server_default="0"),
    Column("solver_workers", Integer),
    # Fencing token of the current claim: only its holder may store the result.
    Column("claim_id", UUID(as_uuid=True)),
    Column("lease_expires_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    CheckConstraint("source IN ('http', 'event')", name="ck_optimization_runs_source"),
    CheckConstraint("planner IN ('cp_sat', 'greedy')", name="ck_optimization_runs_planner"),
    CheckConstraint(
        "status IN ('queued', 'running', 'succeeded', 'failed')",
        name="ck_optimization_runs_status",
    ),
    CheckConstraint(
        "(status IN ('succeeded', 'failed')) = (result IS NOT NULL)",
        name="ck_optimization_runs_result",
    ),
    Index("ix_optimization_runs_created_at", "created_at"),
    # The queue: what is waiting or running, oldest first.
    Index(
        "ix_optimization_runs_pending",
        "created_at",
        postgresql_where=text("status IN ('queued', 'running')"),
    ),
)
