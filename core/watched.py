"""What the viewer actually watched: time ranges played, recorded from the player's clock.

Playing extends the current range; a seek (a jump larger than playback could make) starts a new one,
so skipping ahead never counts as watching what was skipped. These ranges are the spoiler-free window."""

from __future__ import annotations

from core.store import Store
from core.window import Range, Window, merge_ranges

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


def load_watched(store: Store, film_id: int) -> list[Range]:
    return [(r[0], r[1]) for r in store.conn.execute(
        'SELECT start, "end" FROM watched WHERE film_id = ? ORDER BY start', (film_id,))]


def save_watched(store: Store, film_id: int, ranges) -> None:
    """Replace the film's watched ranges (merged with what is stored: watching only adds)."""
    merged = merge_ranges([*load_watched(store, film_id), *ranges])
    with store.transaction() as conn:
        conn.execute("DELETE FROM watched WHERE film_id = ?", (film_id,))
        conn.executemany('INSERT INTO watched (film_id, start, "end") VALUES (?, ?, ?)',
                         [(film_id, a, b) for a, b in merged])


def save_position(store: Store, film_id: int, position_s: float) -> None:
    with store.transaction() as conn:
        conn.execute("""INSERT INTO positions (film_id, position_s) VALUES (?, ?)
                        ON CONFLICT (film_id) DO UPDATE SET position_s = excluded.position_s,
                            updated_at = datetime('now')""", (film_id, float(position_s)))


def load_position(store: Store, film_id: int) -> float | None:
    row = store.conn.execute("SELECT position_s FROM positions WHERE film_id = ?", (film_id,)).fetchone()
    return row[0] if row else None
