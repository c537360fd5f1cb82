"""The rules around lifecycle moves, without I/O: reason codes, who requests and how many
people a request may need."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from contracts.events.resources_staff import StaffMemberUpserted, StaffStatus
from contracts.events.scheduling_surgeries import Booking
from contracts.values import LocalTimeRange, WeeklyHours
from contracts.vocabulary import StaffRole
from pydantic import ValidationError
from scheduling_service.api.schemas.surgeries import MOST_PEOPLE_BESIDES_SURGEON, SurgeryCreate
from scheduling_service.domain.reasons import REASON_CODES, ensure_known
from scheduling_service.domain.surgery_requests import may_request_for, surgeon_refusal

RETIRED_AT = datetime(2027, 3, 3, 8, 0, tzinfo=UTC)
DAY = (LocalTimeRange(start="07:00", end="19:00"),)


def _member(**changes: object) -> StaffMemberUpserted:
    values: dict[str, object] = {
        "staff_id": uuid.uuid4(),
        "name": "Dr Example",
        "role": StaffRole.SURGEON,
        "working_pattern": WeeklyHours(monday=DAY),
        "timezone": "Europe/Amsterdam",
        "version": 1,
    }
    return StaffMemberUpserted(**(values | changes))


def test_accepts_every_known_reason_code() -> None:
    assert [ensure_known(code) for code in REASON_CODES] == list(REASON_CODES)


def test_refuses_an_unknown_reason_code_listing_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown reason code 'bored'") as refused:
        ensure_known("bored")
    assert all(code in str(refused.value) for code in REASON_CODES)


def test_the_known_reason_codes_are_those_the_contract_describes() -> None:
    from contracts.events.scheduling_surgeries import SurgeryCancelled

    described = SurgeryCancelled.model_fields["reason_code"].description or ""
    assert all(code in described for code in REASON_CODES)


def test_an_active_surgeon_may_operate() -> None:
    member = _member()
    assert surgeon_refusal(member.staff_id, member) is None


def test_refuses_a_surgeon_nobody_knows() -> None:
    stranger = uuid.uuid4()
    assert f"surgeon_id {stranger} is not a staff member" in (surgeon_refusal(stranger, None) or "")


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"role": StaffRole.ANAESTHETIST}, "has the role anaesthetist, not surgeon"),
        ({"status": StaffStatus.INACTIVE}, "is inactive, not active"),
        ({"retired_at": RETIRED_AT}, "is retired"),
    ],
)
def test_refuses_a_staff_member_who_cannot_operate(changes: dict[str, object], says: str) -> None:
    member = _member(**changes)
    assert says in (surgeon_refusal(member.staff_id, member) or "")


def test_planners_request_for_any_surgeon() -> None:
    member = _member(user_id=uuid.uuid4())
    for roles in ({"admin"}, {"coordinator"}, {"surgeon", "coordinator"}):
        assert may_request_for(member, user_id=str(uuid.uuid4()), roles=roles)


def test_a_surgeon_requests_only_for_the_staff_member_linked_to_their_user() -> None:
    user_id = uuid.uuid4()
    mine, theirs, unlinked = _member(user_id=user_id), _member(user_id=uuid.uuid4()), _member()
    assert may_request_for(mine, user_id=str(user_id), roles={"surgeon"})
    assert not may_request_for(theirs, user_id=str(user_id), roles={"surgeon"})
    assert not may_request_for(unlinked, user_id=str(user_id), roles={"surgeon"})


def test_only_a_planner_changes_a_case_whose_surgeon_is_unknown() -> None:
    assert may_request_for(None, user_id=str(uuid.uuid4()), roles={"coordinator"})
    assert not may_request_for(None, user_id=str(uuid.uuid4()), roles={"surgeon"})


def _request_needing(**counts: int) -> SurgeryCreate:
    return SurgeryCreate.model_validate(
        {
            "patient_mrn": "MRN-0001",
            "procedure": {"code": "W40.1", "name": "Total knee replacement"},
            "surgeon_id": str(uuid.uuid4()),
            "specialty": "orthopaedics",
            "expected_duration_minutes": 90,
            "priority": "elective",
            "anaesthesia_type": "general",
            "staff_roles_needed": [{"role": r, "count": n} for r, n in counts.items()],
        }
    )


def test_a_request_may_need_as_many_people_as_one_booking_holds_besides_the_surgeon() -> None:
    needed = _request_needing(anaesthetist=10, scrub_nurse=10, circulating_nurse=9)
    assert sum(r.count for r in needed.staff_roles_needed) == MOST_PEOPLE_BESIDES_SURGEON
    most_in_a_booking = Booking.model_fields["staff"].metadata[0].max_length
    assert most_in_a_booking - 1 == MOST_PEOPLE_BESIDES_SURGEON  # the surgeon is one of them


def test_refuses_a_request_needing_more_people_than_a_booking_holds() -> None:
    with pytest.raises(ValidationError, match="asks for 30 people; a booking holds at most 29"):
        _request_needing(anaesthetist=10, scrub_nurse=10, circulating_nurse=10)
