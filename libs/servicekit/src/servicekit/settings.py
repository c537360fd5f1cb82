"""Settings every service shares; each service subclasses with its own env prefix and ports."""

from __future__ import annotations

import os
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Every development default carries this marker, so production can refuse all of them at once.
DEV_SECRET_MARKER = "dev-only"  # noqa: S105 - a marker, not a secret

KafkaSecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
KafkaSaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256"]
# libpq's sslmode values; asyncpg takes the same words.
DatabaseSslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
_ENCRYPTED_SSLMODES = ("require", "verify-ca", "verify-full")
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "")


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
    # Each worker holds up to twice this many connections, opened as requests need them and
    # kept: SQLAlchemy's pool (`servicekit.db.create_engine`), half of this many for the direct
    # reads (`servicekit.direct_reads`) and one for the audited reads' group commit.
    db_pool_size: int = Field(default=10, ge=2, le=200)
    # Worker processes `serve` runs behind the one port, each with its own connection pool (up
    # to 2 x `db_pool_size`) and its own relay, consumer and workers; 0 (the default): one per
    # core of the machine.
    workers: int = Field(default=0, ge=0, le=64)
    # False serves the API alone: no outbox relay, no consumer, no service workers (events stay
    # in the outbox). For the API contract test, which must not publish to the real topics.
    background_workers: bool = True
    # Statement and lock timeouts set on every connection of the pool: a stuck query or a lock
    # held elsewhere fails the request with a 503 instead of holding a worker forever.
    db_statement_timeout_ms: int = Field(default=15_000, ge=100, le=3_600_000)
    db_lock_timeout_ms: int = Field(default=5_000, ge=100, le=3_600_000)
    # TLS to PostgreSQL: libpq's sslmode and the CA the server's certificate is checked against.
    database_sslmode: DatabaseSslMode = "prefer"
    database_ssl_ca_file: str | None = None
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # How the Kafka clients (producer, consumers, admin) authenticate and encrypt: SASL_SSL with
    # SCRAM-SHA-512, this service's own user, and the CA of the broker's certificate.
    kafka_security_protocol: KafkaSecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: KafkaSaslMechanism = "SCRAM-SHA-512"
    kafka_username: str | None = None
    kafka_password: SecretStr | None = None
    kafka_ssl_ca_file: str | None = None
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
    # A transaction per fetched batch of a partition (each event still deduplicated, a failing
    # one handled alone); false: a transaction per event, the slower path of before.
    consumer_transaction_per_batch: bool = True
    # How long the consumer gathers events after a poll that brought some (`ConsumerConfig.
    # gather_seconds`): 0 for a consumer someone waits on, more where its effect may lag.
    consumer_gather_seconds: float = Field(default=0.0, ge=0, le=5)
    shutdown_grace_seconds: float = Field(default=15.0, gt=0)

    @field_validator("workers")
    @classmethod
    def _zero_workers_means_one_per_core(cls, workers: int) -> int:
        return workers or os.cpu_count() or 1

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
    def _kafka_credentials_with_sasl(self) -> ServiceSettings:
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_username and self.kafka_password
        ):
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                "KAFKA_USERNAME and KAFKA_PASSWORD"
            )
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

    @model_validator(mode="after")
    def _refuse_insecure_transport_in_production(self) -> ServiceSettings:
        if not self.is_production:
            return self
        refused = []
        if urlsplit(self.jwks_url).scheme != "https":
            refused.append("JWKS_URL must be https://")
        if self.kafka_security_protocol in ("PLAINTEXT", "SASL_PLAINTEXT"):
            refused.append(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} is unencrypted; "
                "use SASL_SSL"
            )
        host = urlsplit(self.database_url.get_secret_value()).hostname or ""
        if host not in _LOCAL_HOSTS and self.database_sslmode not in _ENCRYPTED_SSLMODES:
            refused.append(
                f"DATABASE_SSLMODE={self.database_sslmode} to {host} may be unencrypted; "
                "use require, verify-ca or verify-full"
            )
        if refused:
            raise ValueError("ENVIRONMENT=production refuses: " + "; ".join(refused))
        return self
