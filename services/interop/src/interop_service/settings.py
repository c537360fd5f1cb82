"""Settings of the interop service, read from INTEROP_* environment variables."""

from typing import Annotated

from contracts.values import TimeZoneName
from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints
from pydantic_settings import SettingsConfigDict
from servicekit.settings import ServiceSettings

# An HL7 code (IS, at most 20 characters) that needs no escaping in a message.
Hl7Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,19}$")]


class MllpEndpoint(BaseModel):
    """One receiver of the SIU feed over MLLP: `name` keys its deliveries in the database."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,62}$")]
    host: Annotated[str, StringConstraints(min_length=1, max_length=253)]
    port: int = Field(ge=1, le=65535)


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
    # A transaction per fetched batch: each event's SIU message is checked in about a
    # millisecond once its shape is known (domain/siu_messages.py), so a batch (what arrived
    # while the last one was applied) commits within moments, its NOTIFY waking the delivery
    # workers; a commit per event cost more in round trips and fsyncs than the batch held back.
    consumer_transaction_per_batch: bool = True
    # The HL7 v2 SIU feed (siu/): who its messages say they come from, and where they go.
    siu_sending_application: Hl7Name = Field(default="ORSCHED", description="MSH-3.")
    siu_sending_facility: Hl7Name = Field(
        default="HOSPITAL", description="MSH-4, and the assigning authority of the MRN (PID-3)."
    )
    siu_receiving_application: Hl7Name | None = Field(default=None, description="MSH-5.")
    siu_receiving_facility: Hl7Name | None = Field(default=None, description="MSH-6.")
    siu_filler_contact: Hl7Name = Field(default="OR-SCHEDULING", description="SCH-16.")
    mllp_endpoints: tuple[MllpEndpoint, ...] = Field(
        default=(),
        description='JSON: [{"name": "epic", "host": "10.0.0.5", "port": 2575}, ...]. Each gets'
        " every message built after it was first configured, in order per case.",
    )
    mllp_connect_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    mllp_ack_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    mllp_retry_initial_seconds: float = Field(default=1.0, gt=0, le=600)
    mllp_retry_max_seconds: float = Field(default=60.0, gt=0, le=3600)
    mllp_poll_seconds: float = Field(
        default=0.5,
        gt=0,
        le=60,
        description="How often an idle delivery worker looks for work besides being woken (a"
        " LISTEN on new deliveries) and for retries that came due.",
    )
    mllp_batch_size: int = Field(default=100, ge=1, le=10_000)
    siu_retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="A message built longer ago goes, with its deliveries, once none of them is"
        " pending or parked (siu/retention.py).",
    )
    siu_purge_interval_minutes: float = Field(default=60.0, gt=0, le=10_080)
