"""Sample a film's frames at a fixed rate, cheaply and with the frames' exact timestamps.

The sampling rule is deterministic, so an interrupted run resumed from its last frame picks the same
frames as an uninterrupted one: for every grid time k/fps, take the first decoded frame at or after it.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections.abc import Generator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from core.errors import UnusableMedia
from core.events import CancelToken
from core.media.probe import MediaInfo
from core.timefmt import clock

log = logging.getLogger(__name__)

EPS = 1e-3
MAX_BAD_PACKETS = 200
# A decoded stream that stops this much before its stated length is called truncated.
TRUNCATION_SLACK_S = 5.0
# Frame threading pays off on heavy streams, and on large pictures whenever decoding runs beside the
# encoder: decoding is then the bottleneck and its threads fill the encoder's idle time (measured on a
# 9 Mb/s 1080p film with grain: 12.4x real time with frame threading against 9.3x without).
HEAVY_BITS_PER_PIXEL = 0.35
LARGE_PICTURE = 1280 * 720
_DURATION_TAG = re.compile(r"^(\d+):(\d\d):(\d\d(?:\.\d+)?)$")
NO_TIMESTAMPS = 0x80  # FFmpeg's AVFMT_NOTIMESTAMPS: a raw elementary stream


@dataclass(frozen=True)
class SampledFrame:
    """One sampled frame: its time in seconds from the film's start and its RGB picture (S, S, 3) uint8."""

    t: float
    rgb: np.ndarray


@dataclass(frozen=True)
class DecodeStrategy:
    """How to decode: codec threading ("NONE", "SLICE", "FRAME", "AUTO"); whether to skip frames that
    no other frame refers to (B-frames), which saves most of the decoding at low sampling rates; and
    whether to skip the deblocking filter, which saves about a fifth of H.264/HEVC decoding and leaves
    only faint block edges that vanish when the frame is shrunk to the encoder's 224 px."""

    threading: str = "NONE"
    skip_nonref: bool = True
    skip_deblock: bool = False
    # Skip every B-frame, reference B-frames of a b-pyramid too: in H.264 as x264 writes it P-frames
    # never refer to them, and measured on a 1080p film the sampled tokens stay at cosine 0.998 to
    # those of the exact frames while decoding is a fifth faster. If a stream turns out to need them
    # (decoded frames further apart than the sampling interval), sampling falls back to skipping
    # non-reference frames only.
    skip_b: bool = False

    def describe(self, decoders: int = 1) -> str:
        """In words; ``decoders`` > 1: that many parts of a stretch decoded at once (core.stretches)."""
        skip = (
            "skipping B-frames"
            if self.skip_b
            else "skipping non-reference frames"
            if self.skip_nonref
            else "every frame"
        )
        deblock = ", no deblocking" if self.skip_deblock else ""
        threads = f"{self.threading.lower()} threading"
        if decoders > 1:
            threads = f"up to {decoders} decoders on parts of the film, one thread each"
        return f"{threads}, {skip}{deblock}"


def choose_strategy(info: MediaInfo, fps: float) -> DecodeStrategy:
    """Pick the fastest correct decoding for this film at this sampling rate.

    Skipping non-reference frames is safe when we keep far fewer frames than the film has; threading
    helps on heavy streams and large pictures, and costs more than it gives on small light ones."""
    skip = info.fps <= 0 or fps <= info.fps / 4
    pixels_per_s = max(1, info.width * info.height) * max(info.fps, 1.0)
    heavy = (info.bit_rate or 0) / pixels_per_s >= HEAVY_BITS_PER_PIXEL
    large = info.width * info.height >= LARGE_PICTURE
    return DecodeStrategy(
        threading="AUTO" if heavy or large else "NONE",
        skip_nonref=skip,
        skip_deblock=skip,
        skip_b=skip and info.video_codec == "h264",
    )


def sample_frames(
    info: MediaInfo,
    fps: float = 1.0,
    *,
    after: float | None = None,
    until: float | None = None,
    size: int = 224,
    strategy: DecodeStrategy | None = None,
    cancel: CancelToken | None = None,
    check_truncation: bool = True,
) -> Generator[SampledFrame, None, None]:
    """Yield frames at ``fps`` per second of film, resized to ``size`` x ``size`` RGB.

    ``after``: resume after this time (the last stored frame); frames at or before it are not yielded.
    ``until``: stop once the next grid time is later than this (another stretch of indexing starts there).
    Raises :class:`UnusableMedia` if the stream ends well before its stated length (a truncated file),
    after yielding every frame that could be decoded."""
    if fps <= 0:
        raise ValueError("fps must be positive")
    strategy = strategy or choose_strategy(info, fps)
    path = str(info.path)
    with open_film(info) as container:
        if container.format.flags & NO_TIMESTAMPS:  # its frames are timed by counting: none may be skipped
            strategy = dataclasses.replace(strategy, skip_nonref=False, skip_b=False)
        stream = container.streams.video[0]
        stream.thread_type = strategy.threading
        if strategy.skip_deblock:
            stream.codec_context.options = {"skip_loop_filter": "all"}
        if strategy.skip_b:
            stream.codec_context.skip_frame = "BIDIR"
        elif strategy.skip_nonref:
            stream.codec_context.skip_frame = "NONREF"
        next_k = 0
        if after is not None:
            next_k = math.floor(after * fps + EPS) + 1
            seek_to = max(0.0, after + info.start_s - 1.0)
            seek(container, stream, seek_to, any_frame=False)
        last_t = after if after is not None else -1.0
        previous = max(0.0, last_t)
        needs_b = False
        for t, frame in _decode(container, stream, info, cancel):
            if strategy.skip_b and t - previous > 1.0 / fps + EPS:
                needs_b = True  # a gap: this stream needs its B-frames, fall back below
                break
            previous = max(previous, t)
            if t <= last_t + EPS or t + EPS < next_k / fps:
                continue
            if until is not None and next_k / fps > until + EPS:
                return  # the rest belongs to a stretch that is indexed already
            rgb = upright(frame.to_ndarray(width=size, height=size, format="rgb24", interpolation="BILINEAR"), info)
            last_t = t
            next_k = math.floor(t * fps + EPS) + 1
            yield SampledFrame(t=round(t, 3), rgb=rgb)
        if strategy.skip_b and (needs_b or last_t < 0) and not (cancel and cancel.cancelled):
            log.info("%s: B-frames are needed here; decoding them after %.1fs", Path(path).name, max(last_t, 0))
            yield from sample_frames(
                info,
                fps,
                after=last_t if last_t >= 0 else None,
                until=until,
                size=size,
                strategy=dataclasses.replace(strategy, skip_b=False),
                cancel=cancel,
                check_truncation=check_truncation,
            )
            return
        length = picture_length(stream, info)
        if (
            check_truncation
            and until is None
            and last_t < length - max(TRUNCATION_SLACK_S, 2.0 / fps)
            and length > TRUNCATION_SLACK_S
        ):
            if cancel is None or not cancel.cancelled:
                raise UnusableMedia(
                    f"{Path(path).name}: the picture stops at {clock(max(last_t, 0))} although it "
                    f"should last {clock(length)}; the file looks truncated or damaged"
                )


def open_film(info: MediaInfo):
    """The film's container for decoding; UnusableMedia (one line) when it cannot be opened any more."""
    try:
        return av.open(str(info.path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise UnusableMedia(f"{info.path.name}: cannot be opened any more ({exc})") from None


def picture_length(stream, info: MediaInfo) -> float:
    """How long the picture should last: the video stream's own stated length where the file gives one
    (subtitles or sound may run on well past the picture), else the film's."""
    length = info.duration_s
    if stream.duration and stream.time_base:
        length = min(length, float(stream.duration * stream.time_base))
    stated = _DURATION_TAG.match((stream.metadata or {}).get("DURATION", ""))  # Matroska: each track's length
    if stated:
        h, m, sec = stated.groups()
        length = min(length, int(h) * 3600 + int(m) * 60 + float(sec))
    return length


def upright(rgb: np.ndarray, info: MediaInfo) -> np.ndarray:
    """A decoded picture turned the way the film is meant to be seen (phone videos carry a rotation)."""
    return np.ascontiguousarray(np.rot90(rgb, k=info.rotation // 90)) if info.rotation else rgb


def seek(container, stream, seconds: float, any_frame: bool = False) -> bool:
    """Seek to the key frame at or before ``seconds`` of the file; False for a file without timestamps (a
    raw .h264 stream), where FFmpeg cannot seek and its frames are timed by counting: it is read from
    where it is (the start, in a fresh container) and the frames before ``seconds`` are skipped."""
    if container.format.flags & NO_TIMESTAMPS:
        return False
    container.seek(ticks(stream, seconds), stream=stream, backward=True, any_frame=any_frame)
    return True


def key_frame_before(info: MediaInfo, t: float, container=None) -> float | None:
    """The time of the key frame where a decoder seeking to ``t`` starts (None: the file cannot tell).
    ``container``: an open one of the film's, used for nothing else (one call after another may share it)."""
    try:
        if container is None:
            with open_film(info) as own:
                return _landing(own, info, t)
        return _landing(container, info, t)
    except (UnusableMedia, av.error.FFmpegError):
        return None


def _landing(container, info: MediaInfo, t: float) -> float | None:
    stream = container.streams.video[0]
    if not seek(container, stream, t + info.start_s):
        return None
    for n, packet in enumerate(container.demux(stream)):
        if packet.pts is not None and packet.is_keyframe:
            return float(packet.pts * stream.time_base) - info.start_s
        if n >= 1000:  # a file that marks no key frames
            break
    return None


def ticks(stream, seconds: float) -> int:
    """``seconds`` in the stream's time base (microseconds where the stream names none)."""
    return int(Fraction(seconds) / (stream.time_base or Fraction(1, 1_000_000)))


def _decode(container, stream, info: MediaInfo, cancel: CancelToken | None):
    """Decode packet by packet so that one damaged packet is skipped instead of ending the film. Frames
    without a time (a raw .h264 stream has none) are timed by counting from the start of the stream."""
    bad = 0
    counted = 0.0
    for packet in container.demux(stream):
        if cancel is not None and cancel.cancelled:
            return
        try:
            frames = packet.decode()
        except av.error.FFmpegError as exc:
            bad += 1
            if bad > MAX_BAD_PACKETS:
                raise UnusableMedia(f"{info.path.name}: too many damaged video packets ({exc})") from None
            continue
        for frame in frames:
            if frame.time is not None:
                yield float(frame.time) - info.start_s, frame
                continue
            if info.fps <= 0:
                continue
            yield counted, frame
            counted += float(frame.duration * frame.time_base) if frame.duration and frame.time_base else 1 / info.fps
