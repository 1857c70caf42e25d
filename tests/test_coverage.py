"""Index coverage with holes, and the order the rest is indexed in (the viewer's part first)."""

from __future__ import annotations

from hypothesis import given, strategies as st

from core import coverage
from core.coverage import START, Segment


def test_ranges_merge_when_they_touch():
    covered = coverage.add([], START, 10.0)
    covered = coverage.add(covered, 20.0, 30.0)
    assert covered == [(START, 10.0), (20.0, 30.0)]
    assert coverage.prefix_end(covered) == 10.0
    assert coverage.gaps(covered, 40.0) == [(10.0, 20.0), (30.0, 40.0)]
    covered = coverage.add(covered, 10.0, 20.0)
    assert covered == [(START, 30.0)] and coverage.prefix_end(covered) == 30.0
    assert coverage.complete(coverage.add(covered, 30.0, 40.0), 40.0)


def test_plan_starts_just_before_the_playhead_then_goes_back_to_the_start():
    segments = coverage.plan([], 600.0, playhead=300.0)
    assert segments == [Segment(270.0, None), Segment(None, 270.0)]
    assert coverage.plan([], 600.0) == [Segment(None, None)]
    # a playhead inside indexed film: the next hole after it comes first
    covered = [(START, 100.0), (200.0, 400.0)]
    assert coverage.plan(covered, 600.0, playhead=250.0) == [Segment(400.0, None), Segment(100.0, 200.0)]


@given(st.lists(st.tuples(st.floats(-1, 100), st.floats(0, 30)), max_size=8), st.floats(0, 100))
def test_plan_and_coverage_partition_the_film(spans, playhead):
    covered: list = []
    for after, length in spans:
        covered = coverage.add(covered, after, min(100.0, after + length))
    segments = coverage.plan(covered, 100.0, playhead)
    for segment in segments:  # nothing planned is covered already
        lo = START if segment.after is None else segment.after
        hi = 100.0 if segment.until is None else segment.until
        assert hi > lo
        assert not any(a < (lo + hi) / 2 <= b for a, b in covered)
    for segment in segments:
        covered = coverage.add(covered, START if segment.after is None else segment.after,
                               100.0 if segment.until is None else segment.until)
    assert coverage.complete(covered, 100.0)
