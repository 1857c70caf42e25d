"""Index coverage with holes, and the order the rest is indexed in (the viewer's part first)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

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
        covered = coverage.add(
            covered,
            START if segment.after is None else segment.after,
            100.0 if segment.until is None else segment.until,
        )
    assert coverage.complete(covered, 100.0)


def test_a_sliver_without_a_sampling_time_is_not_a_hole():
    # the sample film: stored as covered to 150.976, probed as 150.976009 s long
    covered = [(START, 150.976)]
    assert coverage.gaps(covered, 150.976009) == [(150.976, 150.976009)]  # by floats alone
    assert coverage.gaps(covered, 150.976009, fps=1.0) == []
    assert coverage.complete(covered, 150.976009, fps=1.0)
    assert coverage.plan(covered, 150.976009, playhead=149.0, fps=1.0) == []
    # a hole that holds a grid time stays one, also at the end
    assert coverage.gaps([(START, 149.5)], 150.976009, fps=1.0) == [(149.5, 150.976009)]
    assert coverage.grid_left([(START, 149.5)], 150.976009, fps=1.0) == 1
    # the grid time at the very end of a film has no frame to show
    assert coverage.complete([(START, 149.9)], 150.0, fps=1.0)
    assert coverage.grid_left([], 10.0, fps=2.0) == 20


def test_coverage_is_stored_without_rounding():
    covered = [(START, 150.976009)]
    assert coverage.loads(coverage.dumps(covered)) == covered


@given(st.floats(0.05, 50), st.sampled_from([0.5, 1.0, 2.0, 1 / 3]), st.floats(0, 1))
def test_grid_times_count_what_the_sampler_would_pick(duration, fps, cut):
    after = duration * cut
    expected = sum(
        1
        for k in range(int(duration * fps) + 3)
        if after < k / fps + 1e-3 and k / fps < duration - 1e-3 and not k / fps <= after + 1e-9
    )
    got = coverage.grid_times(after, duration, duration, fps)
    assert abs(got - expected) <= 1  # the two differ only for a grid time within a millisecond of a bound
    assert coverage.grid_left([(START, after)], duration, fps) == coverage.grid_times(after, duration, duration, fps)
