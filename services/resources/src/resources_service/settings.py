"""Settings of the resources service, read from RESOURCES_* environment variables."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class ResourcesSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RESOURCES_", extra="ignore", frozen=True)

    port: int = Field(default=8002, ge=1, le=65535)
    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://resources_svc:dev-only-resources-db-password@127.0.0.1:55432/resources"
    )
