"""Booleans are found where a JSON Schema asks for numbers, however deep, and nowhere else."""

from __future__ import annotations

from pydantic import BaseModel
from servicekit.json_numbers import booleans_for_numbers


class Weights(BaseModel):
    late_day: int = 10
    gap: float | None = None


class Case(BaseModel):
    minutes: int
    locked: bool = False


class Problem(BaseModel):
    weights: Weights = Weights()
    cases: list[Case] = []
    extra: dict[str, int] = {}


SCHEMA = Problem.model_json_schema()


def test_finds_booleans_in_number_fields_nested_in_objects_lists_and_maps():
    data = {
        "weights": {"late_day": True, "gap": False},
        "cases": [{"minutes": 30}, {"minutes": False}],
        "extra": {"a": True},
    }
    assert sorted(booleans_for_numbers(SCHEMA, data)) == [
        "cases[1].minutes",
        "extra.a",
        "weights.gap",
        "weights.late_day",
    ]


def test_leaves_booleans_in_boolean_fields_and_numbers_in_number_fields_alone():
    data = {"weights": {"late_day": 0, "gap": 0.5}, "cases": [{"minutes": 1, "locked": True}]}
    assert booleans_for_numbers(SCHEMA, data) == []


def test_unknown_fields_are_left_to_the_model():
    assert booleans_for_numbers(SCHEMA, {"nobody": True, "cases": "not a list"}) == []
