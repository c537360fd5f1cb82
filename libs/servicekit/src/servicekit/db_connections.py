"""How every connection to a service's database is opened: TLS and the statement and lock
timeouts. Apart from db.py so the messaging package (the relay) can take it without a cycle."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import asyncpg

from servicekit.settings import DatabaseSslMode, ServiceSettings

APPLICATION_NAME = "surgery-scheduling"


# The settings' defaults, for engines made without settings (tests, tools).
_SETTINGS = ServiceSettings.model_fields


@dataclass(frozen=True)
class ConnectOptions:
    """How every connection to a service's database is opened: TLS, and how long a statement
    may run and wait for a lock before PostgreSQL cancels it. The engine's pool, the relay's and
    the workers' own connections all take these; the defaults are the settings' defaults."""

    sslmode: DatabaseSslMode = _SETTINGS["database_sslmode"].default
    ssl_ca_file: str | None = None
    # 0 is "no limit": migrations (a data migration may rightly run for minutes).
    statement_timeout_ms: int = _SETTINGS["db_statement_timeout_ms"].default
    lock_timeout_ms: int = _SETTINGS["db_lock_timeout_ms"].default

    @classmethod
    def of(cls, settings: ServiceSettings) -> ConnectOptions:
        return cls(
            sslmode=settings.database_sslmode,
            ssl_ca_file=settings.database_ssl_ca_file,
            statement_timeout_ms=settings.db_statement_timeout_ms,
            lock_timeout_ms=settings.db_lock_timeout_ms,
        )

    @cached_property
    def ssl_argument(self) -> ssl.SSLContext | bool | str:
        """asyncpg's `ssl=`, as libpq reads `sslmode`. `disable`: plain. `allow` and `prefer`:
        asyncpg's own fallback between TLS and plain, unverified. `require`: encrypted, the
        server unverified, unless a CA file is given (then its chain is checked, as libpq does).
        `verify-ca`: the chain is checked against the CA file (the system's CAs without one);
        `verify-full`: and the host name too. Made once: a missing CA file fails at start-up."""
        if self.sslmode == "disable":
            return False
        if self.sslmode in ("allow", "prefer"):
            return self.sslmode
        context = ssl.create_default_context(cafile=self.ssl_ca_file)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.check_hostname = self.sslmode == "verify-full"
        if self.sslmode == "require" and self.ssl_ca_file is None:
            context.verify_mode = ssl.CERT_NONE
        return context

    def server_settings(self, search_path: str | None = None) -> dict[str, str]:
        settings = {
            "application_name": APPLICATION_NAME,
            "statement_timeout": str(self.statement_timeout_ms),
            "lock_timeout": str(self.lock_timeout_ms),
        }
        if search_path:
            settings["search_path"] = search_path
        return settings

    def asyncpg_arguments(self, search_path: str | None = None) -> dict[str, Any]:
        """Keyword arguments for `asyncpg.connect` (and the engine's `connect_args`)."""
        return {"ssl": self.ssl_argument, "server_settings": self.server_settings(search_path)}

    async def connect(self, dsn: str, *, search_path: str | None = None) -> asyncpg.Connection:
        """A connection of its own (a LISTEN, the relay's), opened like the pool's."""
        return await asyncpg.connect(dsn, **self.asyncpg_arguments(search_path))
