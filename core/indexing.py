"""Index a film: sampled frames -> two-token form in SQLite, plus its dialogue and scenes.

A generator of :class:`Progress` events ending in one :class:`Done`; it honours a cancel token between
batches, commits each batch in one transaction together with how far it got, and resumes there."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core import coverage, encoders, rough_pass, stretches
from core.colours import frame_colours
from core.dialogue import embed_moments, ingest_dialogue, slow_dialogue
from core.errors import UnusableMedia
from core.events import CancelToken, Done, Progress
from core.media.frames import DecodeStrategy, choose_strategy
from core.media.probe import probe
from core.scenes import derive_scenes
from core.spoiler_window import Window
from core.store import Film, Store, fingerprint

if TYPE_CHECKING:
    from core.encoders.base import VisionEncoder

log = logging.getLogger(__name__)

DEFAULT_FPS = 1.0
BATCH = 16
_index_segment = stretches.index_segment  # (replaced in tests)


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
        return {
            "movie": self.film.as_json(),
            "frames": self.frames,
            "dialogue_lines": self.dialogue_lines,
            "bytes_per_frame": round(self.bytes_per_frame, 1),
            "seconds": round(self.seconds, 3),
            "complete": self.complete,
        }


def index_film(
    store: Store,
    path: str | Path,
    *,
    encoder: VisionEncoder | None = None,
    vision: str | None = None,
    fps: float = DEFAULT_FPS,
    subs: str | Path | None = None,
    cancel: CancelToken | None = None,
    batch_size: int = BATCH,
    strategy: DecodeStrategy | None = None,
    embed_dialogue: bool = True,
    playhead: Callable[[], float | None] | None = None,
    background: bool = False,
    also: tuple[str, ...] = (),
    rough: bool = True,
    decoders: int | None = None,
) -> Generator[Progress | Done, None, None]:
    """Index the film at ``path`` into ``store``; yields progress, then ``Done(IndexResult)``.

    ``playhead``: where the viewer is now (asked between batches). The part from just before it onwards
    is indexed first, then the rest; when the viewer jumps to a part not indexed, indexing follows.
    Without it the film is indexed from the first hole to the end.
    ``also``: slow dialogue sources to run even where they are not needed, e.g. ("asr",): recognise the
    film's speech although it has text subtitles (kept beside them; answers read the subtitles).
    ``background``: the film is playing on this machine: decode on one thread, without a read-ahead
    thread, so indexing never takes more than one core from playback.
    ``rough``: a film of 10 minutes or more first gets a rough pass over its key frames (core.rough_pass),
    which makes all of it searchable within minutes; the full pass then replaces it part by part.
    ``decoders``: how many parts of a stretch are decoded at once (core.stretches; default: one a core,
    and one while ``background``).
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
    strategy = strategy or choose_strategy(info, fps)
    if background:
        strategy = dataclasses.replace(strategy, threading="NONE")
    decoders = 0 if background else decoders or stretches.decoders_for()  # 0: decode on this thread
    added = 0
    if not (progress and progress["complete"]):
        log.info("indexing %s with %s (%s)", info.path.name, encoder.id, strategy.describe(decoders))
        duration = info.duration_s
        if rough and rough_pass.wanted(store, film, info, encoder.id, fps):
            yield from rough_pass.rough_pass(
                store, film, info, encoder, fps, _store_batch, batch_size, cancel, read_ahead=not background
            )
            if not cancel.cancelled:
                yield Progress("scenes", duration, duration, message="finding scenes")
                update_scenes(store, film, encoder, duration)
        roughly = coverage.describe(store.rough_covered(film.id, encoder.id), duration)
        where = playhead or (lambda: None)
        covered = store.covered(film.id, encoder.id, fps)
        left = coverage.grid_left(covered, duration, fps)
        while not cancel.cancelled:
            segments = coverage.plan(covered, duration, where(), fps=fps)
            if not segments:
                break
            segment = segments[0]
            try:
                for n, covered in _index_segment(
                    store,
                    film,
                    info,
                    encoder,
                    fps,
                    segment,
                    strategy,
                    batch_size,
                    cancel,
                    where,
                    _store_batch,
                    decoders,
                ):
                    added += n
                    yield _frames_progress(covered, roughly, duration, added)
            except UnusableMedia as exc:
                store.finish_progress(film.id, encoder.id, fps, None, False, error=str(exc))
                if store.frame_count(film.id, encoder.id):  # what could be indexed gets its scenes
                    update_scenes(store, film, encoder, store.frame_times(film.id, encoder.id)[-1] + 1 / fps)
                raise
            covered = store.covered(film.id, encoder.id, fps)
            now_left = coverage.grid_left(covered, duration, fps)
            if now_left >= left and not cancel.cancelled:
                # Every stretch must cover sampling-grid times; one that covered none would be planned
                # again for ever. This cannot happen by construction, and if it does the run still ends.
                log.warning(
                    "%s: the stretch %s added nothing; %d sampling times stay unindexed",
                    info.path.name,
                    segment,
                    now_left,
                )
                break
            left = now_left
        if cancel.cancelled:
            if store.frame_count(film.id, encoder.id):
                update_scenes(store, film, encoder, duration)  # so that a partial index has its scenes
            yield Done(_result(store, film, encoder, added, started, False, strategy, decoders), complete=False)
            return
        yield Progress(
            "scenes",
            duration,
            duration,
            message="finding scenes",
            covered=tuple(coverage.describe(store.covered(film.id, encoder.id, fps), duration)),
        )
        update_scenes(store, film, encoder, duration)
        store.finish_progress(film.id, encoder.id, fps, None, True)
    # slow dialogue sources (speech recognition) run once the picture is indexed; they resume the same way
    had = store.dialogue_count(film.id)
    yield from slow_dialogue(store, film, info, cancel, also)
    if embed_dialogue and store.dialogue_count(film.id) != had:
        yield Progress("dialogue", info.duration_s, info.duration_s, message="understanding the dialogue")
        embed_moments(store, film.id)
    if cancel.cancelled:
        yield Done(_result(store, film, encoder, added, started, False, strategy, decoders), complete=False)
        return
    yield Done(_result(store, film, encoder, added, started, True, strategy, decoders))


def _frames_progress(covered, roughly, duration, added) -> Progress:
    """Progress of the full pass: the parts it covered, with those only the rough pass has seen so far."""
    ranges = coverage.describe(covered, duration)
    done = sum(b - a for a, b in ranges)
    rough_only = coverage.subtract(roughly, ranges)
    indexed = coverage.union(ranges, rough_only)
    message = f"{added} frames"
    return Progress("frames", done, duration, message=message, covered=tuple(indexed), rough=tuple(rough_only))


def _store_batch(store, film, encoder: VisionEncoder, fps, batch, started, after, rough: bool = False) -> int:
    rgb = np.stack([f.rgb for f in batch])  # (B, S, S, 3)
    encoded = encoder.encode(rgb)
    return store.add_frames(
        film.id,
        encoder.id,
        fps,
        [f.t for f in batch],
        encoded.content,
        encoded.patches,
        frame_colours(rgb),
        time.perf_counter() - started,
        after=after,
        rough=rough,
    )


def update_scenes(store: Store, film: Film, encoder: VisionEncoder, duration_s: float) -> list:
    """Derive scenes from all stored frames of the film and store them (replacing earlier ones)."""
    frames = store.frames_in_window(film.id, encoder.id, Window.whole(), with_patches=False)
    scenes = derive_scenes(
        frames.times,
        frames.content,
        frames.all_colours(),
        duration_s,
        concepts=getattr(encoder, "concepts", None),
        brightness=frames.brightness,
    )
    store.replace_scenes(film.id, encoder.id, [s.as_json() for s in scenes])
    return scenes


def _result(store, film, encoder: VisionEncoder, added, started, complete, strategy, decoders=1) -> IndexResult:
    return IndexResult(
        film=film,
        encoder_id=encoder.id,
        frames=store.frame_count(film.id, encoder.id),
        added=added,
        dialogue_lines=store.dialogue_count(film.id),
        bytes_per_frame=store.bytes_per_frame(film.id, encoder.id),
        seconds=time.perf_counter() - started,
        complete=complete,
        strategy=strategy.describe(decoders),
    )


def run(job: Iterator) -> object:
    """Drive a job generator to its end and return the Done result (for scripts and tests)."""
    result = None
    for event in job:
        if isinstance(event, Done):
            result = event.result
    return result
