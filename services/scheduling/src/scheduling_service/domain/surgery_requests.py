"""Who may put a case on the waiting list, and which staff member may operate it.

The rules are the contract's (`contracts.events.surgery_request`): interop's FHIR orders
keep them too.
"""

from contracts.events.surgery_request import PLANNING_ROLES, may_request_for, surgeon_refusal

__all__ = ["PLANNING_ROLES", "may_request_for", "surgeon_refusal"]
