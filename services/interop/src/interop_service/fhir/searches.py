"""One FHIR search: its parameters checked against the declaration (strict or lenient), their
values read (tokens, references, ids, dates), and the searchset Bundle with its paging links."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import Request
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource
from servicekit.problems import Problem

from interop_service.fhir.capabilities import (
    DATE_PATTERN,
    DEFAULT_COUNT,
    MAX_COUNT,
    MAX_OFFSET,
    REGISTRY,
    ResourceCapability,
)
from interop_service.fhir.formats import fhir_base
from interop_service.fhir.outcomes import fhir_error

_CONTROLS = frozenset({"_count", "_offset", "_format", "_include", "_pretty"})


@dataclass(frozen=True)
class SearchQuery:
    """One search's parameters: `values` by declared name, paging and includes."""

    resource_type: str
    params: dict[str, list[str]]
    count: int
    offset: int
    includes: tuple[str, ...]
    # The request's own parameters in order, for the Bundle's links.
    raw: tuple[tuple[str, str], ...]

    def values(self, name: str) -> list[str]:
        return self.params.get(name, [])

    def one(self, name: str) -> str | None:
        """The single value of `name` (a comma list is several values: OR), or None."""
        values = self.values(name)
        if len(values) > 1:
            raise fhir_error(400, f"{name} may be given once.", "invalid")
        return values[0] if values else None

    def any_of(self, name: str) -> list[str]:
        """Every value of `name` given once as a comma list (FHIR's OR), or []."""
        single = self.one(name)
        return [v for v in (part.strip() for part in single.split(",")) if v] if single else []

    def codes(self, name: str, allowed: Collection[str]) -> set[str]:
        """The codes of a token parameter with a closed set of values (`system|` dropped); a
        `400` for any other value, an empty one included."""
        single = self.one(name)
        if single is None:
            return set()
        codes = {token(part.strip())[1] for part in single.split(",")}
        if unknown := sorted(codes - set(allowed)):
            known = ", ".join(sorted(allowed))
            raise fhir_error(400, f"{name}={unknown[0]!r} is not one of {known}.", "invalid")
        return codes

    def dates(self, name: str, zone: tzinfo, most: int = 2) -> list[DateBound]:
        """The bounds of a date parameter, given at most `most` times (a range)."""
        values = self.values(name)
        if len(values) > most:
            raise fhir_error(400, f"{name} may be given at most {most} times.", "invalid")
        return [date_bound(name, value, zone) for value in values]


def searching(
    capability: ResourceCapability,
) -> Callable[[Request], Coroutine[Any, Any, SearchQuery]]:
    """A dependency reading the search of `capability.type` from the request (see `SearchQuery`)."""

    async def dependency(request: Request) -> SearchQuery:
        # Read at request time: another part may have merged more into the same type.
        return search_query(request, REGISTRY.get(capability.type))

    return dependency


def search_query(request: Request, capability: ResourceCapability) -> SearchQuery:
    lenient = _lenient(request)
    params: dict[str, list[str]] = {}
    raw = tuple(request.query_params.multi_items())
    for name, value in raw:
        if name in _CONTROLS:
            continue
        if not _declared(capability, name):
            if lenient:
                continue
            known = ", ".join(p.name for p in capability.search_params) or "none"
            raise fhir_error(
                400,
                f"Unknown search parameter {name!r} for {capability.type} (known: {known}); "
                "send 'Prefer: handling=lenient' to have unknown parameters ignored.",
                "not-supported",
            )
        params.setdefault(name, []).append(value)
    return SearchQuery(
        resource_type=capability.type,
        params=params,
        count=_count(request),
        offset=_integer(request, "_offset", 0, MAX_OFFSET, 0),
        includes=_includes(request, capability, lenient),
        raw=raw,
    )


def _declared(capability: ResourceCapability, name: str) -> bool:
    if capability.param(name) is not None:  # declared with its modifier (patient:identifier)
        return True
    base, _, modifier = name.partition(":")
    param = capability.param(base)
    if param is None:
        return False
    return not modifier or (param.type == "string" and modifier in ("exact", "contains"))


def _lenient(request: Request) -> bool:
    prefer = request.headers.get("prefer", "")
    return any(part.strip().lower() == "handling=lenient" for part in prefer.split(","))


def _count(request: Request) -> int:
    # A larger _count is served as the largest page: FHIR lets a server return fewer.
    return min(_integer(request, "_count", 0, None, DEFAULT_COUNT), MAX_COUNT)


def _integer(request: Request, name: str, low: int, high: int | None, default: int) -> int:
    values = request.query_params.getlist(name)
    if not values:
        return default
    if len(values) > 1 or not re.fullmatch(r"\d{1,9}", values[0].strip()):
        raise fhir_error(400, f"{name} must be one whole number.", "invalid")
    number = int(values[0])
    if number < low or (high is not None and number > high):
        raise fhir_error(400, f"{name} must be between {low} and {high}.", "invalid")
    return number


def _includes(request: Request, capability: ResourceCapability, lenient: bool) -> tuple[str, ...]:
    wanted = [v for value in request.query_params.getlist("_include") for v in value.split(",")]
    unknown = [v for v in wanted if v not in capability.search_includes]
    if unknown and not lenient:
        served = ", ".join(capability.search_includes) or "none"
        raise fhir_error(
            400, f"_include={unknown[0]!r} is not served (served: {served}).", "not-supported"
        )
    return tuple(dict.fromkeys(v for v in wanted if v in capability.search_includes))


# ---------------------------------------------------------------------------------------------
# Reading parameter values


def token(value: str) -> tuple[str | None, str]:
    """A token parameter's `[system|]code`: (system or None when not given, code)."""
    if "|" in value:
        system, code = value.split("|", 1)
        return system, code
    return None, value


def reference_id(value: str, resource_type: str) -> uuid.UUID | None:
    """The id a reference parameter names (`<Type>/<id>`, a bare id, or a full URL), or None
    when it names another type or an id that cannot be ours (such a reference matches nothing)."""
    parts = value.strip().split("/")
    named_type = parts[-2] if len(parts) > 1 else resource_type
    return id_or_none(parts[-1]) if named_type == resource_type else None


def id_or_none(value: str) -> uuid.UUID | None:
    """A resource id as our UUID, or None for any other spelling (it matches nothing)."""
    try:
        return uuid.UUID(value) if len(value) == 36 else None
    except ValueError:
        return None


def not_found(resource_type: str, resource_id: str) -> Problem:
    return fhir_error(404, f"{resource_type}/{resource_id} is not known here.", "not-found")


def read_id(resource_type: str, resource_id: str) -> uuid.UUID:
    """A read's id: one that cannot be ours is as unknown as one that is not there (404)."""
    found = id_or_none(resource_id)
    if found is None:
        raise not_found(resource_type, resource_id)
    return found


Comparator = Literal["eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"]
_SERVED_COMPARATORS = ("eq", "gt", "lt", "ge", "le")
_DATE = re.compile(r"^(?P<prefix>[a-z]{2})?(?P<value>\d{4}(?:-\d{2}(?:-\d{2}(?:T.+)?)?)?)$")


@dataclass(frozen=True)
class DateBound:
    """A date parameter: its comparator and the instant range `[start, end)` its value covers
    (a day covers the whole local day; an instant, itself)."""

    comparator: Comparator
    start: datetime
    end: datetime

    def lower(self) -> datetime | None:
        """The earliest instant a match may be at, or None when this bound sets no lower end."""
        return {"ge": self.start, "gt": self.end, "eq": self.start}.get(self.comparator)

    def upper(self) -> datetime | None:
        """The instant a match must be before, or None when this bound sets no upper end."""
        return {"le": self.end, "lt": self.start, "eq": self.end}.get(self.comparator)


def date_bound(name: str, value: str, zone: tzinfo) -> DateBound:
    """A date parameter's value: `[prefix]YYYY[-MM[-DD[Thh:mm[:ss][zone]]]]`; a date without a
    time covers that period in `zone` (FHIR: the server's time zone), a time without an offset is
    read in `zone` too. Comparators other than eq, gt, lt, ge, le are a `400`, and so is any
    value `DATE_PATTERN` refuses; a date the pattern allows but the calendar has not (February
    30th) is a `422`."""
    match = _DATE.match(value)
    if match is None:
        raise fhir_error(400, f"{name}={value!r} is not a FHIR date or dateTime.", "invalid")
    prefix = match["prefix"] or "eq"
    if prefix not in _SERVED_COMPARATORS:
        raise fhir_error(400, f"{name}: the comparator {prefix!r} is not served.", "not-supported")
    if not re.fullmatch(DATE_PATTERN, value):
        raise fhir_error(400, f"{name}={value!r} is not a FHIR date or dateTime.", "invalid")
    start, end = _period(name, match["value"], zone)
    return DateBound(prefix, start, end)  # type: ignore[arg-type]  # checked just above


def _period(name: str, text: str, zone: tzinfo) -> tuple[datetime, datetime]:
    try:
        if "T" in text:
            instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
            instant = instant if instant.tzinfo else instant.replace(tzinfo=zone)
            return instant, instant + timedelta(microseconds=1)
        parts = [int(part) for part in text.split("-")]
        if len(parts) == 3:
            first = date(*parts)
            return _midnight(first, zone), _midnight(first + timedelta(days=1), zone)
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return _midnight(first, zone), _midnight(following, zone)
        return _midnight(date(parts[0], 1, 1), zone), _midnight(date(parts[0] + 1, 1, 1), zone)
    except (ValueError, OverflowError):
        raise fhir_error(
            422, f"{name}={text!r} is not a date of the calendar.", "invalid"
        ) from None


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


# ---------------------------------------------------------------------------------------------
# Bundles


def searchset(
    request: Request,
    query: SearchQuery,
    matches: Sequence[Resource],
    total: int,
    included: Iterable[Resource] = (),
) -> Bundle:
    """A searchset Bundle: this page's matches, the included resources (each once), `total` and
    the `self`, `next` and `previous` links, which keep the request's own parameters."""
    base = fhir_base(request)
    entries: list[dict[str, Any]] = [_entry(base, r, "match") for r in matches]
    seen = {(r.get_resource_type(), r.id) for r in matches}
    for resource in included:
        key = (resource.get_resource_type(), resource.id)
        if key not in seen:
            seen.add(key)
            entries.append(_entry(base, resource, "include"))
    links = [{"relation": "self", "url": _page_url(base, query, query.offset)}]
    if query.count and query.offset + query.count < total:
        links.append(
            {"relation": "next", "url": _page_url(base, query, query.offset + query.count)}
        )
    if query.offset > 0:
        previous = max(query.offset - max(query.count, 1), 0)
        links.append({"relation": "previous", "url": _page_url(base, query, previous)})
    return Bundle(type="searchset", total=total, link=links, entry=entries or None)


def _entry(base: str, resource: Resource, mode: str) -> dict[str, Any]:
    return {
        "fullUrl": f"{base}/{resource.get_resource_type()}/{resource.id}",
        "resource": resource,
        "search": {"mode": mode},
    }


def _page_url(base: str, query: SearchQuery, offset: int) -> str:
    kept = [(k, v) for k, v in query.raw if k not in ("_count", "_offset")]
    kept += [("_count", str(query.count)), ("_offset", str(offset))]
    return f"{base}/{query.resource_type}?{urlencode(kept)}"
