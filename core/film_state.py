"""A film's state as every part of the app shows it: how much is indexed (and whether all of it), its
frames, dialogue and scenes, what the viewer watched and where they left off. ``moviebuddy status``, the
app's status bar and seek bar, and answers on a partial index all read it from here."""

from __future__ import annotations

from dataclasses import dataclass

from core import coverage
from core.spoiler_window import Range
from core.store import Film, Store
from core.timefmt import clock


@dataclass(frozen=True)
class FilmState:
    duration_s: float
    indexed: tuple[Range, ...] = ()  # the parts of the picture indexed (start, end)
    complete: bool = False
    indexed_until_s: float | None = None  # the end of the indexed part that starts at 0:00
    encoder_id: str | None = None
    frames: int = 0
    scenes: int = 0
    dialogue_lines: int = 0
    dialogue_sources: tuple[dict, ...] = ()
    watched: tuple[Range, ...] = ()
    position: float | None = None
    problem: str | None = None  # why indexing stopped last time (a truncated file, ...), if it did

    @property
    def indexed_s(self) -> float:
        return sum(b - a for a, b in self.indexed)

    def summary(self) -> str:
        """One line for the status bar."""
        if self.complete:
            return f"Indexed ✓ {self.frames} frames, {self.scenes} scenes"
        if not self.indexed_s:
            return "Not indexed yet"
        return f"Indexed {clock(self.indexed_s)} of {clock(self.duration_s)}"

    def status_json(self) -> dict:
        """The object ``moviebuddy status --json`` prints."""
        return {
            "frames": self.frames,
            "duration_s": round(self.duration_s, 3),
            "indexed_until_s": self.indexed_until_s,
            "complete": self.complete,
            "dialogue_lines": self.dialogue_lines,
            "dialogue_sources": list(self.dialogue_sources),
            "scenes": self.scenes,
            "problem": self.problem,
        }


def index_coverage(store: Store, film: Film) -> tuple[tuple[Range, ...], bool]:
    """(the indexed parts of the picture, whether the whole film is indexed): what answers need to say
    which parts they could see."""
    progress = store.latest_progress(film.id)
    if progress is None:
        return (), False
    return tuple(coverage.describe(coverage.loads(progress["covered"]), film.duration_s)), bool(progress["complete"])


def film_state(store: Store, film: Film | None, duration_s: float | None = None) -> FilmState:
    """The state of ``film`` (None: a film not in the store yet, all zeros)."""
    if film is None:
        return FilmState(duration_s=duration_s or 0.0)
    progress = store.latest_progress(film.id)
    indexed, complete = index_coverage(store, film)
    encoder_id = progress["encoder_id"] if progress else None
    return FilmState(
        duration_s=duration_s if duration_s is not None else film.duration_s,
        indexed=indexed,
        complete=complete,
        indexed_until_s=progress["indexed_until_s"] if progress else None,
        encoder_id=encoder_id,
        frames=store.frame_count(film.id, encoder_id) if encoder_id else 0,
        scenes=len(store.scenes(film.id, encoder_id)) if encoder_id else 0,
        dialogue_lines=store.dialogue_count(film.id),
        dialogue_sources=tuple(store.dialogue_sources(film.id)),
        watched=tuple(store.watched(film.id)),
        position=store.position(film.id),
        problem=(progress["last_error"] or None) if progress and not complete else None,
    )
