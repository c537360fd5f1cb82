"""Settings of the optimizer service, read from OPTIMIZER_* environment variables."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class OptimizerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="OPTIMIZER_", extra="ignore", frozen=True)

    port: int = Field(default=8004, ge=1, le=65535)
    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://optimizer_svc:dev-only-optimizer-db-password@127.0.0.1:55432/optimizer"
    )
