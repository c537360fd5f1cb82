"""A staff member's part days (a maximum per weekday) and on-call days (per date), through the
gateway: stored, read back in order, and refused when they name no day or no possible maximum."""

from __future__ import annotations

import pytest

from tests.e2e.resources.conftest import (
    STAFF,
    assert_problem,
    create_staff,
    if_match,
    staff_body,
)

pytestmark = pytest.mark.e2e


async def test_stores_part_days_and_on_call_days_and_reads_them_back_in_order(
    gateway, coordinator, admin
):
    member = await create_staff(
        gateway,
        coordinator,
        max_minutes_per_day=480,
        max_minutes_by_weekday={"friday": 240, "monday": 300},
    )
    assert member["max_minutes_by_weekday"] == {"monday": 300, "friday": 240}
    assert member["max_minutes_by_date"] == {}
    path = f"{STAFF}/{member['staff_id']}"

    changed = await gateway.put(
        path,
        json=staff_body(
            name=member["name"],
            max_minutes_by_weekday={"friday": 240},
            max_minutes_by_date={"2027-03-12": 120, "2027-03-05": 60},
        ),
        headers=if_match(coordinator, member),
    )

    assert changed.status_code == 200, changed.text
    again = (await gateway.get(path, headers=coordinator)).json()
    assert again["max_minutes_by_weekday"] == {"friday": 240}
    assert list(again["max_minutes_by_date"].items()) == [("2027-03-05", 60), ("2027-03-12", 120)]
    await gateway.post(f"{path}/retire", headers=if_match(admin, again))


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"max_minutes_by_weekday": {"fri": 240}}, "max_minutes_by_weekday"),
        ({"max_minutes_by_weekday": {"friday": 0}}, "max_minutes_by_weekday"),
        ({"max_minutes_by_weekday": {"friday": 1441}}, "max_minutes_by_weekday"),
        ({"max_minutes_by_weekday": {"friday": "half"}}, "max_minutes_by_weekday"),
        ({"max_minutes_by_weekday": [240]}, "max_minutes_by_weekday"),
        ({"max_minutes_by_date": {"2027-02-30": 120}}, "max_minutes_by_date"),
        ({"max_minutes_by_date": {"3027-03-05": 120}}, "max_minutes_by_date"),
        ({"max_minutes_by_date": {"2027-03-05": 0}}, "max_minutes_by_date"),
        ({"max_minutes_by_date": {"2027-03-05": 1.5}}, "max_minutes_by_date"),
    ],
)
async def test_refuses_a_daily_maximum_that_names_no_day_or_no_possible_maximum(
    gateway, admin, changes, says
):
    response = await gateway.post(STAFF, json=staff_body(**changes), headers=admin)

    assert_problem(response, 422, says)
