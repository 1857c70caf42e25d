"""The library as the viewer sees it: each film with its title, year, length, how much was watched and
its analysis status (new, queued, analysing with progress, analysed, failed with its reason)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from core.film_state import index_coverage
from core.library.titles import FilmName
from core.store import Store
from core.store.library import LibraryFile


@dataclass(frozen=True)
class LibraryEntry:
    path: str
    title: str
    year: int | None
    duration_s: float | None
    kind: str  # "film", "sample", "trailer", "extra", "not_a_film"
    status: str  # "new", "queued", "analysing", "analysed", "failed", "cancelled", "not a film"
    progress: float  # the share of the film indexed, 0..1
    problem: str | None = None
    watched_s: float = 0.0
    film_id: int | None = None

    @property
    def display_title(self) -> str:
        return FilmName(self.title, self.year, self.kind).display

    def as_json(self) -> dict:
        data = asdict(self)
        data["duration_s"] = None if self.duration_s is None else round(self.duration_s, 3)
        data["progress"] = round(self.progress, 3)
        return data


def entries(store: Store, include_extras: bool = True, include_skipped: bool = False) -> list[LibraryEntry]:
    """Every file of the library with its status, films first by title."""
    queue = {item.path: item for item in store.queue_items()}
    found = []
    for f in store.library_files():
        if (f.kind in ("sample", "trailer", "extra") and not include_extras) or (
            f.kind == "not_a_film" and not include_skipped
        ):
            continue
        found.append(entry(store, f, queue.get(f.path)))
    return sorted(found, key=lambda e: (e.kind != "film", e.title.lower(), e.year or 0, e.path))


def entry(store: Store, f: LibraryFile, queued=None) -> LibraryEntry:
    """One file's entry (``queued``: its analysis_queue item, if any)."""
    progress, complete, watched = _index_state(store, f)
    if f.kind == "not_a_film":
        status = "not a film"
    elif complete:
        status = "analysed"
    elif queued is not None and queued.state in ("queued", "analysing", "failed", "cancelled"):
        status = queued.state
    else:
        status = "new"
    problem = f.problem if f.kind == "not_a_film" else (queued.problem if queued is not None else None)
    return LibraryEntry(
        f.path,
        f.title or f.path.rsplit("/", 1)[-1],
        f.year,
        f.duration_s,
        f.kind,
        status,
        1.0 if complete else progress,
        problem,
        watched,
        f.film_id,
    )


def _index_state(store: Store, f: LibraryFile) -> tuple[float, bool, float]:
    """(share indexed, complete, seconds watched) of the file's film."""
    film = store.film(f.film_id) if f.film_id is not None else None
    if film is None:
        return 0.0, False, 0.0
    watched = sum(b - a for a, b in store.watched(film.id))
    indexed, complete = index_coverage(store, film)
    done = sum(b - a for a, b in indexed)
    return (1.0 if complete else done / film.duration_s if film.duration_s else 0.0), complete, watched
