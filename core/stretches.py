"""Index one stretch of a film, with several decoders on parts of it where the machine has cores to spare.

Decoding is most of the indexer's work (a 1080p H.264 film: about 90 ms a sampled frame on one core,
against 35 ms to encode it), and FFmpeg's own threads do little for it: the indexer decodes only key and
P-frames, each of which needs the one before. Decoders on different parts of the film, each with one
thread, do not wait for each other. Measured on this project's 10-minute 1080p film on 2 cores, decoding
alone: one decoder with FFmpeg's threads 14.4 frames/s, two decoders on the two halves 18.9 frames/s
(`bench/index_speed.py --decoders` measures the whole indexer).

The parts meet at sampling-grid times: a part takes the grid times after its start up to its end, so the
frames are exactly those of one decoder (tested). Each part's batches record their own covered range,
so an interrupted run resumes every part where it stopped."""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

from core import coverage
from core.errors import UnusableMedia
from core.events import CancelToken
from core.media.frames import DecodeStrategy, key_frame_before, sample_frames
from core.media.probe import MediaInfo
from core.prefetch import merge

if TYPE_CHECKING:
    from core.encoders.base import VisionEncoder
    from core.store import Film, Store

MIN_PART_S = 120.0  # shorter parts are not worth a decoder: each starts with a seek and a key frame
# A part starts decoding at the key frame before it: where that is further back than this, the part would
# first decode what the part before it decodes too (a film with one key frame: all of it), so there is
# no cut there. Key frames are 5-10.4 s apart in every film at hand.
MAX_KEY_FRAME_GAP_S = 30.0
MAX_DECODERS = 8
FOLLOW_LEAD_S = 60.0  # a viewer this far ahead of the indexer (or behind its stretch) is followed


def usable_cores() -> int:
    """The cores this process may run on (``taskset`` counts)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def decoders_for(cores: int | None = None) -> int:
    """How many decoders to run: one a core, up to ``MAX_DECODERS`` (``MOVIEBUDDY_DECODERS`` overrides)."""
    chosen = os.environ.get("MOVIEBUDDY_DECODERS", "").strip()
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    return max(1, min(MAX_DECODERS, cores if cores is not None else usable_cores()))


def split(segment: coverage.Segment, duration_s: float, fps: float, decoders: int) -> list[coverage.Segment]:
    """``segment`` cut into up to ``decoders`` parts of at least ``MIN_PART_S``, meeting at grid times."""
    lo = coverage.START if segment.after is None else segment.after
    hi = duration_s if segment.until is None else segment.until
    n = max(1, min(decoders, int((hi - max(lo, 0.0)) // MIN_PART_S)))
    if n == 1:
        return [segment]
    cuts = [math.floor((lo + (hi - lo) * k / n) * fps) / fps for k in range(1, n)]
    ends = [segment.after, *cuts, segment.until]
    return [coverage.Segment(after=ends[k], until=ends[k + 1]) for k in range(n)]


def at_key_frames(info: MediaInfo, parts: list[coverage.Segment]) -> list[coverage.Segment]:
    """``parts`` joined where a part has no key frame within ``MAX_KEY_FRAME_GAP_S`` before its start."""
    kept = [parts[0]]
    for part in parts[1:]:
        key = key_frame_before(info, part.after) if part.after is not None else None
        if key is not None and part.after is not None and part.after - key <= MAX_KEY_FRAME_GAP_S:
            kept.append(part)
        else:
            kept[-1] = coverage.Segment(after=kept[-1].after, until=part.until)
    return kept


def index_segment(
    store: Store,
    film: Film,
    info: MediaInfo,
    encoder: VisionEncoder,
    fps: float,
    segment: coverage.Segment,
    strategy: DecodeStrategy,
    batch_size: int,
    cancel: CancelToken,
    where: Callable[[], float | None],
    store_batch: Callable[..., int],
    decoders: int = 1,
) -> Iterator[tuple[int, list[coverage.Range]]]:
    """Index one stretch; yields (frames added, covered ranges) after each committed batch. Stops early
    when cancelled or when the viewer moved to a part that this stretch will not reach soon. With
    ``decoders`` > 1 the stretch is cut into parts decoded at once, each on its own thread with FFmpeg's
    threads off; with 1, the decoder still runs on its own thread, ahead of the encoder; with 0 (the film
    is playing) it decodes on this thread, so that indexing takes one core at most. A part of a damaged
    file that fails ends there: the other parts go on, then the error is raised."""
    parts = split(segment, info.duration_s, fps, max(decoders, 1))
    if len(parts) > 1:
        parts = at_key_frames(info, parts)
    if len(parts) > 1:
        strategy = dataclasses.replace(strategy, threading="NONE")
    sources = [
        _failure_as_item(
            sample_frames(
                info, fps, after=p.after, until=p.until, size=encoder.image_size, strategy=strategy, cancel=cancel
            )
        )
        for p in parts
    ]
    frames: Generator[tuple[int, Any], None, None]
    if decoders:
        frames = merge(sources, maxsize=4 * batch_size * len(parts), name="decoder")
    else:
        frames = _numbered(sources[0])
    batches: list[list] = [[] for _ in parts]
    failed: UnusableMedia | None = None
    batch_started = time.perf_counter()
    cursor = segment.after if segment.after is not None else 0.0

    def commit(i: int) -> int:
        nonlocal batch_started
        n = store_batch(store, film, encoder, fps, batches[i], batch_started, parts[i].after)
        batches[i], batch_started = [], time.perf_counter()
        return n

    try:
        for i, frame in frames:
            if isinstance(frame, UnusableMedia):
                failed = failed or frame
                continue
            batches[i].append(frame)
            if len(batches[i]) >= batch_size:
                if i == 0:
                    cursor = frame.t
                n = commit(i)
                covered = store.covered(film.id, encoder.id, fps)
                yield n, covered
                if cancel.cancelled or _viewer_left(covered, segment, cursor, where()):
                    return
        for i in range(len(parts)):  # what is left of every part, the frames decoded before a failure too
            if batches[i]:
                yield commit(i), store.covered(film.id, encoder.id, fps)
        if failed is not None:
            raise failed
        if not cancel.cancelled:  # the stretch is done, up to where the next one starts
            end = segment.until if segment.until is not None else info.duration_s
            store.finish_progress(film.id, encoder.id, fps, (segment.after, end), False)
            yield 0, store.covered(film.id, encoder.id, fps)
    finally:
        frames.close()


def _numbered(frames: Iterator) -> Generator[tuple[int, Any], None, None]:
    """One part's frames as ``merge`` hands them out, on the caller's thread."""
    try:
        for frame in frames:
            yield 0, frame
    finally:
        frames.close()  # type: ignore[attr-defined]


def _failure_as_item(frames: Generator) -> Generator:
    """The frames of one part, then the UnusableMedia that ended it (if one did) as its last item."""
    try:
        yield from frames
    except UnusableMedia as exc:
        yield exc
    finally:
        frames.close()


def _viewer_left(covered, segment, cursor: float, playhead: float | None) -> bool:
    """Whether the viewer is now somewhere unindexed that this stretch will not reach within the lead."""
    if playhead is None or any(a < playhead <= b for a, b in covered):
        return False
    lo = segment.after if segment.after is not None else coverage.START
    return not (lo < playhead <= cursor + FOLLOW_LEAD_S)
