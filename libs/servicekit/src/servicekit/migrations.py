"""Alembic, run per service against its own database, with the kit's messaging tables included."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, text

from servicekit.db import ConnectOptions, create_engine
from servicekit.health import SchemaRevisions
from servicekit.messaging.schema import (
    ADD_OUTBOX_PARKING_DDL,
    DROP_NOTIFY_DDL,
    DROP_OUTBOX_PARKING_DDL,
    NOTIFY_FUNCTION_DDL,
    NOTIFY_TRIGGER_DDL,
    messaging_metadata,
)
from servicekit.service import ServiceDefinition


def alembic_config(service: ServiceDefinition[Any]) -> Config:
    # One env.py and template for all; each service keeps only its own versions.
    config = Config()
    config.set_main_option("script_location", "servicekit:alembic")
    package, _, folder = service.migrations.partition(":")
    config.set_main_option("version_locations", str(resources.files(package) / folder))
    config.set_main_option("path_separator", "newline")
    config.attributes["service"] = service
    return config


def schema_revisions(service: ServiceDefinition[Any]) -> SchemaRevisions | None:
    """What readiness compares the database with; None for a service without versions of its own
    (a test service naming the kit's folder, whose env.py is no revision)."""
    config = alembic_config(service)
    if Path(config.get_main_option("version_locations") or "", "env.py").exists():
        return None
    script = ScriptDirectory.from_config(config)
    return SchemaRevisions(
        heads=frozenset(script.get_heads()),
        known=frozenset(revision.revision for revision in script.walk_revisions()),
    )


def upgrade(service: ServiceDefinition[Any], revision: str = "head") -> None:
    command.upgrade(alembic_config(service), revision)


def revision(service: ServiceDefinition[Any], message: str) -> None:
    command.revision(alembic_config(service), message=message, autogenerate=True)


def run_env() -> None:
    """The body of every service's `migrations/env.py`."""
    service: ServiceDefinition[Any] = context.config.attributes["service"]
    settings = service.settings()
    url = settings.database_url.get_secret_value()
    # No statement timeout: a migration that rewrites a large table may rightly run for minutes.
    # The lock timeout stays: DDL queued behind a long transaction would otherwise hold every
    # request queued behind it; failing, the migration is simply run again.
    options = replace(ConnectOptions.of(settings), statement_timeout_ms=0)
    asyncio.run(_run_online(service, url, settings.search_path, options))


async def _run_online(
    service: ServiceDefinition[Any], url: str, search_path: str | None, options: ConnectOptions
) -> None:
    engine = create_engine(url, pool_size=1, search_path=search_path, options=options)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_run_sync, service)
            await conn.commit()
    finally:
        await engine.dispose()


def _run_sync(conn: Connection, service: ServiceDefinition[Any]) -> None:
    context.configure(
        connection=conn,
        target_metadata=[service.metadata, messaging_metadata],
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Views are declared as tables (`info={"is_view": True}`); a migration creates them."""
    return not (type_ == "table" and getattr(obj, "info", {}).get("is_view"))


def create_messaging_tables(op: Operations) -> None:
    """Called from each service's first migration: the outbox and the processed-events log."""
    bind = op.get_bind()
    messaging_metadata.create_all(bind)
    bind.execute(text(NOTIFY_FUNCTION_DDL))
    bind.execute(text(NOTIFY_TRIGGER_DDL))


def drop_messaging_tables(op: Operations) -> None:
    bind = op.get_bind()
    for statement in DROP_NOTIFY_DDL:
        bind.execute(text(statement))
    messaging_metadata.drop_all(bind)


def add_outbox_parking(op: Operations) -> None:
    """The outbox's attempts, parked_at and park_reason (servicekit.messaging.parking)."""
    for statement in ADD_OUTBOX_PARKING_DDL:
        op.execute(statement)


def drop_outbox_parking(op: Operations) -> None:
    for statement in DROP_OUTBOX_PARKING_DDL:
        op.execute(statement)


def create_user_access_table(op: Operations) -> None:
    """For services that keep the auth-fed user-access read model."""
    from servicekit.user_access import user_access_table

    user_access_table(MetaData()).create(op.get_bind())


def create_revoked_sessions_table(op: Operations) -> None:
    """For services that keep the user-access read model: the sessions revoked early."""
    from servicekit.user_access import revoked_sessions_table

    revoked_sessions_table(MetaData()).create(op.get_bind())


def drop_revoked_sessions_table(op: Operations) -> None:
    from servicekit.user_access import REVOKED_SESSIONS

    op.drop_table(REVOKED_SESSIONS)
