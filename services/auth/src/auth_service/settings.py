"""Settings of the auth service, read from AUTH_* environment variables."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings

from auth_service.domain.throttling import (
    BudgetPolicy,
    Network,
    SignInPolicy,
    ThrottleKeys,
    ThrottlePolicy,
)


class AuthSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore", frozen=True)

    port: int = Field(default=8001, ge=1, le=65535)
    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://auth_svc:dev-only-auth-db-password@127.0.0.1:55432/auth"
    )
    # Seals the signing keys' private halves at rest (AES-256-GCM under a key derived from it).
    key_encryption_secret: SecretStr = SecretStr(
        "dev-only-key-encryption-secret-not-for-any-real-hospital"
    )
    # The audit store's consumer takes what arrived over a quarter second in one fetch and one
    # transaction (servicekit's gathering): an entry reaches the store at most that much later,
    # and a steady stream of audited writes costs a transaction per gathering, not per entry.
    consumer_gather_seconds: float = Field(default=0.25, ge=0, le=5)
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # A session ends after this long without a refresh (a coordinator's shift), and in any case
    # after `session_max_hours`.
    session_idle_hours: float = Field(default=8, gt=0, le=24 * 30)
    session_max_hours: float = Field(default=24, gt=0, le=24 * 90)
    # A new signing key is published this long before it signs, so that every service has
    # fetched it (the services fetch at most every 10 s) before the first token needs it.
    key_publish_ahead_seconds: float = Field(default=15, ge=0, le=86_400)
    # How often a process looks again for a key that another process rotated in.
    keyring_refresh_seconds: float = Field(default=5, gt=0, le=600)
    login_max_failures: int = Field(default=5, ge=1, le=100)
    login_window_minutes: float = Field(default=15, gt=0)
    login_first_lock_seconds: float = Field(default=30, gt=0)
    login_longest_lock_seconds: float = Field(default=900, gt=0)
    # Keys the digests of the account names and addresses the throttle counts (HMAC-SHA-256).
    login_throttle_secret: SecretStr = SecretStr("dev-only-login-throttle-secret")
    # Failures one client address may spend per window; then it waits for the window's end.
    login_address_max_failures: int = Field(default=20, ge=1, le=100_000)
    login_address_window_minutes: float = Field(default=10, gt=0, le=24 * 60)
    # Failures of all addresses together per window; then one attempt per pace, for everyone.
    login_global_max_failures: int = Field(default=500, ge=1, le=10_000_000)
    login_global_window_minutes: float = Field(default=10, gt=0, le=24 * 60)
    login_global_pace_seconds: float = Field(default=1, gt=0, le=60)
    # Addresses with no budget of their own (still locked per account name): the machine itself.
    login_unbudgeted_networks: tuple[Network, ...] = (
        ipaddress.ip_network("127.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )
    # How long the audit store keeps an entry: six years (HIPAA's), counted from when it happened.
    audit_retention_days: int = Field(default=2192, ge=1, le=36_500)
    audit_purge_interval_minutes: float = Field(default=60, gt=0, le=7 * 24 * 60)

    @model_validator(mode="after")
    def _strong_key_encryption_secret(self) -> AuthSettings:
        if self.is_production and len(self.key_encryption_secret.get_secret_value()) < 32:
            raise ValueError("AUTH_KEY_ENCRYPTION_SECRET needs at least 32 random characters")
        return self

    @property
    def access_token_lifetime(self) -> timedelta:
        return timedelta(minutes=self.access_token_minutes)

    @property
    def throttle_keys(self) -> ThrottleKeys:
        return ThrottleKeys(self.login_throttle_secret.get_secret_value().encode())

    @property
    def sign_in_policy(self) -> SignInPolicy:
        return SignInPolicy(
            lock=self.throttle_policy,
            address=BudgetPolicy(
                self.login_address_max_failures,
                timedelta(minutes=self.login_address_window_minutes),
            ),
            everyone=BudgetPolicy(
                self.login_global_max_failures,
                timedelta(minutes=self.login_global_window_minutes),
                pace=timedelta(seconds=self.login_global_pace_seconds),
            ),
            unbudgeted=self.login_unbudgeted_networks,
        )

    @property
    def throttle_policy(self) -> ThrottlePolicy:
        return ThrottlePolicy(
            max_failures=self.login_max_failures,
            window=timedelta(minutes=self.login_window_minutes),
            first_lock=timedelta(seconds=self.login_first_lock_seconds),
            longest_lock=timedelta(seconds=self.login_longest_lock_seconds),
        )
