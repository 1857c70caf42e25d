"""The film that is open: opening it (probed, known by content), where to resume it, saving what the
viewer watched and where they are, and the list of recent films."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from core.film_state import film_state
from core.media.probe import MediaInfo, probe
from core.spoiler_window import Range
from core.store import Film, Store, fingerprint

MAX_RECENT = 10
RESUME_MARGIN_S = 5.0  # a film stopped this close to its end starts again from the beginning


@dataclass(frozen=True)
class OpenedFilm:
    info: MediaInfo
    film: Film
    resume_at: float | None  # where the viewer left it (None: from the start)
    watched: list[Range]
    indexed: list[Range]
    indexed_roughly: list[Range] = dataclasses.field(default_factory=list)


class FilmSession:
    """The viewer's side of the open film, stored in the database (position, watched ranges) and in
    the app's settings (recent films, the last folder)."""

    def __init__(self, store: Store, qsettings) -> None:
        self.store, self.qsettings = store, qsettings
        self.film: Film | None = None
        self.info: MediaInfo | None = None

    def open(self, path: Path) -> OpenedFilm:
        """Probe and register the film at ``path`` (MovieBuddyError for a file that is not a film)."""
        info = probe(Path(path))
        film = self.store.ensure_film(fingerprint(info.path), info)
        state = film_state(self.store, film, info.duration_s)
        position = state.position
        if position is not None and position > info.duration_s - RESUME_MARGIN_S:
            position = None
        self.film, self.info = film, info
        self._remember(info.path)
        return OpenedFilm(info, film, position, list(state.watched), list(state.indexed), list(state.indexed_roughly))

    def save(self, position: float | None, watched) -> None:
        """Keep where the viewer is and what they watched (watching only adds)."""
        if self.film is None:
            return
        if position is not None:
            self.store.save_position(self.film.id, position)
        self.store.add_watched(self.film.id, watched)

    def close(self) -> None:
        self.film = self.info = None

    # recent films ---------------------------------------------------------------------------------------
    def recent(self) -> list[str]:
        value = self.qsettings.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def clear_recent(self) -> None:
        self.qsettings.setValue("recent", [])

    def _remember(self, path: Path) -> None:
        recent = [p for p in self.recent() if p != str(path)]
        self.qsettings.setValue("recent", [str(path), *recent][:MAX_RECENT])
        self.qsettings.setValue("last_folder", str(path.parent))
