"""Settings of the scheduling service, read from SCHEDULING_* environment variables."""

from contracts.values import TimeZoneName
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCHEDULING_", extra="ignore", frozen=True)

    port: int = Field(default=8003, ge=1, le=65535)
    database_url: SecretStr = SecretStr(
        "postgresql+asyncpg://scheduling_svc:dev-only-scheduling-db-password@127.0.0.1:55432/scheduling"
    )
    hospital_timezone: TimeZoneName = Field(
        default="Europe/Amsterdam",
        description="Day lists, KPI dates and optimization horizons are local dates here.",
    )
    max_range_days: int = Field(
        default=92, ge=1, le=366, description="The longest range a day list or KPI query covers."
    )
    optimization_time_limit_seconds: float = Field(
        default=30.0, gt=0, le=3600, description="The optimizer's time limit when none is asked."
    )
    first_case_grace_minutes: int = Field(
        default=5,
        ge=0,
        le=120,
        description="A first case that wheels in this late after its planned start is on time.",
    )
