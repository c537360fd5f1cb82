"""The FHIR searches of cases, as queries on the read model: the stored documents of the cases
a reader may see, with the ties that say whether they see the patient, a page at a time."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from contracts.events.scheduling_surgeries import SurgeryStatus
from sqlalchemy import (
    Column,
    ColumnElement,
    Row,
    Select,
    Text,
    and_,
    any_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from interop_service.db.fhir_cases import fhir_cases
from interop_service.db.fhir_resources import fhir_staff
from interop_service.domain import fhir_cases_terms as terms
from interop_service.domain.fhir_cases_access import (
    CaseTies,
    Reader,
    Scope,
    appointment_scope,
    order_scope,
    patient_scope,
)

t = fhir_cases
NO_SHOW_REASON = terms.NO_SHOW_REASON


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """One search's conditions, already read from its parameters (each list is OR, the fields
    AND); `starts_from`/`starts_before` bound the booked start, half-open."""

    starts_from: tuple[datetime, ...] = ()
    starts_before: tuple[datetime, ...] = ()
    # None: not asked; empty: asked for nothing that can be ours, so nothing matches.
    room_ids: tuple[uuid.UUID, ...] | None = None
    practitioner_ids: tuple[uuid.UUID, ...] | None = None
    performer_ids: tuple[uuid.UUID, ...] | None = None
    appointment_statuses: tuple[str, ...] | None = None
    order_statuses: tuple[SurgeryStatus, ...] | None = None
    patient_mrns: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Shown:
    """A case's resource of one type as it leaves, with and without the patient (only the
    ones the reader may get are read), and who is on the case, to judge which one they get."""

    case_id: uuid.UUID
    ties: CaseTies
    full: str | None
    masked: str | None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a search as its searchset's `entry` items, already JSON and joined by commas
    ("" for none), and the number of matches."""

    entries: str
    total: int


Kind = Literal["appointment", "order"]
_DOCUMENTS: dict[Kind, tuple[Column[Any], Column[Any]]] = {
    "appointment": (t.c.appointment_json, t.c.appointment_masked_json),
    "order": (t.c.order_json, t.c.order_masked_json),
}


def _shown(kind: Kind, reader: Reader) -> Select[Any]:
    """The cases that have a `kind` resource: its documents the reader may get, and the ties.
    A planner never gets the masked one, a viewer never the full one: neither is read."""
    full, masked = _DOCUMENTS[kind]
    scope = patient_scope(reader.roles)
    return select(
        t.c.case_id,
        t.c.surgeon_id,
        t.c.requested_by,
        t.c.staff_ids,
        (full if scope is not Scope.NONE else null()).label("full"),
        (masked if scope is not Scope.EVERY else null()).label("masked"),
    ).where(full.is_not(None))


def _shown_of(row: Row[Any]) -> Shown:
    ties = CaseTies(row.surgeon_id, row.requested_by, frozenset(row.staff_ids))
    return Shown(row.case_id, ties, row.full, row.masked)


async def shown(
    session: AsyncSession, kind: Kind, case_id: uuid.UUID, reader: Reader
) -> Shown | None:
    """One case's Appointment or ServiceRequest, if it has one."""
    query = _shown(kind, reader).where(t.c.case_id == case_id)
    row = (await session.execute(query)).first()
    return _shown_of(row) if row is not None else None


async def appointments(
    session: AsyncSession,
    wanted: CaseFilter,
    reader: Reader,
    offset: int,
    count: int,
    entry_url: str,
) -> Page:
    """Appointments, by start then id, of the cases `reader` may see as Appointments; each
    entry's `fullUrl` is `entry_url` followed by the case id."""
    conditions = [within(appointment_scope(reader.roles), reader), *_conditions(wanted, reader)]
    order = [t.c.starts_at, t.c.case_id]
    found = _Search("appointment", reader, conditions, order)
    return await found.page(session, offset, count, entry_url)


async def orders(
    session: AsyncSession,
    wanted: CaseFilter,
    reader: Reader,
    offset: int,
    count: int,
    entry_url: str,
) -> Page:
    """ServiceRequests, oldest first, of the cases `reader` may see as orders."""
    conditions = [within(order_scope(reader.roles), reader), *_conditions(wanted, reader)]
    order = [t.c.requested_at.asc().nulls_last(), t.c.case_id]
    found = _Search("order", reader, conditions, order)
    return await found.page(session, offset, count, entry_url)


@dataclass(frozen=True, slots=True)
class _Search:
    """The matches of a search: the cases its conditions admit (the reader's scope among them)."""

    kind: Kind
    reader: Reader
    conditions: list[ColumnElement[bool]]
    order: list[Any]

    async def page(self, session: AsyncSession, offset: int, count: int, entry_url: str) -> Page:
        """One page and the number of matches in one round trip and one row: the database
        splices each match's stored document, as the reader may see it, into its Bundle entry
        and joins them in order (the documents were validated when stored; a day's search then
        costs no parsing nor a Python object per case). The count is a window over the matches,
        taken before the page is cut; a page past the end asks for the count alone."""
        if count > 0:
            head = literal('{"fullUrl":' + json.dumps(entry_url)[:-1], Text)
            entry = (
                head
                + cast(t.c.case_id, Text)
                + literal('","resource":', Text)
                + self._document()
                + literal(',"search":{"mode":"match"}}', Text)
            )
            matches = (
                select(
                    entry.label("entry"),
                    func.row_number().over(order_by=self.order).label("place"),
                    func.count().over().label("total"),
                )
                .where(self._documented(), *self.conditions)
                .order_by(*self.order)
                .offset(offset)
                .limit(count)
                .subquery()
            )
            joined = func.string_agg(
                matches.c.entry, aggregate_order_by(literal(",", Text), matches.c.place)
            )
            row = (await session.execute(select(joined, func.max(matches.c.total)))).one()
            if row[0] is not None:
                return Page(row[0], row[1])
        query = select(t.c.case_id).where(self._documented(), *self.conditions)
        counted = select(func.count()).select_from(query.subquery())
        return Page("", (await session.execute(counted)).scalar_one())

    def _documented(self) -> ColumnElement[bool]:
        return _DOCUMENTS[self.kind][0].is_not(None)

    def _document(self) -> ColumnElement[str]:
        """The stored document the reader gets of each match: `fhir_cases_access`'s sight as a
        condition (the matches are within the reader's scope of the resource already, so the
        patient scope alone says whole or masked)."""
        full, masked = _DOCUMENTS[self.kind]
        scope = patient_scope(self.reader.roles)
        if scope is Scope.EVERY:
            return full
        if scope is Scope.NONE:
            return masked
        return case((within(scope, self.reader), full), else_=masked)


def _conditions(wanted: CaseFilter, reader: Reader) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [t.c.starts_at >= at for at in wanted.starts_from]
    found += [t.c.starts_at < at for at in wanted.starts_before]
    if wanted.room_ids is not None:
        found.append(_one_of(t.c.room_id, wanted.room_ids))
    if wanted.practitioner_ids is not None:
        found.append(t.c.staff_ids.overlap(list(wanted.practitioner_ids)))
    if wanted.performer_ids is not None:
        found.append(_one_of(t.c.surgeon_id, wanted.performer_ids))
    if wanted.appointment_statuses is not None:
        found.append(or_(false(), *(_appointment_status(s) for s in wanted.appointment_statuses)))
    if wanted.order_statuses is not None:
        found.append(_one_of(t.c.status, [s.value for s in wanted.order_statuses]))
    if wanted.patient_mrns is not None:
        # Only among the cases whose patient the reader may see: a search is no oracle.
        found += [
            _one_of(t.c.patient_mrn, wanted.patient_mrns),
            within(patient_scope(reader.roles), reader),
        ]
    return found


def _one_of(column: Column[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """`column = ANY(<one array parameter>)`: as `IN`, but the statement needs no expanding (an
    `IN` list is rendered into the SQL again at every execution, a cost that showed in the
    profile of a day's search)."""
    return column == any_(literal(list(values), ARRAY(column.type)))


_NO_SHOW = and_(t.c.reason_code == NO_SHOW_REASON, t.c.room_id.is_not(None))


def _appointment_status(status: str) -> ColumnElement[bool]:
    """Where the case's Appointment has `status` (`fhir_cases_terms.appointment_status`)."""
    ours = [
        s.value
        for s in SurgeryStatus
        if terms.appointment_status(s, was_booked=True, has_booking=False, reason_code=None)
        == status
    ]
    if status == "noshow":
        return and_(t.c.status == SurgeryStatus.CANCELLED.value, _NO_SHOW)
    if status == "cancelled":
        return and_(t.c.status == SurgeryStatus.CANCELLED.value, ~_NO_SHOW)
    return _one_of(t.c.status, ours) if ours else false()


def within(scope: Scope, reader: Reader) -> ColumnElement[bool]:
    """`scope` as a condition: the cases `fhir_cases_access.covers` admits. `staff_ids` holds
    the surgeon and everyone the booking assigns."""
    if scope is Scope.EVERY:
        return true()
    if scope is Scope.NONE:
        return false()
    on_case = t.c.requested_by == reader.user_id
    if reader.staff_ids:
        on_case = or_(on_case, t.c.staff_ids.overlap(list(reader.staff_ids)))
    return on_case


async def linked_staff(session: AsyncSession, user_id: uuid.UUID) -> frozenset[uuid.UUID]:
    """The staff members linked to a user (resources' `StaffMember.user_id`, in the snapshot
    the read model of resources keeps)."""
    linked = await session.scalars(
        select(fhir_staff.c.staff_id).where(fhir_staff.c.snapshot["user_id"].astext == str(user_id))
    )
    return frozenset(linked)
