"""Settings of the interop service, read from INTEROP_* environment variables."""

from contracts.values import TimeZoneName
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class InteropSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTEROP_", extra="ignore", frozen=True)

    port: int = Field(default=8005, ge=1, le=65535)
    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://interop_svc:dev-only-interop-db-password@127.0.0.1:55432/interop"
    )
    hospital_timezone: TimeZoneName = Field(
        default="Europe/Amsterdam",
        description="Slots and schedules are built per local date here.",
    )
