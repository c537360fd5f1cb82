"""Demo data for `make up`: two weeks of waiting list for the demo hospital, some of it booked.

Last week's block time holds completed cases (with wheels-in and wheels-out, so the KPIs have
something to say, and one no-show cancelled on the day); the coming working days hold booked
cases, the next two confirmed; the rest wait, with earliest dates over the next two weeks.
Everything goes through the service's own functions, so every record has its events and audit
entries. A database that already has a surgery request is left alone.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar.spans import Span
from contracts.events.resources_blocks import BlockAllocated
from contracts.events.resources_operating_rooms import OperatingRoomUpserted
from contracts.events.resources_staff import StaffStatus
from contracts.events.scheduling_surgeries import AnaesthesiaType
from contracts.events.scheduling_surgeries import Procedure as ProcedureCode
from contracts.vocabulary import StaffRequirement, StaffRole, SurgeryPriority
from servicekit.auth import Principal
from servicekit.db import UnitOfWork
from servicekit.problems import Problem
from servicekit.service import Runtime
from sqlalchemy import func, select

from scheduling_service.booking import booking
from scheduling_service.cases import case_moves, surgeries
from scheduling_service.cases.case_request import CaseRequest
from scheduling_service.db.tables import blocks, rooms, staff, surgery_requests
from scheduling_service.demo.demo_cases import (
    EMERGENCY_EVERY,
    PROCEDURES,
    REQUESTS_PER_SPECIALTY,
    URGENT_EVERY,
    Procedure,
)
from scheduling_service.demo.demo_plan import Ledger, Person, Unit, slot
from scheduling_service.domain.booking.booking_facts import Placement
from scheduling_service.read_model import resources_view
from scheduling_service.settings import SchedulingSettings

log = logging.getLogger(__name__)
SEEDER_ID = uuid.uuid5(uuid.NAMESPACE_URL, "urn:surgery-scheduling:scheduling-demo")
SEEDER = Principal(
    user_id=str(SEEDER_ID),
    roles=frozenset({"admin"}),
    token_id="demo-seed",  # noqa: S106 (an id, not a secret)
    expires_at=0,
)
READ_MODEL_DEADLINE_SECONDS = 120
PAST_CASES, COMING_CASES = 20, 24


@dataclass
class Case:
    surgery_id: uuid.UUID
    surgeon_id: uuid.UUID
    specialty: str
    procedure: Procedure
    earliest: date | None


async def seed(runtime: Runtime[SchedulingSettings]) -> None:
    settings = runtime.settings
    await _until_resources_known(runtime)
    async with runtime.unit_of_work() as uow:
        if await uow.session.scalar(select(func.count()).select_from(surgery_requests)):
            return
        tz = ZoneInfo(settings.hospital_timezone)
        today = datetime.now(tz).date()
        waiting = await _requests(uow, today)
        ledger_days = _working_days(today, -5) + _working_days(today, 5)
        ledger = await _ledger(uow, ledger_days[0], ledger_days[-1])
        done = await _fill(uow, settings, ledger, waiting, _working_days(today, -5), PAST_CASES)
        coming = await _fill(uow, settings, ledger, waiting, _working_days(today, 5), COMING_CASES)
        await _complete(uow, done, tz)
        for surgery_id, start in coming:
            if start.astimezone(tz).date() <= today + timedelta(days=2):
                await case_moves.stage_confirm(uow, surgery_id, by=SEEDER, if_match=None)
        await uow.commit()
    log.info(
        "demo: %d requests — %d in last week's lists, %d booked ahead, %d waiting",
        len(done) + len(coming) + len(waiting),
        len(done),
        len(coming),
        len(waiting),
    )


async def _until_resources_known(runtime: Runtime) -> None:
    """The read model fills from resources' demo snapshots, seeded a moment ago; wait for it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READ_MODEL_DEADLINE_SECONDS
    while True:
        async with runtime.unit_of_work() as uow:
            counts = [
                await uow.session.scalar(select(func.count()).select_from(t)) or 0
                for t in (rooms, staff, blocks)
            ]
        if counts[0] >= 10 and counts[1] >= 40 and counts[2] >= 13:
            return
        if loop.time() > deadline:
            raise RuntimeError(
                f"the read model of resources holds only {counts} rooms, staff and blocks after "
                f"{READ_MODEL_DEADLINE_SECONDS}s; is the resources demo seeded and Kafka up?"
            )
        await asyncio.sleep(1)


async def _requests(uow: UnitOfWork, today: date) -> list[Case]:
    known = await resources_view.staff_by_id(uow.session)
    surgeons = sorted(
        (m for m in known.values() if m.role == "surgeon" and m.status == StaffStatus.ACTIVE),
        key=lambda m: m.name,
    )
    pick = random.Random(2026)  # noqa: S311 (the same demo on every machine)
    made: list[Case] = []
    for specialty, count in REQUESTS_PER_SPECIALTY.items():
        team = [m for m in surgeons if specialty in m.specialties and m.retired_at is None]
        for n in range(count):
            made.append(
                await _request(uow, today, specialty, team[n % len(team)].staff_id, pick, len(made))
            )
    return made


async def _request(
    uow: UnitOfWork,
    today: date,
    specialty: str,
    surgeon_id: uuid.UUID,
    pick: random.Random,
    n: int,
) -> Case:
    procedure = pick.choice(PROCEDURES[specialty])
    priority = (
        "emergency"
        if n % EMERGENCY_EVERY == 5
        else "urgent"
        if n % URGENT_EVERY == 3
        else "elective"
    )
    earliest = None if n % 3 else today + timedelta(days=pick.randrange(1, 14))
    body = CaseRequest(
        patient_mrn=f"MRN-{700000 + n * 37}",
        procedure=ProcedureCode(code=procedure.code, name=procedure.name, coding_system="opcs4"),
        surgeon_id=surgeon_id,
        specialty=specialty,
        expected_duration_minutes=procedure.minutes,
        setup_minutes=procedure.setup,
        cleanup_minutes=procedure.cleanup,
        priority=SurgeryPriority(priority),
        earliest_date=earliest,
        due_date=(earliest or today) + timedelta(days=pick.randrange(14, 43)),
        required_capabilities=procedure.capabilities,
        equipment_types=procedure.equipment,
        anaesthesia_type=AnaesthesiaType(procedure.anaesthesia),
        staff_roles_needed=tuple(
            StaffRequirement(role=StaffRole(r), count=c) for r, c in procedure.team
        ),
    )
    surgery_id = await surgeries.stage_create(uow, body, requester=SEEDER)
    return Case(surgery_id, surgeon_id, specialty, procedure, earliest)


async def _ledger(uow: UnitOfWork, first: date, last: date) -> Ledger:
    members = await resources_view.staff_by_id(uow.session)
    people = [
        Person(
            m.staff_id,
            m.role.value,
            tuple(resources_view.staff_available(m, first, last)),
            m.max_minutes_per_day,
        )
        for m in sorted(members.values(), key=lambda m: m.name)
    ]
    tz = ZoneInfo("UTC")
    window = resources_view.whole_days(first - timedelta(days=1), last + timedelta(days=1), tz)
    units = [
        Unit(
            u.unit_id,
            u.equipment_type,
            timedelta(minutes=u.turnaround_minutes),
            u.unit.fixed_room_id,
            tuple(resources_view.unit_available(u, window)),
        )
        for u in (await resources_view.units_by_id(uow.session)).values()
    ]
    return Ledger(people, sorted(units, key=lambda u: str(u.unit_id)))


async def _fill(
    uow: UnitOfWork,
    settings: SchedulingSettings,
    ledger: Ledger,
    waiting: list[Case],
    days: list[date],
    most: int,
) -> list[tuple[uuid.UUID, datetime]]:
    """Packs waiting cases into each day's block time, first fit; returns what it booked."""
    known_rooms = await resources_view.rooms_by_id(uow.session)
    booked: list[tuple[uuid.UUID, datetime]] = []
    for day in days:
        for block in sorted(
            await resources_view.live_blocks(uow.session), key=lambda b: str(b.block_id)
        ):
            room = known_rooms.get(block.room_id)
            if room is None or room.status != "active" or room.retired_at is not None:
                continue
            for _, span in resources_view.block_occurrences(
                block, ZoneInfo(room.timezone), day, day
            ):
                booked += await _fill_block(
                    uow, settings, ledger, waiting, block, room, span, day, most - len(booked)
                )
            if len(booked) >= most:
                return booked
    return booked


async def _fill_block(
    uow: UnitOfWork,
    settings: SchedulingSettings,
    ledger: Ledger,
    waiting: list[Case],
    block: BlockAllocated,
    room: OperatingRoomUpserted,
    span: Span,
    day: date,
    room_left: int,
) -> list[tuple[uuid.UUID, datetime]]:
    booked: list[tuple[uuid.UUID, datetime]] = []
    cursor = span.start
    open_spans = resources_view.room_open(room, day, day)
    for case in list(waiting):
        if len(booked) >= min(room_left, 4):
            break
        owner = case.surgeon_id == block.surgeon_id or case.specialty == block.service
        if not owner or not set(case.procedure.capabilities) <= set(room.capabilities):
            continue
        if case.earliest is not None and case.earliest > day:
            continue
        p = case.procedure
        surgery, held = slot(cursor, p.minutes, p.setup, p.cleanup)
        if held.end > span.end or not any(
            o.start <= held.start and held.end <= o.end for o in open_spans
        ):
            continue
        surgeon = next((x for x in ledger.people if x.staff_id == case.surgeon_id), None)
        if surgeon is None or not ledger.surgeon_free(surgeon, surgery, day):
            continue
        people = ledger.staff_for(p.team, surgery, day)
        units = ledger.units_for(p.equipment, surgery, room.room_id)
        if people is None or units is None:
            continue
        placement = Placement(room.room_id, surgery.start, people, units)
        try:
            async with uow.session.begin_nested():
                # Last week's cases are booked on purpose: they are then completed.
                await booking.place(
                    uow,
                    {case.surgery_id: placement},
                    settings=settings,
                    actor=SEEDER,
                    allow_past=True,
                )
        except Problem as refused:
            log.info("demo: %s not booked: %s", case.surgery_id, refused.detail)
            continue
        ledger.hold(case.surgeon_id, people, units, surgery, day)
        waiting.remove(case)
        booked.append((case.surgery_id, surgery.start))
        cursor = held.end
    return booked


async def _complete(uow: UnitOfWork, done: list[tuple[uuid.UUID, datetime]], tz: ZoneInfo) -> None:
    """Last week's cases happened: some late, some long, one patient never came."""
    pick = random.Random(7)  # noqa: S311 (the same demo on every machine)
    for n, (surgery_id, start) in enumerate(done):
        if n == 3:
            await case_moves.stage_cancel(
                uow, surgery_id, "patient_did_not_attend", None, by=SEEDER, if_match=None
            )
            continue
        await case_moves.stage_confirm(uow, surgery_id, by=SEEDER, if_match=None)
        minutes = await uow.session.scalar(
            select(surgery_requests.c.expected_duration_minutes).where(
                surgery_requests.c.surgery_id == surgery_id
            )
        )
        came_in = start + timedelta(minutes=pick.choice((-5, 0, 0, 5, 10, 20)))
        assert minutes is not None  # the case was booked a moment ago
        took = round(minutes * pick.uniform(0.85, 1.3))
        await case_moves.stage_wheels_in(uow, surgery_id, came_in, by=SEEDER, if_match=None)
        await case_moves.stage_wheels_out(
            uow, surgery_id, came_in + timedelta(minutes=took), by=SEEDER, if_match=None
        )


def _working_days(today: date, count: int) -> list[date]:
    """`count` working days after today, or `-count` before it, in date order."""
    step = 1 if count > 0 else -1
    found: list[date] = []
    day = today
    while len(found) < abs(count):
        day += timedelta(days=step)
        if day.weekday() < 5:
            found.append(day)
    return sorted(found)
