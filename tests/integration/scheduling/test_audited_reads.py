"""A case by id, the waiting list, a case's history and the optimizations list through their
routes, against PostgreSQL: read and audited without a transaction, the entry committed when
the answer comes; a case not found or hidden is answered 404 with no entry, and an entry that
fails is answered 500 without the case."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from scheduling_service.api import optimizations as optimizations_api
from scheduling_service.api import surgeries as surgeries_api
from scheduling_service.api.schemas.surgeries import SurgeryCreate
from scheduling_service.bootstrap import service
from scheduling_service.cases import surgeries
from scheduling_service.settings import SchedulingSettings
from servicekit.auth import Principal, authenticated
from servicekit.problems import install_problem_handlers
from servicekit.service import Runtime
from sqlalchemy import event, text

from tests.conftest import KIT_DATABASE_URL
from tests.integration.scheduling.world import Scheduling, Team, team

pytestmark = pytest.mark.integration


def _principal(role: str) -> Principal:
    return Principal(user_id=str(uuid.uuid4()), roles=frozenset({role}), token_id="t", expires_at=0)


@dataclass
class Routes:
    """The surgeries and optimizations routes on a runtime of their own, what the driver sent
    logged."""

    client: httpx.AsyncClient
    runtime: Runtime[SchedulingSettings]
    caller: Principal = field(default_factory=lambda: _principal("coordinator"))
    # What the driver sent by itself: BEGIN, COMMIT, ROLLBACK (asyncpg logs no prepared
    # statement), so a transaction shows here.
    sent: list[str] = field(default_factory=list)

    def transactions(self) -> list[str]:
        return [q for q in self.sent if q.split()[0].upper().rstrip(";") in {"BEGIN", "COMMIT"}]


@pytest.fixture
async def routes(scheduling: Scheduling) -> AsyncIterator[Routes]:
    settings = SchedulingSettings(
        database_url=KIT_DATABASE_URL, database_schema=scheduling.schema, background_workers=False
    )
    runtime = Runtime(service, settings)
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(surgeries_api.router)
    app.include_router(optimizations_api.router)
    app.state.runtime = runtime
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://scheduling") as client:
        made = Routes(client, runtime)
        app.dependency_overrides[authenticated] = lambda: made.caller

        def log_queries(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.driver_connection.add_query_logger(
                lambda logged: made.sent.append(logged.query)
            )

        event.listen(runtime.engine.sync_engine, "connect", log_queries)
        yield made
    await runtime.close()


async def _requested(scheduling: Scheduling, made: Team) -> uuid.UUID:
    body = {
        "patient_mrn": f"MRN-{uuid.uuid4().hex[:8]}",
        "procedure": {"code": "W40.1", "name": "Total knee replacement"},
        "surgeon_id": str(made.surgeon.staff_id),
        "specialty": "orthopaedics",
        "expected_duration_minutes": 90,
        "priority": "elective",
        "anaesthesia_type": "general",
    }
    async with scheduling.unit_of_work() as uow:
        return await surgeries.create(
            uow, SurgeryCreate.model_validate(body).command(), requester=_principal("coordinator")
        )


async def _entries(scheduling: Scheduling, action: str) -> list[Any]:
    """The entries of `action` with their outbox rows, read on a connection of their own."""
    async with scheduling.engine.connect() as other:
        query = text(
            "SELECT a.record_id, a.actor_id, a.details FROM audit_log a JOIN outbox o"
            " ON o.envelope -> 'data' ->> 'audit_id' = a.audit_id::text"
            " WHERE a.action = :action ORDER BY a.at"
        )
        return list((await other.execute(query, {"action": action})).all())


async def test_a_case_read_is_answered_with_its_entry_committed_and_no_transaction(
    scheduling: Scheduling, routes: Routes
) -> None:
    surgery_id = await _requested(scheduling, await team(scheduling))
    async with routes.runtime.unit_of_work() as uow:  # the log sees a transaction
        await uow.session.execute(text("SELECT 1"))
    assert routes.transactions() and routes.sent.clear() is None

    answer = await routes.client.get(f"/surgeries/{surgery_id}")

    assert answer.status_code == 200, answer.text
    assert answer.json()["surgery_id"] == str(surgery_id) and answer.headers["ETag"] == '"1"'
    [entry] = await _entries(scheduling, "surgery.read")
    assert (entry.record_id, entry.actor_id) == (str(surgery_id), routes.caller.user_id)
    assert entry.details == {"version": 1, "status": "requested"}
    assert routes.transactions() == []


async def test_a_list_page_is_answered_with_its_entry_committed_and_no_transaction(
    scheduling: Scheduling, routes: Routes
) -> None:
    made = await team(scheduling)
    ids = {str(await _requested(scheduling, made)) for _ in range(3)}

    answer = await routes.client.get("/surgeries", params={"limit": 2})

    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["total"] == 3 and len(page["items"]) == 2
    [entry] = await _entries(scheduling, "surgery.list")
    assert entry.details["surgery_ids"] == [item["surgery_id"] for item in page["items"]]
    assert set(entry.details["surgery_ids"]) < ids and entry.details["total"] == 3
    assert routes.transactions() == []


async def test_a_case_history_is_answered_with_its_entry_committed_and_no_transaction(
    scheduling: Scheduling, routes: Routes
) -> None:
    surgery_id = await _requested(scheduling, await team(scheduling))

    answer = await routes.client.get(f"/surgeries/{surgery_id}/history")

    assert answer.status_code == 200, answer.text
    [entry] = await _entries(scheduling, "surgery.history.read")
    assert entry.record_id == str(surgery_id) and entry.details["lines"] == 1
    assert routes.transactions() == []


async def test_a_case_not_found_or_hidden_is_answered_404_with_no_entry(
    scheduling: Scheduling, routes: Routes
) -> None:
    surgery_id = await _requested(scheduling, await team(scheduling))
    unknown = await routes.client.get(f"/surgeries/{uuid.uuid4()}")
    routes.caller = _principal("surgeon")  # not the case's surgeon: hidden
    hidden = await routes.client.get(f"/surgeries/{surgery_id}")
    history = await routes.client.get(f"/surgeries/{surgery_id}/history")

    assert [unknown.status_code, hidden.status_code, history.status_code] == [404, 404, 404]
    assert hidden.json()["detail"] == f"There is no surgery request {surgery_id}."
    assert await _entries(scheduling, "surgery.read") == []
    assert await _entries(scheduling, "surgery.history.read") == []


async def test_an_entry_that_fails_is_answered_500_without_the_case(
    scheduling: Scheduling, routes: Routes
) -> None:
    surgery_id = await _requested(scheduling, await team(scheduling))
    async with scheduling.engine.begin() as conn:
        await conn.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'no entry'; END $$"
            )
        )
        await conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON audit_log"
                " FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        )

    answer = await routes.client.get(f"/surgeries/{surgery_id}")
    listed = await routes.client.get("/surgeries")

    assert [answer.status_code, listed.status_code] == [500, 500]
    assert answer.json()["title"] == listed.json()["title"] == "Internal Server Error"
    assert "Total knee replacement" not in answer.text + listed.text
    async with scheduling.engine.connect() as other:
        events = await other.scalar(
            text("SELECT count(*) FROM outbox WHERE event_type = 'AuditRecorded'")
        )
    assert events == 1  # the request's, not the reads' (the entry's row and event are one)


async def test_concurrent_reads_each_leave_their_entry(
    scheduling: Scheduling, routes: Routes
) -> None:
    surgery_id = await _requested(scheduling, await team(scheduling))

    answers = await asyncio.gather(
        *(routes.client.get(f"/surgeries/{surgery_id}") for _ in range(12)),
        *(routes.client.get("/surgeries") for _ in range(4)),
    )

    assert [a.status_code for a in answers] == [200] * 16
    assert len(await _entries(scheduling, "surgery.read")) == 12
    assert len(await _entries(scheduling, "surgery.list")) == 4


async def test_the_optimizations_list_is_answered_with_its_entry_committed_and_no_transaction(
    scheduling: Scheduling, routes: Routes
) -> None:
    answer = await routes.client.get("/optimizations")
    unknown = await routes.client.get(f"/optimizations/{uuid.uuid4()}")

    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] == 0 and unknown.status_code == 404
    [entry] = await _entries(scheduling, "optimization.list")
    assert entry.details == {"request_ids": [], "status": None}
    assert await _entries(scheduling, "optimization.read") == []
    assert routes.transactions() == []
