"""What the viewer actually watched: time ranges played, recorded from the player's clock.

Playing extends the current range; a seek (a jump larger than playback could make) starts a new one,
so skipping ahead never counts as watching what was skipped. These ranges are the spoiler-free window."""

from __future__ import annotations

from core.spoiler_window import Range, Window, merge_ranges

MAX_STEP_S = 2.0  # the player reports its clock several times a second; more than this is a jump


class WatchTracker:
    def __init__(self, ranges=()) -> None:
        self.ranges: list[Range] = merge_ranges(ranges)
        self._last: float | None = None

    def update(self, t: float | None, playing: bool) -> bool:
        """Feed the playback clock; returns True when the watched ranges grew."""
        if t is None or not playing:
            self._last = None
            return False
        last, self._last = self._last, t
        if last is None or not 0.0 < t - last <= MAX_STEP_S:
            return False
        before = self.ranges
        self.ranges = merge_ranges([*self.ranges, (last, t)])
        return self.ranges != before

    def seeked(self) -> None:
        """The playhead jumped: the next clock reading starts a new range."""
        self._last = None

    def window(self) -> Window:
        return Window.watched(self.ranges)

    @property
    def watched_s(self) -> float:
        return sum(b - a for a, b in self.ranges)
