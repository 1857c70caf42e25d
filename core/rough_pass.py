"""The rough first pass of indexing: the film's key frames (core.media.keyframes), so that the whole film
is searchable within minutes, before the full pass samples it at its frame rate in the order the viewer
needs. Its frames are stored marked rough and give way, part by part, to the full pass's (core.store);
its progress is the index row at frame rate ``ROUGH``. Film state, answers and the seek bar tell the
parts seen only roughly from the rest."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator

from core import coverage
from core.errors import UnusableMedia
from core.events import CancelToken, Progress
from core.media.frames import key_frame_before
from core.media.keyframes import EVERY_S, sample_keyframes
from core.media.probe import MediaInfo
from core.prefetch import prefetch
from core.store import Film, Store
from core.store.films import ROUGH

log = logging.getLogger(__name__)

MIN_FILM_S = 600.0  # a shorter film is indexed in full about as soon as a rough pass would end
# A full pass this sparse (a frame every 10 s or fewer) is itself as coarse as the key frames, which are
# 5-10.4 s apart in every film measured (core.media.keyframes): a rough pass would only double its work.
SPARSEST_GAP_S = 10.0


def wanted(store: Store, film: Film, info: MediaInfo, encoder_id: str, full_fps: float = 1.0) -> bool:
    """Whether the film gets a rough pass: long enough, sampled densely, with key frames close enough,
    and not done yet."""
    if info.duration_s < MIN_FILM_S or 1.0 / full_fps >= SPARSEST_GAP_S:
        return False
    progress = store.progress(film.id, encoder_id, ROUGH)
    return not (progress and progress["complete"]) and key_frames_close(info)


def key_frames_close(info: MediaInfo) -> bool:
    """Whether key frames come at most ``EVERY_S`` apart (asked at a quarter, half and three quarters of
    the film). Where they are further apart (one at the start, in some files) the rough pass decodes
    nearly every frame the full pass decodes, for a frame every ``EVERY_S``: measured on a 10-minute 1080p
    film with one key frame, the rough pass took 32.9 s and everything 69.4 s, the full pass alone 39.0 s."""
    gaps = []
    for share in (0.25, 0.5, 0.75):
        t = info.duration_s * share
        key = key_frame_before(info, t)
        if key is not None:
            gaps.append(t - key)
    return not gaps or sorted(gaps)[len(gaps) // 2] <= EVERY_S


def rough_pass(
    store: Store,
    film: Film,
    info: MediaInfo,
    encoder,
    full_fps: float,
    store_batch: Callable[..., int],
    batch_size: int,
    cancel: CancelToken,
    read_ahead: bool = True,
) -> Generator[Progress, None, None]:
    """Index the key frames from where the last rough pass stopped; yields progress after each batch.
    Frames in parts the full pass already covers (an index begun before rough passes existed) are not
    stored there, but the rough coverage still runs across them."""
    duration = info.duration_s
    full = coverage.describe(store.covered(film.id, encoder.id, full_fps), duration)
    after = coverage.prefix_end(store.covered(film.id, encoder.id, ROUGH))
    frames = sample_keyframes(info, after=after, size=encoder.image_size, cancel=cancel)
    if read_ahead:
        frames = prefetch(frames, maxsize=4 * batch_size, name="key frames")
    batch, seen, started, last_t = [], 0, time.perf_counter(), after
    try:
        for frame in frames:
            seen, last_t = seen + 1, frame.t
            if not any(a < frame.t <= b for a, b in full):
                batch.append(frame)
            if seen % batch_size == 0:
                after = _commit(store, film, encoder, batch, frame.t, after, started, store_batch)
                batch, started = [], time.perf_counter()
                yield _progress(store, film, encoder.id, duration, seen)
                if cancel.cancelled:
                    return
        if cancel.cancelled:
            return
        # the key frames reach the end (the last is at most a gap before it), or the picture stops early
        end = duration if last_t is None or duration - last_t <= EVERY_S + 2.0 else last_t
        _commit(store, film, encoder, batch, end, after, started, store_batch)
        store.finish_progress(film.id, encoder.id, ROUGH, (after, end), True)
        yield _progress(store, film, encoder.id, duration, seen)
    except UnusableMedia as exc:
        # A truncated or damaged film: what was read is kept and the rough pass is not tried again; the full
        # pass then indexes up to the damage and reports it (with the film's state) as it always has.
        log.warning("%s: the first look stopped: %s", info.path.name, exc)
        if batch:
            _commit(store, film, encoder, batch, last_t, after, started, store_batch)
        store.finish_progress(film.id, encoder.id, ROUGH, None, True, error=str(exc))
    finally:
        frames.close()


def _commit(store, film, encoder, batch, until, after, started, store_batch) -> float:
    """Store the batch (if any) and the rough coverage up to ``until``; returns the new ``after``."""
    if batch:
        store_batch(store, film, encoder, ROUGH, batch, started, after, rough=True)
    store.finish_progress(film.id, encoder.id, ROUGH, (after, until), False)
    return until


def _progress(store: Store, film: Film, encoder_id: str, duration: float, seen: int) -> Progress:
    covered = coverage.describe(store.covered(film.id, encoder_id, ROUGH), duration)
    done = sum(b - a for a, b in covered)
    return Progress("keyframes", done, duration, message=f"a first look: {seen} key frames", covered=tuple(covered))
