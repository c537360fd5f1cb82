"""Who sees which case and who records wheels (`domain/access.py`), as properties over any
mix of roles, staff links and case ties, and as the named cases of the issue."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st
from scheduling_service.domain import access
from scheduling_service.domain.access import CaseTies, Reader, Scope, Sight

FEW = settings(max_examples=150, derandomize=True, deadline=None)
ROLES = ("admin", "coordinator", "surgeon", "anaesthetist", "nurse", "viewer", "auditor")
# A small pool of ids, so readers and cases often share some.
PEOPLE = [uuid.UUID(int=n) for n in range(1, 7)]
USERS = [uuid.UUID(int=n) for n in range(100, 104)]

roles = st.frozensets(st.sampled_from(ROLES), max_size=4)
readers = st.builds(
    Reader,
    user_id=st.sampled_from(USERS),
    roles=roles,
    staff_ids=st.frozensets(st.sampled_from(PEOPLE), max_size=2),
)
ties = st.builds(
    CaseTies,
    surgeon_id=st.sampled_from(PEOPLE),
    requested_by=st.none() | st.sampled_from(USERS),
    assigned=st.frozensets(st.sampled_from(PEOPLE), max_size=3),
)
ORDER = {Sight.HIDDEN: 0, Sight.MASKED: 1, Sight.FULL: 2}


@FEW
@given(readers, ties)
def test_planners_see_every_case_whole_and_record_its_wheels(reader: Reader, case: CaseTies):
    planner = Reader(reader.user_id, reader.roles | {"coordinator"}, reader.staff_ids)
    assert access.case_sight(planner, case) is Sight.FULL
    assert access.list_sight(planner, case) is Sight.FULL
    assert access.may_record_wheels(planner, case)


@FEW
@given(readers, ties)
def test_a_clinician_sees_the_patient_exactly_of_the_cases_they_are_on(
    reader: Reader, case: CaseTies
):
    clinician = Reader(reader.user_id, frozenset({"nurse"}), reader.staff_ids)
    on_it = (
        case.surgeon_id in reader.staff_ids
        or case.requested_by == reader.user_id
        or bool(case.assigned & reader.staff_ids)
    )
    assert access.case_sight(clinician, case) is (Sight.FULL if on_it else Sight.HIDDEN)
    assert access.list_sight(clinician, case) is (Sight.FULL if on_it else Sight.MASKED)


@FEW
@given(readers, ties)
def test_a_viewer_alone_sees_every_case_and_never_its_patient(reader: Reader, case: CaseTies):
    viewer = Reader(reader.user_id, frozenset({"viewer"}), reader.staff_ids)
    assert access.case_sight(viewer, case) is Sight.MASKED
    assert access.list_sight(viewer, case) is Sight.MASKED
    assert not access.may_record_wheels(viewer, case)


@FEW
@given(readers, ties)
def test_a_day_list_shows_at_least_what_the_case_itself_shows(reader: Reader, case: CaseTies):
    assert ORDER[access.list_sight(reader, case)] >= ORDER[access.case_sight(reader, case)]


@FEW
@given(readers, ties, st.sampled_from(ROLES))
def test_another_role_never_takes_sight_or_wheels_away(reader: Reader, case: CaseTies, more: str):
    wider = Reader(reader.user_id, reader.roles | {more}, reader.staff_ids)
    assert ORDER[access.case_sight(wider, case)] >= ORDER[access.case_sight(reader, case)]
    assert ORDER[access.list_sight(wider, case)] >= ORDER[access.list_sight(reader, case)]
    assert access.may_record_wheels(wider, case) >= access.may_record_wheels(reader, case)


@FEW
@given(readers, ties)
def test_whoever_records_wheels_sees_the_case_whole(reader: Reader, case: CaseTies):
    if access.may_record_wheels(reader, case):
        assert access.case_sight(reader, case) is Sight.FULL


@FEW
@given(readers, ties)
def test_only_a_planner_or_a_clinician_seated_on_the_case_records_wheels(
    reader: Reader, case: CaseTies
):
    seated = bool(({case.surgeon_id} | case.assigned) & reader.staff_ids)
    planner = bool({"admin", "coordinator"} & reader.roles)
    clinician = bool({"surgeon", "anaesthetist", "nurse"} & reader.roles)
    assert access.may_record_wheels(reader, case) == (planner or (clinician and seated))


@FEW
@given(readers, ties)
def test_staff_links_are_read_only_when_some_answer_depends_on_them(reader: Reader, case: CaseTies):
    # The service skips looking up a reader's staff members when no rule needs them; that
    # must never change an answer.
    if access.needs_own_cases(reader.roles):
        return
    unlinked = Reader(reader.user_id, reader.roles)
    for rule in (access.case_sight, access.list_sight, access.may_record_wheels):
        assert rule(unlinked, case) == rule(reader, case)


@FEW
@given(readers, ties)
def test_the_scopes_admit_exactly_the_cases_the_sights_show(reader: Reader, case: CaseTies):
    # The waiting list filters with `case_scope` and searches MRNs within `patient_scope` in
    # SQL; both must agree with the per-case answer the rows are then shaped by.
    shown = access.covers(access.case_scope(reader.roles), reader, case)
    assert shown == (access.case_sight(reader, case) is not Sight.HIDDEN)
    patient = access.covers(access.patient_scope(reader.roles), reader, case)
    assert (shown and patient) == (access.case_sight(reader, case) is Sight.FULL)


@FEW
@given(readers, ties)
def test_no_reading_role_sees_nothing(reader: Reader, case: CaseTies):
    stranger = Reader(reader.user_id, frozenset({"auditor"}), reader.staff_ids)
    assert access.case_scope(stranger.roles) is Scope.NONE
    assert access.case_sight(stranger, case) is Sight.HIDDEN
    assert access.list_sight(stranger, case) is Sight.HIDDEN
    assert not access.may_record_wheels(stranger, case)


def test_a_surgeon_sees_the_cases_they_requested_though_another_surgeon_operates() -> None:
    me, other = uuid.uuid4(), uuid.uuid4()
    surgeon = Reader(me, frozenset({"surgeon"}), frozenset({uuid.uuid4()}))
    case = CaseTies(surgeon_id=other, requested_by=me)
    assert access.case_sight(surgeon, case) is Sight.FULL
    assert not access.may_record_wheels(surgeon, case)


def test_a_nurse_assigned_to_the_case_records_its_wheels_and_one_not_on_it_does_not() -> None:
    on_it, elsewhere = uuid.uuid4(), uuid.uuid4()
    case = CaseTies(surgeon_id=uuid.uuid4(), requested_by=uuid.uuid4(), assigned=frozenset({on_it}))
    assigned = Reader(uuid.uuid4(), frozenset({"nurse"}), frozenset({on_it}))
    stranger = Reader(uuid.uuid4(), frozenset({"nurse"}), frozenset({elsewhere}))
    assert access.may_record_wheels(assigned, case)
    assert not access.may_record_wheels(stranger, case)
    assert access.case_sight(stranger, case) is Sight.HIDDEN
    assert access.list_sight(stranger, case) is Sight.MASKED


def test_a_viewer_who_is_also_a_nurse_sees_every_case_and_the_patient_of_their_own() -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    reader = Reader(uuid.uuid4(), frozenset({"viewer", "nurse"}), frozenset({mine}))
    own = CaseTies(surgeon_id=uuid.uuid4(), requested_by=None, assigned=frozenset({mine}))
    other = CaseTies(surgeon_id=uuid.uuid4(), requested_by=None, assigned=frozenset({theirs}))
    assert access.case_sight(reader, own) is Sight.FULL
    assert access.case_sight(reader, other) is Sight.MASKED
