"""Values of a JSON type the schema does not admit are found, however deep, and nowhere else."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from servicekit.json_types import mistyped


class Weights(BaseModel):
    late_day: int = 10
    gap: float | None = None


class Case(BaseModel):
    minutes: int
    locked: bool = False
    start: datetime | None = None
    roles: list[str] = Field(default=[], json_schema_extra={"uniqueItems": True})


class Problem(BaseModel):
    weights: Weights = Weights()
    cases: list[Case] = []
    extra: dict[str, int] = {}


SCHEMA = Problem.model_json_schema()


def test_finds_booleans_for_numbers_and_numbers_for_text_in_objects_lists_and_maps():
    data = {
        "weights": {"late_day": True, "gap": False},
        "cases": [{"minutes": 30}, {"minutes": False, "start": 0}],
        "extra": {"a": True},
    }
    assert sorted(mistyped(SCHEMA, data)) == [
        "cases[1].minutes",
        "cases[1].start",
        "extra.a",
        "weights.gap",
        "weights.late_day",
    ]


def test_leaves_values_of_an_admitted_type_alone_an_integer_being_a_number():
    data = {
        "weights": {"late_day": 0, "gap": 1},
        "cases": [{"minutes": 1, "locked": True, "start": "2027-01-01T08:00:00Z"}],
    }
    assert mistyped(SCHEMA, data) == []


def test_unknown_fields_are_left_to_the_model_but_text_for_a_list_is_found():
    assert mistyped(SCHEMA, {"nobody": True}) == []
    assert mistyped(SCHEMA, {"cases": "not a list"}) == ["cases"]


def test_a_value_repeated_in_a_unique_items_array_is_found():
    assert mistyped(SCHEMA, {"cases": [{"minutes": 1, "roles": ["a", "b", "a"]}]}) == [
        "cases[0].roles"
    ]
    assert mistyped(SCHEMA, {"cases": [{"minutes": 1, "roles": ["a", "b"]}]}) == []
