"""Which parts of a film are indexed, and in which order to index the rest.

The indexer need not run from the start to the end: in the app it starts where the viewer is, so a
film's index can have holes. Coverage is a list of ranges ``(after, until)``: every sampling-grid time
``t`` with ``after < t <= until`` has its frame stored. ``after`` is exclusive so that a range that
resumes where another stopped continues its sampling grid exactly (the rule of
:func:`core.media.frames.sample_frames`); the film's start is ``after = START``."""

from __future__ import annotations

import json
from dataclasses import dataclass

START = -1.0  # "before the first frame": a range that starts here covers the film's first frame
EPS = 1e-6
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


def prefix_end(covered: list[Range]) -> float | None:
    """How far the index reaches without a hole from the film's start (None if the start is missing)."""
    for a, b in sorted(covered):
        if a <= START + EPS:
            return b
    return None


def gaps(covered: list[Range], duration_s: float) -> list[Range]:
    """The ranges still to index, as ``(after, until)`` with ``until = None``-free ends (the last gap
    runs to the film's end, given as ``duration_s``)."""
    holes: list[Range] = []
    cursor = START
    for a, b in sorted(covered):
        if a > cursor + EPS:
            holes.append((cursor, min(a, duration_s)))
        cursor = max(cursor, b)
    if cursor < duration_s - EPS:
        holes.append((cursor, duration_s))
    return [(a, b) for a, b in holes if b > a + EPS]


def complete(covered: list[Range], duration_s: float) -> bool:
    return not gaps(covered, duration_s)


@dataclass(frozen=True)
class Segment:
    """One stretch to index: frames after ``after`` up to ``until`` (None: to the film's end)."""

    after: float | None
    until: float | None

    def contains(self, t: float) -> bool:
        lo = START if self.after is None else self.after
        return lo < t and (self.until is None or t <= self.until)


def plan(covered: list[Range], duration_s: float, playhead: float | None = None,
         lookbehind_s: float = LOOKBEHIND_S) -> list[Segment]:
    """The segments still to index, the part at and after the playhead first (from a little before it,
    so that what just happened is covered too), then the rest from the start."""
    holes = gaps(covered, duration_s)
    if playhead is None:
        ahead, behind = holes, []
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
    return [_segment(a, b, duration_s) for a, b in ahead + behind]


def _segment(after: float, until: float, duration_s: float) -> Segment:
    return Segment(after=None if after <= START + EPS else after,
                   until=None if until >= duration_s - EPS else until)


def dumps(covered: list[Range]) -> str:
    return json.dumps([[round(a, 3), round(b, 3)] for a, b in covered])


def loads(text: str | None) -> list[Range]:
    return [(float(a), float(b)) for a, b in json.loads(text)] if text else []


def describe(covered: list[Range], duration_s: float) -> list[Range]:
    """Coverage as viewer-facing (start, end) seconds within the film."""
    return [(max(0.0, a), min(b, duration_s)) for a, b in sorted(covered)]
