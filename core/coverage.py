"""Which parts of a film are indexed, and in which order to index the rest.

The indexer need not run from the start to the end: in the app it starts where the viewer is, so a
film's index can have holes. Coverage is a list of ranges ``(after, until)``: every sampling-grid time
``t`` with ``after < t <= until`` has its frame stored. ``after`` is exclusive so that a range that
resumes where another stopped continues its sampling grid exactly (the rule of
:func:`core.media.frames.sample_frames`); the film's start is ``after = START``.

What is left to index is counted on the sampling grid, never by comparing float ends: a hole that holds
no grid time before the film's end (say, between a last frame at 150.0 s, a range stored as ending at
150.976 and a probed duration of 150.976009 s) holds no frame either, so it is not a hole. That keeps
"complete" independent of the last decimals of a duration, and gives the indexer a measure of progress
that must fall with every stretch it indexes (:func:`grid_left`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

START = -1.0  # "before the first frame": a range that starts here covers the film's first frame
EPS = 1e-6
GRID_EPS = 1e-3  # the sampler's tolerance for "at or after a grid time" (core.media.frames.EPS)
LOOKBEHIND_S = 30.0  # "what just happened?" needs the moments just before the playhead
Range = tuple[float, float]


def add(covered: list[Range], after: float, until: float) -> list[Range]:
    """``covered`` with ``(after, until]`` added; touching or overlapping ranges are merged."""
    if until <= after:
        return sorted(covered)
    merged: list[Range] = []
    for a, b in sorted([*covered, (after, until)]):
        if merged and a <= merged[-1][1] + EPS:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def union(ranges, more) -> list[Range]:
    """``ranges`` and ``more`` (both lists of (start, end)) merged into one sorted list."""
    merged: list[Range] = sorted(ranges)
    for a, b in more:
        merged = add(merged, a, b)
    return merged


def subtract(ranges, minus) -> list[Range]:
    """The parts of ``ranges`` outside every range of ``minus`` (both lists of (start, end))."""
    out: list[Range] = []
    for a, b in sorted(ranges):
        start = a
        for x, y in sorted(minus):
            if y <= start or x >= b:
                continue
            if x > start:
                out.append((start, x))
            start = max(start, y)
        if b > start + EPS:
            out.append((start, b))
    return out


def prefix_end(covered: list[Range]) -> float | None:
    """How far the index reaches without a hole from the film's start (None if the start is missing)."""
    for a, b in sorted(covered):
        if a <= START + EPS:
            return b
    return None


def gaps(covered: list[Range], duration_s: float, fps: float | None = None) -> list[Range]:
    """The ranges still to index, as ``(after, until)`` (the last gap runs to the film's end, given as
    ``duration_s``). With ``fps``, only gaps that hold a sampling-grid time before the end count."""
    holes: list[Range] = []
    cursor = START
    for a, b in sorted(covered):
        if a > cursor + EPS:
            holes.append((cursor, min(a, duration_s)))
        cursor = max(cursor, b)
    if cursor < duration_s - EPS:
        holes.append((cursor, duration_s))
    holes = [(a, b) for a, b in holes if b > a + EPS]
    if fps is not None:
        holes = [(a, b) for a, b in holes if grid_times(a, b, duration_s, fps)]
    return holes


def grid_times(after: float, until: float, duration_s: float, fps: float) -> int:
    """How many sampling-grid times ``k / fps`` lie in ``(after, until]`` and before the film's end
    (a frame is shown from its time on, so none starts at the very end)."""
    first = math.floor(max(after, START) * fps + GRID_EPS) + 1  # the first k with k / fps > after
    first = max(first, 0)
    last = min(math.floor(until * fps + GRID_EPS), math.ceil(duration_s * fps - GRID_EPS) - 1)
    return max(0, last - first + 1)


def grid_left(covered: list[Range], duration_s: float, fps: float) -> int:
    """How many sampling-grid times are not covered yet: the indexer's measure of work left, which
    every stretch it indexes must lower (or it stops)."""
    return sum(grid_times(a, b, duration_s, fps) for a, b in gaps(covered, duration_s))


def complete(covered: list[Range], duration_s: float, fps: float | None = None) -> bool:
    return not gaps(covered, duration_s, fps)


@dataclass(frozen=True)
class Segment:
    """One stretch to index: frames after ``after`` up to ``until`` (None: to the film's end)."""

    after: float | None
    until: float | None

    def contains(self, t: float) -> bool:
        lo = START if self.after is None else self.after
        return lo < t and (self.until is None or t <= self.until)


def plan(
    covered: list[Range],
    duration_s: float,
    playhead: float | None = None,
    lookbehind_s: float = LOOKBEHIND_S,
    fps: float | None = None,
) -> list[Segment]:
    """The segments still to index, the part at and after the playhead first (from a little before it,
    so that what just happened is covered too), then the rest from the start. With ``fps``, a segment
    that holds no sampling-grid time is left out."""
    holes = gaps(covered, duration_s, fps)
    if playhead is None:
        ahead, behind = holes, list[tuple[float, float]]()
    else:
        start = max(START, playhead - lookbehind_s)
        ahead, behind = [], []
        for a, b in holes:
            if b <= start:
                behind.append((a, b))
            elif a >= start:
                ahead.append((a, b))
            else:  # the hole holds the playhead: split it there
                ahead.append((start, b))
                behind.append((a, start))
    if fps is not None:
        ahead = [(a, b) for a, b in ahead if grid_times(a, b, duration_s, fps)]
        behind = [(a, b) for a, b in behind if grid_times(a, b, duration_s, fps)]
    return [_segment(a, b, duration_s) for a, b in ahead + behind]


def _segment(after: float, until: float, duration_s: float) -> Segment:
    return Segment(after=None if after <= START + EPS else after, until=None if until >= duration_s - EPS else until)


def dumps(covered: list[Range]) -> str:
    # Full precision: an end rounded below the film's probed duration used to leave a sliver of a hole
    # at the end that the indexer planned again and again.
    return json.dumps([[float(a), float(b)] for a, b in covered])


def loads(text: str | None) -> list[Range]:
    return [(float(a), float(b)) for a, b in json.loads(text)] if text else []


def describe(covered: list[Range], duration_s: float) -> list[Range]:
    """Coverage as viewer-facing (start, end) seconds within the film."""
    return [(max(0.0, a), min(b, duration_s)) for a, b in sorted(covered)]
