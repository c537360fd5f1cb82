"""Placing an order: the use case behind `POST /fhir/ServiceRequest`.

One transaction stores the order (unique on the placer's order number) and puts
`ServiceRequestPlaced` in the outbox, with an audit entry; the case reaches scheduling's waiting
list through Kafka only. A second order with the same placer number is answered with the first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from contracts.events.auth_users import Role
from contracts.events.interop_service_requests import PlacerIdentifier, ServiceRequestPlaced
from contracts.events.resources_staff import StaffMemberUpserted
from contracts.events.surgery_request import may_request_for, surgeon_refusal
from fhir.resources.R4B.servicerequest import ServiceRequest
from servicekit import audit
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.problems import Problem
from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from interop_service.db.fhir_resources import fhir_staff
from interop_service.db.orders import NO_SYSTEM, service_requests
from interop_service.domain.orders_elements import OrderIssue
from interop_service.domain.orders_mapping import Order
from interop_service.fhir.common import fhir_error

_ROLES = frozenset(role.value for role in Role)


class StaffDirectory(Protocol):
    """Who a staff id is, as this service's read model of staff knows them."""

    known: bool  # False: no read model of staff to ask; scheduling's check is the only one

    async def member(
        self, session: AsyncSession, staff_id: uuid.UUID
    ) -> StaffMemberUpserted | None: ...


class NoStaffReadModel:
    """The directory without a read model of staff: surgeons are checked by scheduling alone,
    when it applies the order (a refusal goes to the topic's DLQ). Tests use it."""

    known = False

    async def member(
        self, session: AsyncSession, staff_id: uuid.UUID
    ) -> StaffMemberUpserted | None:
        return None


class ReadModelStaff:
    """The staff snapshots of the FHIR read model (`db/fhir_resources.py`), fed by
    `resources.staff.v1` as scheduling's own read model is."""

    known = True

    async def member(
        self, session: AsyncSession, staff_id: uuid.UUID
    ) -> StaffMemberUpserted | None:
        snapshot = await session.scalar(
            select(fhir_staff.c.snapshot).where(fhir_staff.c.staff_id == staff_id)
        )
        return None if snapshot is None else StaffMemberUpserted.model_validate(snapshot)


@dataclass(frozen=True, slots=True)
class Placed:
    case_id: uuid.UUID
    resource: ServiceRequest
    created: bool  # False: the placer's number was placed before; this is that order


async def place(
    uow: UnitOfWork, order: Order, *, placer: Principal, staff: StaffDirectory
) -> Placed:
    """Stores the order and announces it, or answers the order placed before under its number."""
    before = await find(uow.session, order.placer)
    if before is not None:
        return existing(before)
    if staff.known:
        await _check_surgeon(uow.session, order, placer, staff)
    case_id = uuid.uuid4()
    resource = _stored(order.resource, case_id)
    stored = await uow.session.scalar(
        insert(service_requests)
        .values(
            case_id=case_id,
            placer_system=order.placer.system or NO_SYSTEM,
            placer_value=order.placer.value,
            resource=resource,
            request=order.request.model_dump(mode="json"),
            placed_by=uuid.UUID(placer.user_id),
        )
        .on_conflict_do_nothing(constraint="uq_service_requests_placer")
        .returning(service_requests.c.case_id)
    )
    if stored is None:  # the same number placed by a request running beside this one
        raced = await find(uow.session, order.placer)
        assert raced is not None  # the conflict that stopped the insert is this row
        return existing(raced)
    await uow.outbox.add(_event(case_id, order, placer))
    await audit.record(
        uow,
        actor=audit.user(placer.user_id),
        action="service_request.create",
        record_type="service_request",
        record_id=case_id,
        details={"placer_value": order.placer.value, "surgeon_id": str(order.request.surgeon_id)},
    )
    await uow.commit()
    return Placed(case_id, ServiceRequest.model_validate(resource), created=True)


async def find(session: AsyncSession, placer: PlacerIdentifier) -> Row[Any] | None:
    """The order stored under a placer's number (`system` None: stored without a system)."""
    return (
        await session.execute(
            select(service_requests).where(
                service_requests.c.placer_system == (placer.system or NO_SYSTEM),
                service_requests.c.placer_value == placer.value,
            )
        )
    ).first()


def existing(row: Row[Any]) -> Placed:
    """An order stored before, as a second placing of it is answered."""
    return Placed(row.case_id, ServiceRequest.model_validate(row.resource), created=False)


async def _check_surgeon(
    session: AsyncSession, order: Order, placer: Principal, staff: StaffDirectory
) -> None:
    """The rules of POST /surgeries that need state, on this service's read model of staff."""
    surgeon_id = order.request.surgeon_id
    member = await staff.member(session, surgeon_id)
    refusal = surgeon_refusal(surgeon_id, member)
    if refusal is not None:
        raise refused([OrderIssue("ServiceRequest.performer[0].reference", refusal)])
    if not may_request_for(member, user_id=placer.user_id, roles=placer.roles):
        raise fhir_error(
            403,
            f"A surgeon places orders only for themselves; Practitioner/{surgeon_id} is not "
            "linked to your user account.",
            "forbidden",
        )


def refused(issues: list[OrderIssue]) -> Problem:
    """A 422 whose OperationOutcome has an issue per element, `expression` its FHIRPath."""
    return Problem(
        422,
        "; ".join(f"{i.expression}: {i.diagnostics}" for i in issues),
        title="The order cannot be placed",
        issue_code="processing",
        errors=[
            {
                "loc": [i.expression],
                "msg": i.diagnostics,
                "type": "missing" if i.missing else "invalid",
            }
            for i in issues
        ],
    )


def _stored(resource: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
    """The ServiceRequest as this server keeps it: its id is the case's."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    meta = {**resource.get("meta", {}), "lastUpdated": now, "versionId": "1"}
    stored = {**resource, "id": str(case_id), "meta": meta}
    # Validated again: what we answer must be a ServiceRequest, as what we took was.
    validated: dict[str, Any] = ServiceRequest.model_validate(stored).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    return validated


def _event(case_id: uuid.UUID, order: Order, placer: Principal) -> ServiceRequestPlaced:
    return ServiceRequestPlaced(
        surgery_id=case_id,
        placer_identifier=order.placer,
        request=order.request,
        placed_by=uuid.UUID(placer.user_id),
        placed_by_roles=tuple(Role(r) for r in placer.roles if r in _ROLES),
    )
