"""A FHIR search of cases: its parameters read into a `CaseFilter`, and its searchset Bundle
assembled from the stored documents each reader may see, with the resources `_include` asks
for."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

from contracts.events.scheduling_surgeries import SurgeryStatus
from fastapi import Request
from fhir.resources.R4B.resource import Resource
from sqlalchemy.ext.asyncio import AsyncSession

from interop_service.domain import fhir_cases_terms as terms
from interop_service.domain.fhir_cases_access import CaseTies, Reader, Sight
from interop_service.domain.fhir_resources import location_of, practitioner_of
from interop_service.fhir import resources_store
from interop_service.fhir.cases_queries import CaseFilter, Page, Shown
from interop_service.fhir.common import (
    SearchQuery,
    date_bound,
    fhir_base,
    fhir_error,
    reference_id,
    searchset,
    token,
)

SightRule = Callable[[Reader, CaseTies], Sight]
S = TypeVar("S")


def as_seen(reader: Reader, shown: Shown, rule: SightRule) -> str | None:
    """The resource's JSON as `reader` may see it: whole, without the patient, or not at all."""
    sight = rule(reader, shown.ties)
    if sight is Sight.HIDDEN:
        return None
    return shown.full if sight is Sight.FULL else shown.masked


async def bundle(request: Request, session: AsyncSession, query: SearchQuery, page: Page) -> str:
    """The searchset: its links and total from the shared plumbing, its entries the page's, as
    the database joined them from the stored documents (a day's Appointments are not parsed and
    dumped again), then the resources `_include` asks for."""
    base = fhir_base(request)
    entries = [page.entries] if page.entries else []
    for reference, body in await _included(session, query, page.entries):
        entries.append(_entry(f"{base}/{reference}", body))
    shell = searchset(request, query, [], page.total)
    document = shell.model_dump_json(by_alias=True, exclude_none=True)
    return document[:-1] + (',"entry":[' + ",".join(entries) + "]}" if entries else "}")


def entry_url(request: Request, query: SearchQuery) -> str:
    """The `fullUrl` of a match but its id: `<FHIR base>/<type>/`."""
    return f"{fhir_base(request)}/{query.resource_type}/"


def _entry(url: str, resource: str, mode: str = "include") -> str:
    return f'{{"fullUrl":{json.dumps(url)},"resource":{resource},"search":{{"mode":"{mode}"}}}}'


_INCLUDED_TYPES = {
    "Appointment:location": "Location",
    "Appointment:practitioner": "Practitioner",
    "ServiceRequest:performer": "Practitioner",
}


async def _included(
    session: AsyncSession, query: SearchQuery, matches: str
) -> list[tuple[str, str]]:
    """The Locations and Practitioners the matches refer to, when `_include` asks for them:
    (`<Type>/<id>`, its JSON) each."""
    wanted = {_INCLUDED_TYPES[name] for name in query.includes}
    if not wanted:
        return []
    referred = _references(matches)
    included: list[tuple[str, str]] = []
    if "Location" in wanted:
        rooms = await resources_store.rooms_by_id(session, referred.get("Location", []))
        included += [
            _rendered(room.room_id, room.version, room, location_of) for room in rooms.values()
        ]
    if "Practitioner" in wanted:
        staff = await resources_store.staff_by_id(session, referred.get("Practitioner", []))
        included += [
            _rendered(member.staff_id, member.version, member, practitioner_of)
            for member in staff.values()
        ]
    return included


# A snapshot's resource depends on the snapshot alone: rendered (validated and dumped) once per
# process and version, as a day's search includes the same rooms and people again and again.
_RENDERED: dict[tuple[uuid.UUID, int], tuple[str, str]] = {}
_RENDERED_LIMIT = 20_000


def _rendered(
    record_id: uuid.UUID, version: int, snapshot: S, mapping: Callable[[S], Resource]
) -> tuple[str, str]:
    key = (record_id, version)
    held = _RENDERED.get(key)
    if held is None:
        if len(_RENDERED) >= _RENDERED_LIMIT:
            _RENDERED.clear()
        resource = mapping(snapshot)
        body = resource.model_dump_json(by_alias=True, exclude_none=True)
        held = _RENDERED[key] = (f"{resource.get_resource_type()}/{resource.id}", body)
    return held


def _references(matches: str) -> dict[str, list[uuid.UUID]]:
    """The ids each resource type is referred to by in the matches, once each, in order."""
    found: dict[str, dict[uuid.UUID, None]] = {}
    for reference in _REFERENCE.findall(matches):
        kind, _, named = reference.partition("/")
        found.setdefault(kind, {})[uuid.UUID(named)] = None
    return {kind: list(ids) for kind, ids in found.items()}


# The references our documents make to what `_include` serves: `"reference":"<Type>/<uuid>"`.
_REFERENCE = re.compile(r'"reference":"((?:Location|Practitioner)/[0-9a-f-]{36})"')


def appointment_filter(query: SearchQuery, zone: ZoneInfo) -> CaseFilter:
    bounds = [date_bound("date", value, zone) for value in query.values("date")]
    statuses = query.any_of("status")
    unknown = [s for s in statuses if s not in _APPOINTMENT_STATUSES]
    if unknown:
        known = ", ".join(sorted(_APPOINTMENT_STATUSES))
        raise fhir_error(400, f"status={unknown[0]!r} is not one we give (known: {known}).")
    return CaseFilter(
        starts_from=tuple(b for b in (bound.lower() for bound in bounds) if b is not None),
        starts_before=tuple(b for b in (bound.upper() for bound in bounds) if b is not None),
        room_ids=_ids(query, "location", "Location"),
        practitioner_ids=_ids(query, "practitioner", "Practitioner"),
        appointment_statuses=tuple(statuses) if statuses else None,
        patient_mrns=_mrns(query),
    )


def order_filter(query: SearchQuery) -> CaseFilter:
    statuses = query.any_of("status")
    return CaseFilter(
        performer_ids=_ids(query, "performer", "Practitioner"),
        order_statuses=tuple(s for v in statuses for s in _order_statuses(v)) if statuses else None,
        patient_mrns=_mrns(query),
    )


_APPOINTMENT_STATUSES = frozenset(
    {"booked", "arrived", "fulfilled", "cancelled", "noshow", "waitlist"}
)


def _order_statuses(value: str) -> frozenset[SurgeryStatus]:
    statuses = terms.order_statuses_of(value)
    if not statuses:
        raise fhir_error(
            400, f"status={value!r} is not one we give (known: active, completed, revoked)."
        )
    return statuses


def _ids(query: SearchQuery, name: str, resource_type: str) -> tuple[uuid.UUID, ...] | None:
    """The ids a reference parameter names (None: not asked); one that cannot be ours matches
    nothing."""
    values = query.any_of(name)
    if not values:
        return None
    named = (reference_id(value, resource_type) for value in values)
    return tuple(found for found in named if found is not None)


def _mrns(query: SearchQuery) -> tuple[str, ...] | None:
    """The MRNs `patient:identifier` names (None: not asked); another system matches nothing."""
    values = query.any_of("patient:identifier")
    if not values:
        return None
    tokens = [token(value) for value in values]
    return tuple(code for system, code in tokens if system in (None, terms.MRN_SYSTEM) and code)
