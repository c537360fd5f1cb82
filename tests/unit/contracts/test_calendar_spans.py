"""Half-open UTC spans: construction rules, merge, subtract, clip and intersect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from contracts.calendar.spans import Span, clip, intersect, merge, subtract
from hypothesis import given
from hypothesis import strategies as st

BASE = datetime(2027, 1, 4, tzinfo=UTC)


def s(start_hour: float, end_hour: float) -> Span:
    return Span(BASE + timedelta(hours=start_hour), BASE + timedelta(hours=end_hour))


def test_a_span_must_end_after_it_starts():
    with pytest.raises(ValueError, match="after start"):
        s(3, 3)
    with pytest.raises(ValueError, match="after start"):
        s(4, 3)


def test_a_span_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="no time zone"):
        Span(datetime(2027, 1, 4, 8), datetime(2027, 1, 4, 9))


def test_a_span_given_another_offset_is_kept_in_utc():
    plus_two = timezone(timedelta(hours=2))
    span = Span(
        datetime(2027, 1, 4, 10, tzinfo=plus_two), datetime(2027, 1, 4, 11, tzinfo=plus_two)
    )
    assert span.start.utcoffset() == timedelta(0)
    assert span == s(8, 9)


def test_minutes_counts_whole_minutes_of_a_span():
    assert s(8, 9.5).minutes == 90
    assert Span(BASE, BASE + timedelta(seconds=119)).minutes == 1


def test_merging_nothing_gives_nothing():
    assert merge([]) == []


def test_merge_sorts_and_joins_overlapping_and_touching_spans():
    assert merge([s(10, 12), s(1, 2), s(11, 13), s(2, 3), s(5, 6)]) == [
        s(1, 3),
        s(5, 6),
        s(10, 13),
    ]


def test_merge_swallows_a_span_inside_another():
    assert merge([s(1, 10), s(2, 3)]) == [s(1, 10)]


def test_subtract_cuts_holes_out_of_the_middle_and_the_edges():
    assert subtract([s(0, 10)], [s(2, 3), s(-1, 1), s(9, 12)]) == [s(1, 2), s(3, 9)]


def test_subtract_leaves_nothing_when_holes_cover_everything():
    assert subtract([s(1, 2), s(3, 4)], [s(0, 5)]) == []


def test_subtract_of_touching_holes_removes_nothing_outside_them():
    assert subtract([s(2, 4)], [s(0, 2), s(4, 6)]) == [s(2, 4)]


def test_subtract_without_holes_returns_the_spans_merged():
    assert subtract([s(2, 3), s(1, 2)], []) == [s(1, 3)]


def test_one_hole_reaching_over_several_spans_cuts_each_of_them():
    assert subtract([s(0, 2), s(3, 5), s(6, 8)], [s(1, 7)]) == [s(0, 1), s(7, 8)]


def test_subtract_from_nothing_is_nothing():
    assert subtract([], [s(0, 1)]) == []


def test_clip_keeps_only_the_parts_inside_the_window():
    assert clip([s(-2, 1), s(3, 4), s(9, 12)], s(0, 10)) == [s(0, 1), s(3, 4), s(9, 10)]


def test_clip_drops_spans_that_only_touch_the_window():
    assert clip([s(-2, 0), s(10, 11)], s(0, 10)) == []


def test_intersect_keeps_time_covered_by_both_lists():
    assert intersect([s(0, 4), s(6, 10)], [s(3, 7), s(9, 9.5)]) == [
        s(3, 4),
        s(6, 7),
        s(9, 9.5),
    ]


def test_intersect_with_nothing_is_nothing():
    assert intersect([s(0, 4)], []) == []


spans = st.lists(
    st.tuples(st.integers(-50, 50), st.integers(1, 20)).map(lambda p: s(p[0], p[0] + p[1])),
    max_size=8,
)


@given(spans, spans)
def test_subtracting_leaves_parts_of_the_spans_that_never_overlap_the_holes(x, y):
    rest = subtract(merge(x), y)
    assert intersect(rest, y) == []
    assert subtract(rest, x) == []
    assert rest == merge(rest)
