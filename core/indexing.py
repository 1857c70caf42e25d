"""Index a film: sampled frames -> two-token form in SQLite, plus its dialogue and scenes.

A generator of :class:`Progress` events ending in one :class:`Done`; it honours a cancel token between
batches, commits each batch in one transaction together with how far it got, and resumes there."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from core import encoders
from core.colours import frame_colours
from core.errors import SubtitleError, UnusableMedia
from core.events import CancelToken, Done, Progress
from core.media.frames import DecodeStrategy, choose_strategy, sample_frames
from core.media.probe import MediaInfo, probe
from core.media import subtitles
from core.prefetch import prefetch
from core.scenes import derive_scenes
from core.store import Film, Store, fingerprint

log = logging.getLogger(__name__)

DEFAULT_FPS = 1.0
BATCH = 16


@dataclass(frozen=True)
class IndexResult:
    """What an indexing run left in the store."""

    film: Film
    encoder_id: str
    frames: int
    added: int
    dialogue_lines: int
    bytes_per_frame: float
    seconds: float
    complete: bool
    strategy: str = ""

    def as_json(self) -> dict:
        return {"movie": self.film.as_json(), "frames": self.frames, "dialogue_lines": self.dialogue_lines,
                "bytes_per_frame": round(self.bytes_per_frame, 1), "seconds": round(self.seconds, 3),
                "complete": self.complete}


def index_film(
    store: Store,
    path: str | Path,
    *,
    encoder=None,
    vision: str | None = None,
    fps: float = DEFAULT_FPS,
    subs: str | Path | None = None,
    cancel: CancelToken | None = None,
    batch_size: int = BATCH,
    strategy: DecodeStrategy | None = None,
    embed_dialogue: bool = True,
) -> Iterator[Progress | Done]:
    """Index the film at ``path`` into ``store``; yields progress, then ``Done(IndexResult)``.

    Raises UnusableMedia for a file that cannot be indexed (after storing whatever could be) and
    SubtitleError for an unreadable ``subs`` file."""
    started = time.perf_counter()
    cancel = cancel or CancelToken()
    info = probe(path)
    film = store.ensure_film(fingerprint(info.path), info)
    yield Progress("dialogue", 0, info.duration_s, message="reading dialogue")
    ingest_dialogue(store, film, info, subs)
    if embed_dialogue:
        yield Progress("dialogue", 0, info.duration_s, message="understanding the dialogue")
        embed_moments(store, film.id)
    encoder = encoder or encoders.create(vision, cache_dir=store.home / "cache")
    store.ensure_encoder(encoder.id, encoder.dim, encoder.grid)
    fps = float(fps)
    progress = store.progress(film.id, encoder.id, fps)
    after = progress["indexed_until_s"] if progress else None
    strategy = strategy or choose_strategy(info, fps)
    added = 0
    if not (progress and progress["complete"]):
        log.info("indexing %s from %s with %s (%s)", info.path.name, after or 0, encoder.id, strategy.describe())
        try:
            for done_s, n in _index_frames(store, film, info, encoder, fps, after, strategy, batch_size, cancel):
                added += n
                yield Progress("frames", done_s, info.duration_s, message=f"{added} frames")
        except UnusableMedia as exc:
            store.finish_progress(film.id, encoder.id, fps, None, False, error=str(exc))
            raise
        if cancel.cancelled:
            store.finish_progress(film.id, encoder.id, fps, None, False)
            yield Done(_result(store, film, encoder, added, started, False, strategy), complete=False)
            return
        yield Progress("scenes", info.duration_s, info.duration_s, message="finding scenes")
        update_scenes(store, film, encoder, info.duration_s)
        store.finish_progress(film.id, encoder.id, fps, info.duration_s, True)
    yield Done(_result(store, film, encoder, added, started, True, strategy))


def _index_frames(store, film, info, encoder, fps, after, strategy, batch_size, cancel):
    """Encode and store batches; yields (seconds of film covered, frames added) after each commit."""
    frames = prefetch(sample_frames(info, fps, after=after, size=encoder.image_size, strategy=strategy,
                                    cancel=cancel), maxsize=4 * batch_size, name="decoder")
    batch = []
    batch_started = time.perf_counter()
    try:
        for frame in frames:
            batch.append(frame)
            if len(batch) >= batch_size:
                yield batch[-1].t, _store_batch(store, film, encoder, fps, batch, batch_started)
                batch, batch_started = [], time.perf_counter()
                if cancel.cancelled:
                    return
        if batch:
            yield batch[-1].t, _store_batch(store, film, encoder, fps, batch, batch_started)
    finally:
        frames.close()


def _store_batch(store, film, encoder, fps, batch, started) -> int:
    rgb = np.stack([f.rgb for f in batch])  # (B, S, S, 3)
    encoded = encoder.encode(rgb)
    return store.add_frames(film.id, encoder.id, fps, [f.t for f in batch], encoded.content, encoded.patches,
                            frame_colours(rgb), time.perf_counter() - started)


def update_scenes(store: Store, film: Film, encoder, duration_s: float) -> list:
    """Derive scenes from all stored frames of the film and store them (replacing earlier ones)."""
    frames = store.load_frames(film.id, encoder.id, with_patches=False)
    scenes = derive_scenes(frames.times, frames.content, frames.all_colours(), duration_s,
                           concepts=getattr(encoder, "concepts", None), brightness=frames.brightness)
    store.replace_scenes(film.id, encoder.id, [s.as_json() for s in scenes])
    return scenes


def ingest_dialogue(store: Store, film: Film, info: MediaInfo, subs: str | Path | None = None) -> int:
    """Store the film's dialogue once: ``subs`` if given (always re-read), else the best sidecar or
    embedded text stream. Image subtitle streams are recorded as present (their text needs OCR).
    An unreadable sidecar found by itself is skipped with a warning; an unreadable ``subs`` raises."""
    known = {s["source"]: s for s in store.dialogue_sources(film.id)}
    embedded = subtitles.embedded_sources(info)
    for source in embedded:
        if source.kind == "image" and source.name not in known:
            store.replace_dialogue(film.id, source, [])
    if subs is not None:
        source = subtitles.sidecar_source(Path(subs))
        store.replace_dialogue(film.id, source, subtitles.read_sidecar(subs))
        return store.dialogue_count(film.id)
    if any(s["lines"] > 0 for s in known.values()):
        return store.dialogue_count(film.id)
    candidates = subtitles.find_sidecars(info.path) + embedded
    while (source := subtitles.choose_source(candidates)) is not None:
        try:
            lines = subtitles.read_source(source, info.path)
        except SubtitleError as exc:
            log.warning("skipping subtitles %s: %s", source.name, exc)
            candidates.remove(source)
            continue
        store.replace_dialogue(film.id, source, lines)
        break
    return store.dialogue_count(film.id)


def moment_texts(lines, neighbours: int = 1, max_gap_s: float = 10.0) -> list[str]:
    """Each line together with its neighbours (when they are close in time): the text of a moment."""
    texts = []
    for i, line in enumerate(lines):
        parts = []
        for j in range(max(0, i - neighbours), min(len(lines), i + neighbours + 1)):
            if abs(lines[j].start - line.start) <= max_gap_s + neighbours * 5:
                parts.append(lines[j].text.replace("\n", " "))
        texts.append(" / ".join(parts))
    return texts


def embed_moments(store: Store, film_id: int, embedder=None) -> int:
    """Store a sentence embedding for every dialogue line's moment that has none yet; returns how many."""
    from core.store.windowed import lines_in_window, missing_line_vectors, store_line_vectors
    from core.text_embed import default_embedder
    from core.window import Window

    embedder = embedder or default_embedder()
    missing = set(missing_line_vectors(store, film_id, embedder.id))
    if not missing:
        return 0
    lines = lines_in_window(store, film_id, Window.whole())
    texts = moment_texts(lines)
    todo = [(line.id, text) for line, text in zip(lines, texts) if line.id in missing]
    store_line_vectors(store, embedder.id, [i for i, _ in todo], embedder.embed([t for _, t in todo]))
    return len(todo)


def _result(store, film, encoder, added, started, complete, strategy) -> IndexResult:
    return IndexResult(
        film=film, encoder_id=encoder.id, frames=store.frame_count(film.id, encoder.id), added=added,
        dialogue_lines=store.dialogue_count(film.id), bytes_per_frame=store.bytes_per_frame(film.id, encoder.id),
        seconds=time.perf_counter() - started, complete=complete, strategy=strategy.describe())


def run(job: Iterator) -> object:
    """Drive a job generator to its end and return the Done result (for scripts and tests)."""
    result = None
    for event in job:
        if isinstance(event, Done):
            result = event.result
    return result
