"""The waiting list: surgery requests created, corrected, read and listed, each audited."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from contracts.events.resources_staff import StaffMemberUpserted
from contracts.events.scheduling_surgeries import (
    Booking,
    SurgeryRequestChanged,
    SurgeryRequested,
)
from servicekit.auth import Principal
from servicekit.db import AuditedRead, UnitOfWork
from servicekit.direct_reads import DirectReads
from servicekit.etags import ensure_fresh
from servicekit.pages import PageRequest, containing
from servicekit.problems import Problem
from sqlalchemy import ColumnElement, Row, Select, and_, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from scheduling_service import metrics
from scheduling_service.audit import audit_log
from scheduling_service.cases import case_access, cases
from scheduling_service.cases.case_access import booked_people
from scheduling_service.cases.case_request import CaseRequest
from scheduling_service.db.tables import priority_rank, staff, surgery_requests
from scheduling_service.domain import access, waiting_list
from scheduling_service.domain.lifecycle import BOOKED, HOLDING, WAITING, Status
from scheduling_service.domain.surgery_requests import may_request_for, surgeon_refusal
from scheduling_service.read_model import resources_view

_WAITING = [s.value for s in WAITING]
_HOLDING = frozenset(s.value for s in HOLDING)
_SORTABLE: dict[str, ColumnElement[Any]] = {
    # Written as `ix_surgery_requests_priority_order` is: the default order is read from it.
    "priority_rank": priority_rank,
    "due_date": surgery_requests.c.due_date,
    "created_at": surgery_requests.c.created_at,
    "surgeon_name": select(staff.c.name)
    .where(staff.c.staff_id == surgery_requests.c.surgeon_id)
    .scalar_subquery(),
    "surgeon_id": surgery_requests.c.surgeon_id,
}


@dataclass(frozen=True, slots=True)
class Case:
    """A surgery request as stored, with its current booking if it has one."""

    row: Row[Any]
    booking: Booking | None
    patient_shown: bool = True  # False: answered without patient identifiers


@dataclass(frozen=True, slots=True)
class SurgeryFilter:
    statuses: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    surgeon_id: uuid.UUID | None = None
    specialty: str | None = None
    due_before: date | None = None  # due on or before
    due_after: date | None = None  # due on or after
    waiting: bool | None = None  # requested or postponed (or neither, when False)
    search: str | None = None  # in the MRN, procedure code or procedure name
    sort: str = "priority"

    def described(self) -> dict[str, Any]:
        """The filters given, as the audit entry of a list keeps them."""
        given = {
            "status": list(self.statuses),
            "priority": list(self.priorities),
            "surgeon_id": self.surgeon_id and str(self.surgeon_id),
            "specialty": self.specialty,
            "due_before": self.due_before and self.due_before.isoformat(),
            "due_after": self.due_after and self.due_after.isoformat(),
            "waiting": self.waiting,
            "q": self.search,
        }
        return {k: v for k, v in given.items() if v not in (None, [])} | {"sort": self.sort}


async def create(uow: UnitOfWork, body: CaseRequest, *, requester: Principal) -> uuid.UUID:
    """Puts a case on the waiting list for a known, active surgeon the requester may ask for."""
    surgery_id = await stage_create(uow, body, requester=requester)
    await uow.commit()
    return surgery_id


async def stage_create(
    uow: UnitOfWork,
    body: CaseRequest,
    *,
    requester: Principal,
    surgery_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """`create`, leaving the commit to a larger change (the demo seed, or the consumer applying
    an order placed through interop, which chose the case id: `surgery_id`)."""
    await surgeon_for(uow.session, body.surgeon_id, requester)
    surgery_id = surgery_id or uuid.uuid4()
    requested_by = uuid.UUID(requester.user_id)
    await uow.session.execute(
        insert(surgery_requests).values(
            surgery_id=surgery_id,
            status=Status.REQUESTED.value,
            version=1,
            requested_by=requested_by,
            **columns(body),
        )
    )
    await uow.outbox.add(requested_event(surgery_id, body, requested_by))
    metrics.CASES_REQUESTED.inc()
    await cases.remember(
        uow.session,
        surgery_id,
        from_status=None,
        to_status=Status.REQUESTED,
        booking=None,
        changed_by=requested_by,
    )
    await audit_log.record(
        uow,
        actor=audit_log.actor(requester),
        action="surgery.create",
        record_id=surgery_id,
        details={"surgeon_id": str(body.surgeon_id), "priority": body.priority.value},
    )
    return surgery_id


async def correct(
    uow: UnitOfWork,
    surgery_id: uuid.UUID,
    body: CaseRequest,
    *,
    requester: Principal,
    if_match: str | None,
) -> None:
    """Replaces what a waiting case's request says; a booked case keeps what it was booked for."""
    if if_match is None:
        raise Problem(
            428,
            "Send If-Match with the ETag you read: a correction replaces the whole request and "
            "must not overwrite a change you have not seen.",
        )
    row = await cases.find(uow.session, surgery_id, lock=True)
    ensure_fresh(if_match, row.version)
    if Status(row.status) not in WAITING:
        hint = " Postpone it first." if Status(row.status) in BOOKED else ""
        raise Problem(
            409,
            f"A case that is {row.status} cannot be corrected; only a case on the waiting list "
            f"(requested or postponed) can.{hint}",
            current_status=row.status,
        )
    await surgeon_for(uow.session, body.surgeon_id, requester)
    if body.surgeon_id != row.surgeon_id:
        await _ensure_owns(uow.session, row.surgeon_id, requester)
    changed = [name for name, value in columns(body).items() if row._mapping[name] != value]
    version = await cases.bump(uow.session, surgery_id, **columns(body))
    fields = body.said()
    del fields["notes"]
    await uow.outbox.add(
        SurgeryRequestChanged(
            surgery_id=surgery_id,
            requested_by=row.requested_by,
            changed_by=uuid.UUID(requester.user_id),
            **fields,
        )
    )
    await audit_log.record(
        uow,
        actor=audit_log.actor(requester),
        action="surgery.update",
        record_id=surgery_id,
        details={"version": version, "changed": changed},
    )
    await uow.commit()


async def current(session: AsyncSession, surgery_id: uuid.UUID) -> Case:
    """The case and its booking as they are now, unaudited (a change's answer)."""
    row, booking = await cases.with_booking(session, surgery_id)
    return Case(row, booking)


async def read(
    uow: AuditedRead, reads: DirectReads, surgery_id: uuid.UUID, *, reader: Principal
) -> Case:
    """The case as the reader may see it (`domain/access.py`); `404` for one they may not, and
    no entry. Without a transaction: the case read straight on asyncpg (`reads`), the entry
    committed as it is written."""
    found = Case(*await cases.read_with_booking(reads, surgery_id))
    who = await case_access.reader_of(uow.session, reader)
    sight = access.case_sight(who, case_access.ties_of(found.row, booked_people(found.booking)))
    if sight is access.Sight.HIDDEN:
        raise case_access.hidden(surgery_id)
    await audit_log.record(
        uow,
        actor=audit_log.actor(reader),
        action="surgery.read",
        record_id=surgery_id,
        details={"version": found.row.version, "status": found.row.status},
    )
    await uow.commit()
    return Case(found.row, found.booking, case_access.shows_patient(sight))


async def listed(
    uow: AuditedRead, where: SurgeryFilter, page: PageRequest, *, reader: Principal
) -> tuple[list[Case], int]:
    """One page of the waiting list with each case's booking, as far as the reader may see it
    (`domain/access.py`); one audit entry names them all. Without a transaction: the page (with
    its count) and its bookings are two snapshots, as they were under READ COMMITTED in one."""
    who = await case_access.reader_of(uow.session, reader)
    rows, total = await _page(uow.session, where, who, page)
    # Only a case in a holding status has a booking (`domain/lifecycle.py`): a waiting-list
    # page asks for none.
    holding = [row.surgery_id for row in rows if row.status in _HOLDING]
    booked = await cases.bookings_of(uow.session, holding)
    await audit_log.record(
        uow,
        actor=audit_log.actor(reader),
        action="surgery.list",
        record_id="list",
        details={
            "surgery_ids": [str(row.surgery_id) for row in rows],
            "total": total,
            "offset": page.offset,
            "filters": where.described(),
        },
    )
    await uow.commit()
    return [_as_seen(who, row, booked.get(row.surgery_id)) for row in rows], total


@functools.lru_cache(maxsize=256)
def _page_statements(
    where: SurgeryFilter, who: access.Reader, offset: int, limit: int
) -> tuple[Select[Any], Select[Any]]:
    """The statements of one page of the cases `where` finds that `who` may see: the page with
    the count of all beside it, and the count alone. Built once per distinct page asked (a board
    asks the same few again and again; building one was a tenth of a 20-case page's CPU), then
    executed as often as asked: the filters, the reader and the page are its key, and all it
    holds (the values bound in it are theirs)."""
    conditions = [case_access.within(access.case_scope(who.roles), who), *_conditions(where, who)]
    order_by = [
        *(_sql(term) for term in waiting_list.ordering(where.sort)),
        surgery_requests.c.surgery_id,
    ]
    matching = (
        select(func.count())
        .select_from(surgery_requests)
        .where(*conditions)
        .correlate(None)
        .scalar_subquery()
    )
    page = (
        select(surgery_requests, matching.label("matching_count"))
        .where(*conditions)
        .order_by(*order_by)
        .offset(offset)
        .limit(limit)
    )
    return page, select(func.count()).select_from(surgery_requests).where(*conditions)


async def _page(
    session: AsyncSession, where: SurgeryFilter, who: access.Reader, page: PageRequest
) -> tuple[list[Row[Any]], int]:
    """One page of the cases `where` finds that `who` may see, and how many match in all: one
    statement, the count beside the page (PostgreSQL works an uncorrelated scalar subquery out
    once, when the first row is projected; both see the same snapshot). Only a page empty past
    the first counts again: it has no row to carry the count."""
    paged, counted = _page_statements(where, who, page.offset, page.limit)
    rows = (await session.execute(paged)).all()
    if rows:
        return list(rows), int(rows[0].matching_count)
    if page.offset == 0:
        return [], 0
    return [], int(await session.scalar(counted) or 0)


def _as_seen(who: access.Reader, row: Row[Any], booking: Booking | None) -> Case:
    sight = access.case_sight(who, case_access.ties_of(row, booked_people(booking)))
    return Case(row, booking, case_access.shows_patient(sight))


def columns(body: CaseRequest) -> dict[str, Any]:
    """The `surgery_requests` columns of what a request says about its case."""
    values = body.said()
    del values["procedure"], values["staff_roles_needed"]
    return values | {
        "procedure_code": body.procedure.code,
        "procedure_name": body.procedure.name,
        "procedure_coding_system": body.procedure.coding_system,
        "required_capabilities": list(body.required_capabilities),
        "equipment_types": list(body.equipment_types),
        "staff_roles_needed": [r.model_dump(mode="json") for r in body.staff_roles_needed],
    }


def requested_event(
    surgery_id: uuid.UUID, body: CaseRequest, requested_by: uuid.UUID
) -> SurgeryRequested:
    # The notes stay in this service: free text is not for every consumer of the topic.
    fields = body.said()
    del fields["notes"]
    return SurgeryRequested(surgery_id=surgery_id, requested_by=requested_by, **fields)


async def surgeon_for(
    session: AsyncSession, surgeon_id: uuid.UUID, requester: Principal
) -> StaffMemberUpserted:
    """The surgeon's snapshot: a known, active surgeon (else 422) the requester may ask for
    (else 403)."""
    member = (await resources_view.staff_by_id(session, [surgeon_id])).get(surgeon_id)
    refusal = surgeon_refusal(surgeon_id, member)
    if refusal is not None:
        raise Problem(422, refusal, title="Invalid request")
    assert member is not None  # an unknown surgeon is refused above
    if not may_request_for(member, user_id=requester.user_id, roles=requester.roles):
        raise Problem(
            403,
            f"A surgeon requests cases only for themselves; staff member {surgeon_id} is not "
            "linked to your user account.",
        )
    return member


async def _ensure_owns(session: AsyncSession, surgeon_id: uuid.UUID, requester: Principal) -> None:
    """A surgeon hands over only their own case; planners any."""
    member = (await resources_view.staff_by_id(session, [surgeon_id])).get(surgeon_id)
    if not may_request_for(member, user_id=requester.user_id, roles=requester.roles):
        raise Problem(403, f"The case belongs to surgeon {surgeon_id}, not to you.")


def _conditions(where: SurgeryFilter, who: access.Reader) -> list[ColumnElement[bool]]:
    t = surgery_requests
    conditions: list[ColumnElement[bool]] = []
    if where.statuses:
        conditions.append(t.c.status.in_(where.statuses))
    if where.priorities:
        conditions.append(t.c.priority.in_(where.priorities))
    if where.surgeon_id is not None:
        conditions.append(t.c.surgeon_id == where.surgeon_id)
    if where.specialty:
        conditions.append(t.c.specialty == where.specialty)
    if where.due_before is not None:
        conditions.append(t.c.due_date <= where.due_before)
    if where.due_after is not None:
        conditions.append(t.c.due_date >= where.due_after)
    if where.waiting is not None:
        conditions.append(
            t.c.status.in_(_WAITING) if where.waiting else t.c.status.not_in(_WAITING)
        )
    if where.search:
        conditions.append(_searched(where.search, who))
    return conditions


def _searched(search: str, who: access.Reader) -> ColumnElement[bool]:
    """The procedure's code or name, or the MRN only of the cases whose patient the reader
    sees: a search by MRN is no oracle for those who may not."""
    pattern = containing(search.lower())
    t = surgery_requests

    def like(column: ColumnElement[Any]) -> ColumnElement[bool]:
        return func.lower(column).like(pattern, escape="\\")

    patients = case_access.within(access.patient_scope(who.roles), who)
    return or_(
        like(t.c.procedure_code),
        like(t.c.procedure_name),
        and_(like(t.c.patient_mrn), patients),
    )


def _sql(term: waiting_list.Order) -> ColumnElement[Any]:
    column = _SORTABLE[term.field]
    ordered = column.desc() if term.descending else column.asc()
    return ordered.nulls_last() if term.nulls_last else ordered
