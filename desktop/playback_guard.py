"""Does the background indexer make playback drop frames? Measured, not assumed.

mpv's dropped and delayed frame counters also rise without any indexer: software OpenGL under Xvfb, a
slow laptop, a busy machine. Holding the indexer back on every rise stopped indexing altogether there
("Starting to index…" after 98 s of playback). So the guard compares the drop rate while the indexer runs
with the rate while it is held back (the machine's own baseline), and holds it back only when running it
drops clearly more. The baseline is measured by holding the indexer for a while the first time drops
appear, and measured again once it is old, since playback conditions change during a film.

Plain Python (no Qt): the window feeds it mpv's counters every couple of seconds."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

HOLD_S = 10.0  # how long the indexer steps aside, which is also how long a baseline measurement lasts
MEMORY_S = 180.0  # drop rates older than this no longer count: a film's heavy scenes come and go
MIN_BASELINE_S = 8.0  # held time needed before the baseline is trusted
# Running the indexer is blamed for drops when it drops clearly more than the baseline: at least half as
# many again, and at least one frame in 10 s more (a single extra drop is within the counters' noise).
RATIO = 1.5
EXTRA_PER_S = 0.1


@dataclass
class _Span:
    seconds: float
    drops: int
    indexing: bool  # whether the indexer ran during this span (else it was held back or paused)


class PlaybackGuard:
    """Feed it ``observe(now, drops, indexing)``; it answers how many seconds to hold the indexer back."""

    def __init__(self) -> None:
        self._spans: deque[_Span] = deque()
        self._last: tuple[float, int, bool] | None = None

    def reset(self) -> None:
        """A new film (or playback paused): counters start afresh, the measured rates stay."""
        self._last = None

    def observe(self, now: float, drops: int, indexing: bool) -> float:
        """``drops``: mpv's dropped + delayed frames so far; ``indexing``: whether the indexer is running
        (not held back, not paused) now. Returns the seconds to hold the indexer back (0: let it run)."""
        last, self._last = self._last, (now, drops, indexing)
        if last is None or drops < last[1] or now <= last[0]:
            return 0.0  # first look, or mpv's counters started again with a new file
        new_drops = drops - last[1]
        self._remember(_Span(now - last[0], new_drops, last[2]))
        if not (indexing and new_drops > 0):
            return 0.0
        baseline = self.rate(indexing=False)
        if baseline is None:
            return HOLD_S  # measure what playback drops without the indexer
        running = self.rate(indexing=True)
        if running is not None and running > baseline * RATIO + EXTRA_PER_S:
            return HOLD_S
        return 0.0

    def rate(self, indexing: bool) -> float | None:
        """Drops per second over the remembered spans with the indexer running (or held); None when too
        little time was seen that way to say."""
        seconds = sum(s.seconds for s in self._spans if s.indexing == indexing)
        if seconds < MIN_BASELINE_S:
            return None
        return sum(s.drops for s in self._spans if s.indexing == indexing) / seconds

    def _remember(self, span: _Span) -> None:
        self._spans.append(span)
        total = sum(s.seconds for s in self._spans)
        while self._spans and total - self._spans[0].seconds >= MEMORY_S:
            total -= self._spans.popleft().seconds
