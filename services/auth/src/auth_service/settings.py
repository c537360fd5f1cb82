"""Settings of the auth service, read from AUTH_* environment variables."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class AuthSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore", frozen=True)

    port: int = Field(default=8001, ge=1, le=65535)
    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://auth_svc:dev-only-auth-db-password@127.0.0.1:55432/auth"
    )
