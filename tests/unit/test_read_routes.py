"""A route that only reads takes no transaction: every GET of every service reads through a read
session or an audited read (`servicekit.deps`), each statement its own snapshot as under READ
COMMITTED, without the BEGIN and COMMIT round trips of a unit of work. The exceptions read
several statements under one REPEATABLE READ snapshot, and are named here with that reason."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from servicekit.app import create_app
from servicekit.deps import get_unit_of_work
from servicekit.openapi import SERVICES

# (service, path): one snapshot across its statements, so a transaction (REPEATABLE READ).
ONE_SNAPSHOT = {
    ("resources", "/availability"),  # rooms, blocks, staff and units of one moment
    ("scheduling", "/schedule"),  # the day list: cases, bookings and people of one moment
    ("scheduling", "/schedule/surgeons/{staff_id}"),  # a person's list, the same
    ("scheduling", "/schedule/staff/{staff_id}"),
    ("scheduling", "/kpis"),  # figures over cases and bookings of one moment
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from _routes(included.routes)  # FastAPI's wrapper of an included router


def _reads(service: str) -> Iterator[tuple[str, APIRoute]]:
    definition = importlib.import_module(f"{service}_service.bootstrap").service
    for route in _routes(create_app(definition).routes):
        if "GET" in route.methods:
            yield route.path, route


@pytest.mark.parametrize("service", SERVICES)
def test_every_read_route_reads_without_a_transaction_unless_it_needs_one_snapshot(service):
    reads = dict(_reads(service))
    assert len(reads) > 3  # the routes were found
    transactional = {
        path for path, route in reads.items() if get_unit_of_work in _calls(route.dependant)
    }
    assert transactional == {path for name, path in ONE_SNAPSHOT if name == service}
