"""One search box over every analysed film: what is said (full-text BM25 and moment embeddings, fused by
rank, as questions are searched) and what is seen (each scene's measured colours, light and the picture
classifier's concepts gathered into everyday words). Moments come back with film, time and text.

With ``spoiler_free``, a film the viewer has started is searched only in what they watched; films not
started are searched whole (nothing of them has been seen, so there is nothing to spoil yet)."""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import asdict, dataclass

import numpy as np

from core import picture_words
from core.colours import COLOUR_NAMES
from core.question import fts_query
from core.spoiler_window import Window
from core.store import Store
from core.store import vectors as blobs

LIMIT_BY_MEANING = 200  # the closest moments by meaning that take part in the fusion
RRF_K = 60  # reciprocal rank fusion's constant (Cormack et al. 2009)
COLOURS = COLOUR_NAMES
LIGHT = {
    "night": "dark",
    "dark": "dark",
    "nighttime": "dark",
    "day": "bright",
    "daytime": "bright",
    "bright": "bright",
    "sunny": "bright",
}


@dataclass(frozen=True)
class Hit:
    film: str  # the film's title
    path: str
    t: float
    kind: str  # "dialogue" or "seen"
    text: str
    score: float
    film_id: int = 0

    def as_json(self) -> dict:
        data = asdict(self)
        data["t"], data["score"] = round(self.t, 3), round(self.score, 4)
        return data


class LibrarySearch:
    """Keeps the library's moment vectors in memory between searches (read again when they change)."""

    def __init__(self, store: Store, embedder=None) -> None:
        self.store = store
        self._embedder = embedder
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._ids = np.zeros(0, np.int64)
        self._matrix = np.zeros((0, 0), np.float16)

    def search(self, query: str, limit: int = 20, spoiler_free: bool = False) -> list[Hit]:
        films = analysed_films(self.store)
        if not query.strip() or not films:
            return []
        windows = {fid: self._window(fid, spoiler_free) for fid in films}
        hits = self._said(query, films, windows, limit) + self._seen(query, films, windows, limit)
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]

    def _window(self, film_id: int, spoiler_free: bool) -> Window:
        watched = self.store.watched(film_id) if spoiler_free else []
        return Window.watched(watched) if watched else Window.whole()

    # what is said ---------------------------------------------------------------------------------------
    def _said(self, query: str, films: dict, windows: dict, limit: int) -> list[Hit]:
        lines = {row[0]: row for row in self.store.library_lines(windows)}  # id -> (id, film, start, text)
        if not lines:
            return []
        bm25 = self.store.search_library_lines(fts_query(query), windows, limit=200)
        ranked_text = [i for i in sorted(bm25, key=lambda i: -bm25[i]) if i in lines]
        ranked_meaning = self._by_meaning(query, set(lines))
        fused: dict[int, float] = {}
        for ranking in (ranked_text, ranked_meaning):
            for rank, i in enumerate(ranking):
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank)
        best = max(fused.values(), default=1.0)
        out = []
        for i in sorted(fused, key=lambda i: -fused[i])[:limit]:
            _, fid, start, text = lines[i]
            out.append(
                Hit(films[fid][0], films[fid][1], start, "dialogue", " ".join(text.split()), fused[i] / best, fid)
            )
        return out

    def _by_meaning(self, query: str, allowed: set[int]) -> list[int]:
        from core.text_embed import default_embedder

        embedder = self._embedder or default_embedder()
        ids, matrix = self._vectors(embedder)
        if not len(ids):
            return []
        keep = np.isin(ids, np.fromiter(allowed, np.int64, len(allowed)))
        kept_ids = ids[keep]
        scores = matrix[keep].astype(np.float32) @ embedder.embed([query])[0]
        return kept_ids[np.argsort(-scores)[:LIMIT_BY_MEANING]].tolist()

    def _vectors(self, embedder) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            key = self.store.library_vector_state(embedder.id)
            if key != self._key:
                rows = self.store.library_line_vectors(embedder.id)
                self._ids = np.array([r[0] for r in rows], np.int64)
                self._matrix = blobs.unpack_many([r[1] for r in rows], (embedder.dim,), np.float16)
                self._key = key
            return self._ids, self._matrix

    # what is seen -----------------------------------------------------------------------------------------
    def _seen(self, query: str, films: dict, windows: dict, limit: int) -> list[Hit]:
        wanted = seen_words(query)
        if not wanted:
            return []
        out = []
        for fid, start, _end, tags in self.store.library_scenes(windows):
            words = scene_words(tags)
            matched = wanted & words
            if matched:
                score = len(matched) / len(wanted)
                text = "looks like " + ", ".join(tags[:5])
                out.append(Hit(films[fid][0], films[fid][1], start, "seen", text, score, fid))
        out.sort(key=lambda h: -h.score)
        return out[:limit]


def analysed_films(store: Store) -> dict[int, tuple[str, str]]:
    """The library's films with anything indexed: film id -> (title, path)."""
    found: dict[int, tuple[str, str]] = {}
    for f in store.library_files():
        if f.film_id is not None and f.kind != "not_a_film" and store.latest_progress(f.film_id) is not None:
            found.setdefault(f.film_id, (film_name_of(f), f.path))
    return found


def seen_words(query: str) -> set[str]:
    """What a search asks to see: everyday things, colours, light."""
    tokens = set(re.findall(r"[a-z]+", query.lower()))
    return set(picture_words.words_in(query)) | (tokens & COLOURS) | {LIGHT[t] for t in tokens & set(LIGHT)}


def scene_words(tags: list[str]) -> set[str]:
    """A scene's tags (classifier concepts, colours, dark/bright) as everyday words."""
    concepts = _concept_words()
    words = set()
    for tag in tags:
        if tag in COLOURS or tag in ("dark", "bright"):
            words.add(tag)
        else:
            words |= concepts.get(tag, set())
    return words


@functools.lru_cache(maxsize=1)
def _concept_words() -> dict[str, set[str]]:
    """ImageNet label -> the everyday words it belongs to ("school bus" -> {"bus", "vehicle"})."""
    from core.encoders.concepts import imagenet_labels

    labels = imagenet_labels()
    found: dict[str, set[str]] = {}
    for word, ids in picture_words.EVERYDAY.items():
        for i in ids:
            found.setdefault(labels[i], set()).add(word)
    return found


def film_name_of(f) -> str:
    """A library file's film as the viewer reads it: "Title (Year)"."""
    from core.library.titles import FilmName

    return FilmName(f.title or f.path, f.year, "film").display
