"""The allowed window of a question: the whole film, everything before a cutoff, or the ranges watched.

Spoiler-free mode uses what the viewer actually played; a forward seek does not count as watching what
was skipped. The window becomes a SQL condition, so nothing outside it is ever read."""

from __future__ import annotations

from dataclasses import dataclass

from core.timefmt import parse_time

Range = tuple[float, float]


@dataclass(frozen=True)
class Window:
    """``ranges``: sorted, non-overlapping (start, end) seconds; None means the whole film."""

    ranges: tuple[Range, ...] | None = None

    @classmethod
    def whole(cls) -> Window:
        return cls(None)

    @classmethod
    def until(cls, seconds: float) -> Window:
        return cls(((0.0, max(0.0, float(seconds))),))

    @classmethod
    def watched(cls, ranges) -> Window:
        return cls(tuple(merge_ranges(ranges)))

    @property
    def unrestricted(self) -> bool:
        return self.ranges is None

    @property
    def end(self) -> float | None:
        """The latest moment the window allows (the spoiler boundary), None for the whole film."""
        return None if self.ranges is None else (self.ranges[-1][1] if self.ranges else 0.0)

    def contains(self, t: float) -> bool:
        return self.ranges is None or any(a <= t <= b for a, b in self.ranges)

    def covers(self, start: float, end: float) -> bool:
        """Whether the whole of [start, end] lies inside the window (in one of its ranges)."""
        return self.ranges is None or any(a <= start and end <= b for a, b in self.ranges)

    def end_within(self, start: float, end: float) -> float:
        """``end`` of something that starts at ``start`` inside the window, cut at the edge of the range
        it starts in (a line said across the edge is evidence only up to it)."""
        for a, b in self.ranges or ():
            if a <= start <= b:
                return min(end, b)
        return end

    def sql(self, column: str) -> tuple[str, list[float]]:
        """A SQL condition that keeps ``column`` inside the window, and its parameters."""
        if self.ranges is None:
            return "1", []
        if not self.ranges:
            return "0", []
        parts = " OR ".join(f"({column} BETWEEN ? AND ?)" for _ in self.ranges)
        return f"({parts})", [x for r in self.ranges for x in r]

    def clip(self, start: float, end: float) -> Window:
        """The part of this window between ``start`` and ``end``."""
        ranges = self.ranges if self.ranges is not None else ((start, end),)
        kept = tuple((max(a, start), min(b, end)) for a, b in ranges if b >= start and a <= end)
        return Window(kept)

    def as_json(self, duration_s: float | None = None) -> list[list[float]]:
        ranges = self.ranges if self.ranges is not None else ((0.0, duration_s or 0.0),)
        return [[round(a, 3), round(b, 3)] for a, b in ranges]


def merge_ranges(ranges) -> list[Range]:
    """Sort and merge overlapping or touching ranges; drop empty or reversed ones."""
    clean = sorted((float(a), float(b)) for a, b in ranges if b > a)
    merged: list[list[float]] = []
    for a, b in clean:
        if merged and a <= merged[-1][1] + 0.5:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def parse_ranges(text: str) -> list[Range]:
    """``"0-10:00,12:30-15:00"`` -> [(0, 600), (750, 900)] (times as seconds or [h:]mm:ss)."""
    ranges = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "-" not in part:
            raise ValueError(f"not a range: {part!r} (use START-END)")
        a, b = part.split("-", 1)
        start, end = parse_time(a), parse_time(b)
        if end <= start:
            raise ValueError(f"range ends before it starts: {part!r}")
        ranges.append((start, end))
    return ranges
