"""Open-loop load through the gateway: reads by id at a rate ladder, board lists, bookings, and a
coordinators' morning, with p50/p99 per request kind against the gateway's own `/healthz`.

Open loop: every request has a time fixed before the run (a constant arrival rate), it is sent
then whatever the answers to the earlier ones, and its latency runs from that time, not from
when it got a connection. So a service that falls behind shows it as queueing in the latency, as
a hospital's coordinators would feel it; a closed loop (hey, wrk) would slow its own callers down
instead. Each step starts on a settled machine (under a quarter of its cores busy, at most 30 s
of waiting, printed beside the step): an overload step leaves thousands of audit events to relay
and store, and the step after it would otherwise measure that aftermath. The timed requests go
through `benchmarks.keepalive` on uvloop (a lean keep-alive client: the generator shares the
cores with the stack it measures, and aiohttp took a sixth of the machine's CPU per read), and
the schedule is dealt round-robin to `BENCH_LOAD_PROCESSES` processes (2 by default), each with
its own keep-alive pool; their answers are pooled. `lag` is how late the generator itself sent
a request: when its p99 is a good part of a kind's p99, the generator, not the service, was the
limit.

Scenarios, on the demo hospital that `make up` seeds (logged in as its coordinator):
- baseline: the gateway's own `/healthz` and both services' `/healthz` at 100/s;
- reads by id (a room, a staff member, a case) mixed evenly at each rate of the ladder
  (`BENCH_LOAD_RATES`, 100,300,600,1000/s), then each kind's saturation throughput (closed loop,
  `BENCH_LOAD_CLIENTS` callers), and the rate it sustains: its requests over the loop and the
  seconds the machine stayed busy after it (a case read's audit event is relayed and stored
  after its answer; work left behind is not throughput);
- lists at 100/s: the day list of the whole hospital, a 50-case waiting-list page;
- bookings at 50/s, each into a room and time of the benchmark's own (no two meet);
- a coordinators' morning (`BENCH_LOAD_MIX_RATE`, 150/s): board loads (rooms, availability,
  the day list), waiting-list pages, case and room reads, bookings and moves, and an
  optimization every few seconds.
Rooms, surgeons and cases are the benchmark's own; afterwards its cases are cancelled, its
optimizations rejected and its rooms and people parked (a room in maintenance, a surgeon
inactive) for the next run to take up again, not retired and made anew each run. The gateway
limits each client address (GATEWAY_API_RATE, 500/s with a burst of 1,000 by default), so with
the gateway on this machine each generator process connects from `BENCH_LOAD_ADDRESSES` (4)
loopback addresses of its own (127.0.0.10, .11, ...), as a department's workstations would
(from one address each, two processes could not pass 1,000/s once the burst was spent, and
the saturation steps measured the limit); answers 429 are counted apart
as `limited`, and a step whose share of them is large says more about that limit than the
service.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import multiprocessing
import multiprocessing.util
import os
import statistics
import time
import uuid
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import uvloop

from benchmarks import keepalive, resources, scheduling_corner
from benchmarks.gateway import GATEWAY, gateway_client, gateway_tls, own_loopback_addresses
from benchmarks.machine import busy_share
from benchmarks.scheduling_corner import known, serving, until_known

RATES = [int(r) for r in os.environ.get("BENCH_LOAD_RATES", "100,300,600,1000").split(",")]
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "5"))
SATURATION_SECONDS = float(os.environ.get("BENCH_LOAD_SATURATION_SECONDS", "4"))
CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", "32"))
PROCESSES = int(os.environ.get("BENCH_LOAD_PROCESSES", "2"))
LIST_RATE = int(os.environ.get("BENCH_LOAD_LIST_RATE", "100"))
BOOKING_RATE = int(os.environ.get("BENCH_LOAD_BOOKING_RATE", "50"))
MIX_RATE = int(os.environ.get("BENCH_LOAD_MIX_RATE", "150"))
MIX_SECONDS = float(os.environ.get("BENCH_LOAD_MIX_SECONDS", "10"))
# Per process: calls due while this many are unanswered are not sent but counted as shed, and
# an answer later than TIMEOUT seconds is an error: a service that falls far behind would
# otherwise keep working through a backlog long after its phase (and spoil the next ones).
MAX_IN_FLIGHT = int(os.environ.get("BENCH_LOAD_MAX_IN_FLIGHT", "200"))
TIMEOUT = float(os.environ.get("BENCH_LOAD_TIMEOUT", "10"))
# Client addresses per generator process (each limited by the gateway as one workstation).
ADDRESSES = int(os.environ.get("BENCH_LOAD_ADDRESSES", "4"))
# Keep-alive connections per process. Few: a TLS handshake costs the generator more than many
# requests, and a call waiting for a free connection is still timed from its scheduled time.
CONNECTIONS = int(os.environ.get("BENCH_LOAD_CONNECTIONS", "32"))
# Before each step the machine is let settle (at most SETTLE_SECONDS) until under SETTLE_BUSY of
# its cores are busy: what a step leaves behind (its audit events to relay and store, consumers'
# lag; thousands after a step that overloads) is then not measured as the next step's latency.
SETTLE_BUSY = float(os.environ.get("BENCH_LOAD_SETTLE_BUSY", "0.25"))
SETTLE_SECONDS = float(os.environ.get("BENCH_LOAD_SETTLE_SECONDS", "30"))
SCENARIOS = os.environ.get("BENCH_LOAD_SCENARIOS", "reads,lists,bookings,morning").split(",")
ROOMS = 6  # the benchmark's own, each with its own surgeon
# Their code and names: a run parks them (rooms in maintenance, surgeons inactive) and the next
# one puts them back in service, so runs do not pile up rooms and people.
CORNER_TAG = "LOADBENCH"
COORDINATOR = {"username": "coordinator@example.org", "password": "demo-password"}
HOSPITAL = ZoneInfo(os.environ.get("BENCH_TIMEZONE", "Europe/Amsterdam"))
ALL_DAY = {
    day: [{"start": "00:00", "end": "24:00"}]
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}
DURATION, SETUP, CLEANUP = 60, 10, 10
SLOT = timedelta(minutes=SETUP + DURATION + CLEANUP)
SLOTS_A_DAY = 4
HORIZON_START = date.today() + timedelta(weeks=12)  # bookings and optimizations from here
R, S = "/api/resources", "/api/scheduling"


@dataclass(frozen=True, slots=True)
class Call:
    """One request of a schedule: its kind (the report's row), when, and what."""

    kind: str
    at: float  # seconds after the phase's start
    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    body: Any = None
    ok: tuple[int, ...] = (200, 201)


@dataclass
class Outcome:
    """Per kind: milliseconds from each call's scheduled time to its answer, the generator's
    lag, errors by status (0: no answer), answers 429, and for a closed loop the wall time."""

    times: list[float] = field(default_factory=list)
    lags: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    limited: int = 0
    shed: int = 0
    wall: float = 0.0
    made: list[str] = field(default_factory=list)  # the optimizations asked for, to reject
    tail: float = 0.0  # a closed loop's: seconds the machine stayed busy after it (`_tail`)

    def merge(self, other: Outcome) -> None:
        self.times += other.times
        self.lags += other.lags
        for status, count in other.errors.items():
            self.errors[status] += count
        self.limited += other.limited
        self.shed += other.shed
        self.made += other.made
        self.wall = max(self.wall, other.wall)


# --- in each generator process -----------------------------------------------------------------

_loop: asyncio.AbstractEventLoop | None = None
_client: keepalive.Client | None = None
_index = 0  # this generator process's number, from 0


def _number(counter: Any) -> None:
    """The pool's initializer: each process takes the next number."""
    global _index
    with counter.get_lock():
        _index = counter.value
        counter.value += 1


def _run_in_worker(job: tuple[str, Any, dict[str, str]]) -> dict[str, Outcome]:
    """A phase's share of one process, on a loop and keep-alive pool kept between phases."""
    global _loop, _client
    if _loop is None:
        _loop = uvloop.new_event_loop()
        _client = _loop.run_until_complete(_open())
        # Closed when the pool's process exits (multiprocessing runs these; atexit it does not).
        multiprocessing.util.Finalize(None, _close, exitpriority=10)
    assert _client is not None
    what, argument, auth = job
    if what == "open":
        return _loop.run_until_complete(_open_loop(_client, argument, auth))
    call, callers, seconds = argument
    return _loop.run_until_complete(_closed_loop(_client, call, callers, seconds, auth))


def _close() -> None:
    if _loop is not None and _client is not None:
        _loop.run_until_complete(_client.close())
        _loop.close()


async def _open() -> keepalive.Client:
    """Each process's connections come from `ADDRESSES` loopback addresses of its own when the
    gateway is local (`own_loopback_addresses`): the gateway limits each client address
    (GATEWAY_API_RATE, 500/s), and from one address the saturation steps measured that limit;
    from one per process, two processes could not get past 1,000/s with the burst spent."""
    return keepalive.Client(
        GATEWAY,
        gateway_tls(),
        connections=CONNECTIONS,
        timeout=TIMEOUT,
        local_addresses=own_loopback_addresses(_index, ADDRESSES),
    )


async def _open_loop(
    client: keepalive.Client, job: tuple[float, list[Call]], auth: dict[str, str]
) -> dict[str, Outcome]:
    start_wall, calls = job
    # Times from perf_counter: uvloop's loop.time() counts whole milliseconds.
    clock = time.perf_counter
    base = clock() + (start_wall - time.time())
    outcomes: dict[str, Outcome] = defaultdict(Outcome)

    async def one(call: Call, due: float) -> None:
        outcome = outcomes[call.kind]
        outcome.lags.append((clock() - due) * 1000)
        status = await _send(client, call, auth, outcome)
        _record(outcome, call, status, (clock() - due) * 1000)

    tasks: set[asyncio.Task[None]] = set()
    for call in calls:
        due = base + call.at
        if (delay := due - clock()) > 0:
            await asyncio.sleep(delay)
        if len(tasks) >= MAX_IN_FLIGHT:
            outcomes[call.kind].shed += 1
            continue
        task = asyncio.create_task(one(call, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    return dict(outcomes)


async def _closed_loop(
    client: keepalive.Client, call: Call, callers: int, seconds: float, auth: dict[str, str]
) -> dict[str, Outcome]:
    outcome = Outcome()
    clock = time.perf_counter
    started = clock()
    deadline = started + seconds

    async def caller() -> None:
        while clock() < deadline:
            sent = clock()
            status = await _send(client, call, auth, outcome)
            _record(outcome, call, status, (clock() - sent) * 1000)

    await asyncio.gather(*(caller() for _ in range(callers)))
    outcome.wall = clock() - started
    return {call.kind: outcome}


async def _send(
    client: keepalive.Client, call: Call, auth: dict[str, str], outcome: Outcome
) -> int:
    try:
        status, body = await client.request(call.method, call.path, call.params, call.body, auth)
    except (keepalive.ConnectionLost, TimeoutError, OSError):
        return 0
    if call.method == "POST" and call.path.endswith("/optimizations") and 200 <= status < 300:
        outcome.made.append(json.loads(body)["request_id"])
    return status


def _record(outcome: Outcome, call: Call, status: int, ms: float) -> None:
    if status == 429:
        outcome.limited += 1
    elif status in call.ok:
        outcome.times.append(ms)
    else:
        outcome.errors[status] += 1


# --- the coordinating process ------------------------------------------------------------------


class Generators:
    """`PROCESSES` generator processes; a phase's calls are dealt to them round-robin."""

    def __init__(self, auth: dict[str, str]) -> None:
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=PROCESSES,
            mp_context=context,
            initializer=_number,
            initargs=(context.Value("i", 0),),
        )
        self._auth = auth

    def open_loop(self, calls: list[Call]) -> dict[str, Outcome]:
        start = time.time() + 0.5  # every process starts the schedule at the same moment
        shares = [calls[n::PROCESSES] for n in range(PROCESSES)]
        jobs = [("open", (start, share), self._auth) for share in shares]
        return _pooled(self._pool.map(_run_in_worker, jobs))

    def closed_loop(self, call: Call, callers: int, seconds: float) -> dict[str, Outcome]:
        each = max(1, callers // PROCESSES)
        jobs = [("closed", (call, each, seconds), self._auth)] * PROCESSES
        return _pooled(self._pool.map(_run_in_worker, jobs))

    def warm(self) -> None:
        """Opens each process's pool before anything is timed."""
        calls = [Call("warm", n / 200, "GET", "/healthz") for n in range(40 * PROCESSES)]
        self.open_loop(calls)

    def close(self) -> None:
        self._pool.shutdown()


def _pooled(parts: Any) -> dict[str, Outcome]:
    pooled: dict[str, Outcome] = defaultdict(Outcome)
    for part in parts:
        for kind, outcome in part.items():
            pooled[kind].merge(outcome)
    return dict(pooled)


def steady(rate: float, seconds: float, kinds: list[tuple[str, Any]]) -> list[Call]:
    """`rate` calls a second for `seconds`, the kinds in turn; each kind is (name, maker) where
    maker(n) gives the n-th call of that kind as (method, path, params, body)."""
    calls = []
    counters: dict[str, int] = defaultdict(int)
    for n, (kind, maker) in zip(range(int(rate * seconds)), itertools.cycle(kinds), strict=False):
        method, path, params, body = maker(counters[kind])
        counters[kind] += 1
        calls.append(Call(kind, n / rate, method, path, tuple(params.items()), body))
    return calls


def get(path: str, **params: Any) -> Any:
    return lambda n: ("GET", path, {k: str(v) for k, v in params.items()}, None)


def rotating(template: str, ids: list[str], **params: Any) -> Any:
    return lambda n: ("GET", template.format(ids[n % len(ids)]), params, None)


@dataclass
class Corner:
    """The benchmark's own rooms (one surgeon each) and cases, and where each room is next free."""

    rooms: list[dict[str, Any]]
    surgeons: list[dict[str, Any]]
    cases: list[list[str]]  # per room, not yet booked
    booked: list[list[str]] = field(default_factory=list)  # per room
    next_slot: list[int] = field(default_factory=list)
    optimizations: list[str] = field(default_factory=list)
    began: datetime = field(default_factory=lambda: datetime.now(UTC))

    def placement(self, room: int) -> dict[str, Any]:
        """The room's next free slot, from a day twelve weeks ahead: no two placements meet,
        and four a day from 08:00 keep its surgeon within a working day's operating minutes."""
        day, slot = divmod(self.next_slot[room], SLOTS_A_DAY)
        self.next_slot[room] += 1
        first = HORIZON_START + timedelta(days=day)
        morning = datetime(first.year, first.month, first.day, 8, tzinfo=HOSPITAL)
        start = morning + SLOT * slot + timedelta(minutes=SETUP)
        return {
            "room_id": self.rooms[room]["room_id"],
            "start": start.isoformat(),
            "staff": [],
            "equipment_unit_ids": [],
        }


async def main() -> None:
    async with gateway_client(timeout=60) as client:
        token = (await client.post("/api/auth/token", data=COORDINATOR)).json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        demo = await _demo(client, auth)
        bookings = int(BOOKING_RATE * SECONDS)
        mix_bookings = int(MIX_RATE * MIX_SECONDS * 0.05) + 1
        writes = {"bookings", "morning"} & set(SCENARIOS)
        corner = await _make_corner(client, auth, bookings + mix_bookings) if writes else None
        corner = corner or Corner([], [], [])
        generators = Generators(auth)
        try:
            generators.warm()
            report: list[Any] = []
            _run(generators, demo, corner, report)
        finally:
            generators.close()
            if report:
                _print(report)
                _print_memory()
            await _tidy(client, auth, corner)


def _run(generators: Generators, demo: dict[str, Any], corner: Corner, report: list[Any]) -> None:
    baseline = [
        ("gateway /healthz", get("/healthz")),
        ("resources /healthz", get(f"{R}/healthz")),
        ("scheduling /healthz", get(f"{S}/healthz")),
    ]
    report.append(
        (settled("baseline, 100/s each"), generators.open_loop(steady(300, SECONDS, baseline)))
    )
    if "reads" in SCENARIOS:
        _reads(generators, demo, report)
    if "lists" in SCENARIOS:
        lists = [
            ("day list (whole hospital)", get(f"{S}/schedule", date=demo["day"])),
            ("waiting list, 50", get(f"{S}/surgeries", waiting="true", limit=50)),
            ("surgeries?limit=20", get(f"{S}/surgeries", limit=20)),
        ]
        calls = steady(LIST_RATE, SECONDS, lists)
        report.append((settled(f"lists at {LIST_RATE}/s"), generators.open_loop(calls)))
    if "bookings" in SCENARIOS:
        calls = steady(BOOKING_RATE, SECONDS, [("book (PUT booking)", _booker(corner))])
        report.append((settled(f"bookings at {BOOKING_RATE}/s"), generators.open_loop(calls)))
    if "morning" in SCENARIOS:
        title = settled(f"coordinators' morning at {MIX_RATE}/s")
        morning = generators.open_loop(_morning(demo, corner))
        corner.optimizations += [made for outcome in morning.values() for made in outcome.made]
        report.append((title, morning))


def _reads(generators: Generators, demo: dict[str, Any], report: list[Any]) -> None:
    reads = [
        ("room by id", rotating(R + "/operating-rooms/{}", demo["rooms"])),
        ("staff by id", rotating(R + "/staff/{}", demo["staff"])),
        ("case by id", rotating(S + "/surgeries/{}", demo["cases"])),
    ]
    for rate in RATES:
        title = settled(f"reads by id at {rate}/s")
        report.append((title, generators.open_loop(steady(rate, SECONDS, reads))))
    title = settled(f"saturation, {CLIENTS} callers closed loop")
    saturation: dict[str, Outcome] = {}
    for kind, maker in reads:
        method, path, params, _ = maker(0)
        call = Call(kind, 0, method, path, tuple(params.items()))
        saturation |= generators.closed_loop(call, CLIENTS, SATURATION_SECONDS)
        saturation[kind].tail = _tail()
    report.append((title, saturation))


def _tail() -> float:
    """Seconds the machine stayed busy after a closed loop ended: work its requests left behind
    (a read's audit event relayed to Kafka and stored by auth), which a rate over the loop's
    window alone would leave out."""
    return max(0.0, _settle() - 0.5)  # the last half second measured was the quiet one


def _settle() -> float:
    """Waits until the machine has settled (`SETTLE_BUSY`, at most `SETTLE_SECONDS`); the
    seconds that took."""
    started = time.monotonic()
    while time.monotonic() - started < SETTLE_SECONDS and busy_share(0.5) >= SETTLE_BUSY:
        pass
    return time.monotonic() - started


def settled(title: str) -> str:
    """`title` once the machine has settled (`_settle`), with how long that took."""
    return f"{title} (settled {_settle():.1f} s before)"


def _booker(corner: Corner) -> Any:
    def book(n: int) -> tuple[str, str, dict[str, str], Any]:
        room = n % len(corner.rooms)
        case = corner.cases[room].pop()
        corner.booked[room].append(case)
        return "PUT", f"{S}/surgeries/{case}/booking", {}, corner.placement(room)

    return book


def _mover(corner: Corner) -> Any:
    def move(n: int) -> tuple[str, str, dict[str, str], Any]:
        room = n % len(corner.rooms)
        case = corner.booked[room][n // len(corner.rooms) % len(corner.booked[room])]
        return "PUT", f"{S}/surgeries/{case}/booking", {}, corner.placement(room)

    return move


def _morning(demo: dict[str, Any], corner: Corner) -> list[Call]:
    """Per 20 calls: 2 room lists, 2 availability, 3 day lists, 4 waiting-list pages, 5 case
    reads, 2 room reads, 1 booking, 1 move; and an optimization of the benchmark's own rooms
    and waiting cases every 5 s."""
    start = date.fromisoformat(demo["day"])
    window = {"from": start.isoformat(), "to": (start + timedelta(days=6)).isoformat()}
    kinds = [
        ("board: rooms", get(f"{R}/operating-rooms")),
        ("board: availability, 1 week", get(f"{R}/availability", **window)),
        ("board: day list", get(f"{S}/schedule", date=demo["day"])),
        ("waiting list, 50", get(f"{S}/surgeries", waiting="true", limit=50)),
        ("case by id", rotating(S + "/surgeries/{}", demo["cases"])),
    ]
    weights = [2, 2, 3, 4, 5]
    deck = [kind for kind, weight in zip(kinds, weights, strict=True) for _ in range(weight)]
    deck.insert(7, ("room by id", rotating(R + "/operating-rooms/{}", demo["rooms"])))
    deck.insert(15, ("room by id", rotating(R + "/operating-rooms/{}", demo["rooms"])))
    deck.insert(10, ("book (PUT booking)", _booker(corner)))
    if any(corner.booked):  # the bookings' cases, moved
        deck.insert(19, ("move (PUT booking)", _mover(corner)))
    calls = steady(MIX_RATE, MIX_SECONDS, deck)
    rooms = [room["room_id"] for room in corner.rooms]
    for n in range(int(MIX_SECONDS // 5) or 1):
        waiting = [case for cases in corner.cases for case in cases[:3]]
        body = {
            "horizon": {
                "start_date": HORIZON_START.isoformat(),
                "end_date": (HORIZON_START + timedelta(days=6)).isoformat(),
            },
            "room_ids": rooms,
            "surgery_ids": waiting,
            "respect_blocks": False,
            "time_limit_seconds": 2,
        }
        calls.append(
            Call(
                "optimization (POST)",
                n * 5 + 1,
                "POST",
                f"{S}/optimizations",
                body=body,
                ok=(202,),  # accepted: the optimizer answers later
            )
        )
    calls.sort(key=lambda call: call.at)
    return calls


# --- the demo hospital and the benchmark's own corner ------------------------------------------


async def _demo(client: httpx.AsyncClient, auth: dict[str, str]) -> dict[str, Any]:
    """Ids to read (the demo's rooms, staff, cases) and the day whose list the board loads."""

    async def items(path: str, **params: Any) -> list[dict[str, Any]]:
        response = await client.get(path, params=params, headers=auth)
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()["items"]
        return found

    # The hospital's own, not the benchmarks' parked corners (scheduling_corner, resources).
    theirs = (CORNER_TAG, scheduling_corner.CORNER_TAG, resources.TAG)
    rooms = [
        r["room_id"]
        for r in await items(f"{R}/operating-rooms", status="active")
        if not r["code"].startswith(theirs)
    ]
    staff = [
        p["staff_id"]
        for p in await items(f"{R}/staff", status="active", limit=100)
        if not p["name"].startswith(theirs)
    ][:50]
    cases = [c["surgery_id"] for c in await items(f"{S}/surgeries", limit=50)]
    # The board's day: the one with the most booked cases (the demo books a few weeks).
    days: dict[date, int] = defaultdict(int)
    for case in await items(f"{S}/surgeries", status="scheduled", limit=500):
        if case.get("booking"):
            days[datetime.fromisoformat(case["booking"]["start"]).astimezone(HOSPITAL).date()] += 1
    day = max(days, key=lambda d: days[d]) if days else date.today()
    return {"rooms": rooms, "staff": staff, "cases": cases, "day": day.isoformat()}


async def _make_corner(client: httpx.AsyncClient, auth: dict[str, str], cases: int) -> Corner:
    rooms, surgeons = [], []
    known_rooms = await known(client, auth, "operating-rooms", "code", CORNER_TAG)
    known_people = await known(client, auth, "staff", "name", CORNER_TAG)
    for n in range(ROOMS):
        room = _room(n, "active")
        rooms.append(await serving(client, auth, "operating-rooms", known_rooms, "code", room))
        person = _surgeon(n, "active")
        surgeons.append(await serving(client, auth, "staff", known_people, "name", person))
    for kind, records in (("rooms", rooms), ("staff", surgeons)):
        for record in records:
            await until_known(client, auth, kind, record)
    per_room = -(-cases // ROOMS) + 1
    semaphore = asyncio.Semaphore(8)

    async def request(surgeon: dict[str, Any]) -> str:
        body = {
            "patient_mrn": f"MRN-{uuid.uuid4().hex[:10]}",
            "procedure": {"code": "W40.1", "name": "Load benchmark procedure"},
            "surgeon_id": surgeon["staff_id"],
            "specialty": "orthopaedics",
            "expected_duration_minutes": DURATION,
            "setup_minutes": SETUP,
            "cleanup_minutes": CLEANUP,
            "priority": "elective",
            "equipment_types": [],
            "anaesthesia_type": "general",
            "staff_roles_needed": [],
        }
        async with semaphore:
            response = await client.post(f"{S}/surgeries", json=body, headers=auth)
        response.raise_for_status()
        return str(response.json()["surgery_id"])

    made = await asyncio.gather(
        *(asyncio.gather(*(request(s) for _ in range(per_room))) for s in surgeons)
    )
    corner = Corner(rooms, surgeons, [list(cases) for cases in made])
    corner.booked = [[] for _ in rooms]
    corner.next_slot = [0 for _ in rooms]
    return corner


def _room(n: int, status: str) -> dict[str, Any]:
    code = f"{CORNER_TAG}-{n}"
    return {"code": code, "name": "Load theatre", "capabilities": ["general"]} | {
        "weekly_hours": ALL_DAY,
        "status": status,
    }


def _surgeon(n: int, status: str) -> dict[str, Any]:
    return {
        "name": f"{CORNER_TAG} surgeon {n}",
        "role": "surgeon",
        "specialties": ["orthopaedics"],
        "working_pattern": ALL_DAY,
        "status": status,
    }


async def _tidy(client: httpx.AsyncClient, auth: dict[str, str], corner: Corner) -> None:
    """Rejects the benchmark's optimizations, cancels its cases, parks its rooms and people."""
    left: list[str] = []

    async def post(path: str, **options: Any) -> None:
        try:
            response = await client.post(path, **options)
            if response.status_code >= 500:
                left.append(path)
        except httpx.HTTPError:
            left.append(path)

    # An optimization whose answer timed out was made all the same: the benchmark's are those
    # of its horizon and rooms, asked for since it began.
    listed = await client.get(f"{S}/optimizations", params={"limit": 100}, headers=auth)
    for summary in listed.json().get("items", []) if listed.is_success else []:
        if (
            summary["status"] in ("requested", "proposed")
            and summary["horizon"]["start_date"] == HORIZON_START.isoformat()
            and summary["size"]["rooms"] == ROOMS
            and datetime.fromisoformat(summary["requested_at"]) >= corner.began
        ):
            corner.optimizations.append(summary["request_id"])
    for request_id in dict.fromkeys(corner.optimizations):
        await post(f"{S}/optimizations/{request_id}/reject", headers=auth)
    stop = {"reason_code": "administrative", "reason": "Load benchmark case"}
    everything = [c for cases in corner.cases + corner.booked for c in cases]
    semaphore = asyncio.Semaphore(8)

    async def cancel(case: str) -> None:
        async with semaphore:
            await post(f"{S}/surgeries/{case}/cancel", json=stop, headers=auth)

    await asyncio.gather(*(cancel(case) for case in everything))
    # Parked, not retired: the next run puts them back in service instead of making more.
    parking = [
        ("operating-rooms", r["room_id"], r, _room(n, "maintenance"))
        for n, r in enumerate(corner.rooms)
    ]
    parking += [
        ("staff", p["staff_id"], p, _surgeon(n, "inactive")) for n, p in enumerate(corner.surgeons)
    ]
    for path, record_id, record, body in parking:
        headers = {**auth, "If-Match": f'"{record["version"]}"'}
        try:
            response = await client.put(f"{R}/{path}/{record_id}", json=body, headers=headers)
            if not response.is_success:
                left.append(f"{path}/{record_id}")
        except httpx.HTTPError:
            left.append(f"{path}/{record_id}")
    if left:
        print(f"  not tidied ({len(left)}), e.g. {left[:3]}: cancel or park them by hand")


# --- the report --------------------------------------------------------------------------------


def percentiles(times: list[float]) -> tuple[float, float]:
    if len(times) < 2:
        return (times[0], times[0]) if times else (float("nan"), float("nan"))
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[98]


def _print(report: list[tuple[str, dict[str, Outcome]]]) -> None:
    base = report[0][1]["gateway /healthz"]
    base_p50, base_p99 = percentiles(base.times)
    print(
        f"open-loop load through the gateway ({PROCESSES} generator processes; latency from each "
        f"request's scheduled time; x base = over the gateway's own /healthz in this run)"
    )
    header = (
        f"  {'kind':30} {'n':>6} {'p50 ms':>8} {'p99 ms':>8} {'x base':>7} {'p99 x':>6}"
        f" {'lag p99':>8} {'per s':>7}  errors"
    )
    for title, outcomes in report:
        print(f"{title}:")
        print(header)
        for kind, outcome in outcomes.items():
            if kind == "warm":
                continue
            p50, p99 = percentiles(outcome.times)
            lag = percentiles(outcome.lags)[1] if outcome.lags else float("nan")
            rate = len(outcome.times) / outcome.wall if outcome.wall else float("nan")
            errors = ", ".join(f"{s or 'none'}: {c}" for s, c in sorted(outcome.errors.items()))
            if outcome.limited:
                errors = f"{errors}; limited (429): {outcome.limited}".lstrip("; ")
            if outcome.shed:
                errors = f"{errors}; shed: {outcome.shed}".lstrip("; ")
            print(
                f"  {kind:30} {len(outcome.times):6d} {p50:8.1f} {p99:8.1f} {p50 / base_p50:7.1f}"
                f" {p99 / base_p99:6.1f} {lag:8.1f} {rate:7.0f}  {errors or '0'}"
            )
        tails = {kind: o for kind, o in outcomes.items() if o.wall and kind != "warm"}
        if tails:
            print("  sustained: the requests over the loop and the busy tail after it")
            for kind, o in tails.items():
                sustained = len(o.times) / (o.wall + o.tail)
                print(f"  {kind:30} {sustained:7.0f} per s (tail {o.tail:.1f} s)")


SERVICES = ("auth", "resources", "scheduling", "optimizer", "interop")
MEMORY_TARGET_MB = 200  # each service process's RSS after the load (issue 20)


def _print_memory() -> None:
    """Each service process's resident memory after the load, read from /proc: the workers of
    `make up`'s supervisors on this machine (a stack elsewhere shows nothing)."""
    processes = _service_processes()
    if not processes:
        print("memory: no service process of `make up` on this machine")
        return
    print(f"memory after the load (RSS per process; target under {MEMORY_TARGET_MB} MB):")
    worst = 0.0
    for service in SERVICES:
        sizes = [_rss_mb(pid) for pid in processes.get(service, [])]
        worst = max([worst, *sizes])
        shown = ", ".join(f"{size:.0f}" for size in sizes) or "not running"
        print(f"  {service:12} {shown} MB")
    verdict = "met" if worst < MEMORY_TARGET_MB else "MISSED"
    print(f"  largest {worst:.0f} MB: {verdict}")


def _service_processes() -> dict[str, list[int]]:
    """The supervisor (`servicekit.supervisor --service=X`) and its worker processes, by service."""
    commands: dict[int, list[str]] = {}
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().decode().split("\0")
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: dict[str, list[int]] = {}
    for pid, command in commands.items():
        if "servicekit.supervisor" not in command:
            continue
        flags = [arg.split("=", 1)[1] for arg in command if arg.startswith("--service=")]
        service = flags[0] if flags else "?"
        children = sorted(child for child, parent in parents.items() if parent == pid)
        found.setdefault(service, []).extend([pid, *children])
    return found


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024
