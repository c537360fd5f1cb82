"""Settings of the resources service, read from RESOURCES_* environment variables."""

from contracts.values import TimeZoneName
from contracts.vocabulary import KNOWN_CAPABILITIES
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class ResourcesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RESOURCES_", extra="ignore", frozen=True)

    port: int = Field(default=8002, ge=1, le=65535)
    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://resources_svc:dev-only-resources-db-password@127.0.0.1:55432/resources"
    )
    # Weekly hours, working patterns and blocks are wall-clock times in this zone; every stored
    # instant is UTC.
    hospital_timezone: TimeZoneName = "Europe/Amsterdam"
    # The capabilities a room may declare: a closed list per hospital, so a typo is refused.
    room_capabilities: tuple[str, ...] = KNOWN_CAPABILITIES
    availability_max_days: int = Field(default=92, ge=1, le=366)
