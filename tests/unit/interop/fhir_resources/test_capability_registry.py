"""The CapabilityStatement cannot drift from the routes: every type the FHIR parts declare has a
route for each interaction it lists, and what the statement lists is the registry."""

from __future__ import annotations

from fastapi.routing import APIRoute
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from interop_service.bootstrap import service
from interop_service.fhir.common import REGISTRY
from interop_service.fhir.resources_api import capabilities

_PATHS = {"read": "/fhir/{type}/{id}", "search-type": "/fhir/{type}", "create": "/fhir/{type}"}
_METHODS = {"read": "GET", "search-type": "GET", "create": "POST"}


def _routes() -> set[tuple[str, str]]:
    served = set()
    for router in service.routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                path = route.path_format
                # Any name for the id parameter: `{resource_id}`, `{appointment_id}`, ...
                if path.count("/") == 3 and path.endswith("}"):
                    path = path.rsplit("/", 1)[0] + "/{id}"
                served |= {(method, path) for method in route.methods}
    return served


def test_every_declared_interaction_has_its_route():
    served = _routes()
    for capability in REGISTRY.all():
        for interaction in capability.interactions:
            path = _PATHS[interaction].format(type=capability.type, id="{id}")
            assert (_METHODS[interaction], path) in served, (capability.type, interaction)


def test_the_capability_statement_lists_the_registry_and_validates():
    statement = CapabilityStatement.model_validate_json(
        capabilities("https://fhir.example.org/fhir").model_dump_json(exclude_none=True)
    )
    (rest,) = statement.rest
    assert rest.mode == "server" and statement.fhirVersion == "4.0.1"
    listed = {r.type: r for r in rest.resource}
    assert set(listed) == {c.type for c in REGISTRY.all()}
    for capability in REGISTRY.all():
        resource = listed[capability.type]
        assert [p.name for p in resource.searchParam or []] == [
            p.name for p in capability.search_params
        ]
        assert [i.code for i in resource.interaction] == list(capability.interactions)
        assert list(resource.searchInclude or []) == list(capability.search_includes)
    assert {"Location", "Practitioner", "PractitionerRole", "Device", "Schedule", "Slot"} <= set(
        listed
    )
