"""Every document is either a surgery request the shared contract accepts or a refusal naming
FHIR elements: never an exception of any other kind (a 500)."""

from __future__ import annotations

from typing import Any

from contracts.events.surgery_request import SurgeryRequestFields
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interop_service.domain import orders_terms as terms
from interop_service.domain.orders_mapping import OrderRefused, read_order

from tests.unit.interop.orders.orders import order

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=12),
    st.sampled_from(
        ["2027-03-01", "2027-02-30", "2027", "2027-03-01T08:00:00Z", "routine", "stat", "min", "h"]
    ),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_ELEMENTS = st.sampled_from(
    [
        "status", "intent", "category", "code", "subject", "performer", "priority",
        "occurrencePeriod", "occurrenceDateTime", "occurrenceTiming", "identifier", "note",
        "doNotPerform", "bodySite", "requester", "extension", "authoredOn",
    ]
)  # fmt: skip
_OURS = st.sampled_from([*terms.SINGLE_EXTENSIONS, *terms.REPEATED_EXTENSIONS])
_KINDS = st.sampled_from(["valueCode", "valueDuration", "valueString", "valueInteger"])


@st.composite
def _orders(draw: st.DrawFn) -> dict[str, Any]:
    """A valid order with a few elements replaced by anything JSON can say."""
    document = order()
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        document[draw(_ELEMENTS)] = draw(_JSON)
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        extension = {"url": draw(_OURS), draw(_KINDS): draw(_JSON)}
        if isinstance(document.get("extension"), list):
            document["extension"].append(extension)
    return document


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_orders())
def test_every_document_maps_to_the_contract_or_names_the_elements_refused(
    document: dict[str, Any],
) -> None:
    try:
        placed = read_order(document)
    except OrderRefused as refused:
        assert refused.issues
        assert all(issue.expression.startswith("ServiceRequest") for issue in refused.issues)
        assert all(issue.diagnostics for issue in refused.issues)
    else:
        assert SurgeryRequestFields.model_validate(placed.request.model_dump()) == placed.request
        assert placed.placer.value
