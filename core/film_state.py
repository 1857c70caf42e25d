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
    # of those, the parts only the rough pass has seen so far (its key frames: core.media.keyframes)
    indexed_roughly: tuple[Range, ...] = ()
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
        rough = sum(b - a for a, b in self.indexed_roughly)
        if rough:
            fine = self.indexed_s - rough
            return f"Indexed roughly {clock(rough)}, fully {clock(fine)} of {clock(self.duration_s)}"
        return f"Indexed {clock(self.indexed_s)} of {clock(self.duration_s)}"

    def status_json(self) -> dict:
        """The object ``moviebuddy status --json`` prints."""
        return {
            "frames": self.frames,
            "duration_s": round(self.duration_s, 3),
            "indexed_until_s": self.indexed_until_s,
            "complete": self.complete,
            "indexed": [[round(a, 3), round(b, 3)] for a, b in self.indexed],
            "indexed_roughly": [[round(a, 3), round(b, 3)] for a, b in self.indexed_roughly],
            "dialogue_lines": self.dialogue_lines,
            "dialogue_sources": list(self.dialogue_sources),
            "scenes": self.scenes,
            "problem": self.problem,
        }


def index_coverage(store: Store, film: Film) -> tuple[tuple[Range, ...], bool]:
    """(the indexed parts of the picture, whether the whole film is indexed): what answers need to say
    which parts they could see. The parts seen only by the rough pass count as indexed."""
    indexed, _, complete = coverage_of(store, film)
    return indexed, complete


def coverage_of(store: Store, film: Film) -> tuple[tuple[Range, ...], tuple[Range, ...], bool]:
    """(indexed parts, of those the parts indexed only roughly, complete)."""
    progress = store.latest_progress(film.id)
    if progress is None:
        return (), (), False
    full = coverage.loads(progress["covered"]) if progress["fps"] > 0 else []
    rough = store.rough_covered(film.id, progress["encoder_id"])
    full_parts = coverage.describe(full, film.duration_s)
    rough_parts = coverage.subtract(coverage.describe(rough, film.duration_s), full_parts)
    indexed = coverage.union(full_parts, rough_parts)
    complete = bool(progress["complete"]) and progress["fps"] > 0
    return tuple(indexed), tuple(rough_parts), complete


def film_state(store: Store, film: Film | None, duration_s: float | None = None) -> FilmState:
    """The state of ``film`` (None: a film not in the store yet, all zeros)."""
    if film is None:
        return FilmState(duration_s=duration_s or 0.0)
    progress = store.latest_progress(film.id)
    indexed, rough, complete = coverage_of(store, film)
    encoder_id = progress["encoder_id"] if progress else None
    return FilmState(
        duration_s=duration_s if duration_s is not None else film.duration_s,
        indexed=indexed,
        indexed_roughly=rough,
        complete=complete,
        indexed_until_s=progress["indexed_until_s"] if progress and progress["fps"] > 0 else None,
        encoder_id=encoder_id,
        frames=store.frame_count(film.id, encoder_id) if encoder_id else 0,
        scenes=len(store.scenes(film.id, encoder_id)) if encoder_id else 0,
        dialogue_lines=store.dialogue_count(film.id),
        dialogue_sources=tuple(store.dialogue_sources(film.id)),
        watched=tuple(store.watched(film.id)),
        position=store.position(film.id),
        problem=(progress["last_error"] or None) if progress and not complete else None,
    )
