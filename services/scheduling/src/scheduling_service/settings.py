"""Settings of the scheduling service, read from SCHEDULING_* environment variables."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_", extra="ignore", frozen=True)

    port: int = Field(default=8003, ge=1, le=65535)
    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://scheduling_svc:dev-only-scheduling-db-password@127.0.0.1:55432/scheduling"
    )
