"""Settings every service shares; each service subclasses with its own env prefix and ports."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Every development default carries this marker, so production can refuse all of them at once.
DEV_SECRET_MARKER = "dev-only"  # noqa: S105 - a marker, not a secret


class ServiceSettings(BaseSettings):
    """Base settings; a subclass sets `env_prefix` (AUTH_, RESOURCES_, ...) and its defaults."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        validation_alias=AliasChoices("environment", "ENVIRONMENT"),
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    database_url: SecretStr
    # The schema the service's tables live in, first on the search path (extensions stay in
    # public); none means the database user's default. Tests run a service in a schema of its own.
    database_schema: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # False serves the API alone: no outbox relay, no consumer, no service workers (events stay
    # in the outbox). For the API contract test, which must not publish to the real topics.
    background_workers: bool = True
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Where spans go by OTLP/HTTP (the collector's base URL, the standard variable); none: no
    # tracing is recorded or exported, though an incoming `traceparent` is still passed on.
    otlp_endpoint: str | None = Field(
        default=None,
        pattern=r"^https?://",
        validation_alias=AliasChoices("otlp_endpoint", "OTEL_EXPORTER_OTLP_ENDPOINT"),
    )
    # Where every service fetches the public keys that access tokens are verified with.
    jwks_url: str = "http://127.0.0.1:8001/.well-known/jwks.json"
    jwt_issuer: str = "surgery-scheduling-auth"
    jwt_audience: str = "surgery-scheduling"
    # How stale this service's view of deactivations and role changes may be, at most.
    access_refresh_seconds: float = Field(default=1.0, gt=0, le=60)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    outbox_batch_size: int = Field(default=500, ge=1, le=10_000)
    outbox_retention_hours: int = Field(default=168, ge=1)
    consumer_max_attempts: int = Field(default=5, ge=1, le=50)
    consumer_backoff_seconds: float = Field(default=0.2, gt=0)
    shutdown_grace_seconds: float = Field(default=15.0, gt=0)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def search_path(self) -> str | None:
        return f"{self.database_schema}, public" if self.database_schema else None

    @model_validator(mode="after")
    def _schema_only_for_the_api_alone(self) -> ServiceSettings:
        # The relay and the workers open their own connections without the search path.
        if self.database_schema and self.background_workers:
            raise ValueError("DATABASE_SCHEMA is for API-only runs: set BACKGROUND_WORKERS=false")
        return self

    @model_validator(mode="after")
    def _refuse_development_secrets_in_production(self) -> ServiceSettings:
        if not self.is_production:
            return self
        leaked = [
            name
            for name, value in self
            if isinstance(value, SecretStr) and DEV_SECRET_MARKER in value.get_secret_value()
        ]
        if leaked:
            raise ValueError(
                "ENVIRONMENT=production refuses development secrets; set real values for: "
                + ", ".join(sorted(leaked))
            )
        return self
