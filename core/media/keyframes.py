"""Sample a film's key frames: the rough first indexing pass, which makes a whole film searchable fast.

A key frame needs no other frame to be decoded, so decoding only key frames (the decoder told to skip
the rest) costs a small fraction of decoding the film: the whole film is searchable within about
2 minutes per 2 hours of film on 2 cores, long before the finer pass at a fixed rate is through.

Key frames are usually 2-10 s apart, but some encoders put them minutes apart (long GOPs). The guarantee:
besides every key frame, the first decoded frame at or after ``every_s`` seconds past the last yielded
one is yielded, so no gap between yielded frames exceeds ``every_s`` by more than a frame or two. For
that the packets since the last key frame are held back, not decoded; once they reach that time, the
decoder is set to decode every frame that others refer to and is fed them from the key frame on. Later
packets of the GOP are held again until they reach the next time wanted, so a long GOP is decoded up to
its last yielded frame, not its tail. The decoder is drained and flushed after each key frame: it then
starts afresh from the next one (which is what lets a held GOP be decoded after all), and it outputs
the key frames in their order (HEVC's, told to skip frames, come out of order otherwise).

Which frames are yielded depends only on the GOP they belong to, so a run resumed after its last yielded
frame (from the key frame at or before it) yields exactly the tail of an uninterrupted run.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Iterable, Iterator

import av

from core.errors import UnusableMedia
from core.events import CancelToken
from core.media.frames import EPS, MAX_BAD_PACKETS, NO_TIMESTAMPS, SampledFrame, open_film, seek, upright
from core.media.probe import MediaInfo

# The longest stretch of film left without a frame, chosen by measuring on 2 cores. Key frames are 5-10.4 s
# apart in every clip and benchmark film here (x264's and x265's default, 250 frames, is 10.4 s at 24 fps).
# A GOP longer than every_s is decoded up to its last yielded frame, which is a cliff: the 3-minute 1080p
# film (key frames 10 s apart) takes 0.42 s (430x real time) at every_s=15 or 20 but 9.1 s (20x) at 9.9;
# a 360p film with key frames 16.7 s apart (15 fps, 250 frames) 0.03 s at 20 but 0.41 s at 15. On a film
# with a single key frame (120 s, 720p) every_s hardly matters, as each frame yielded needs all the frames
# before it: 1.40 s at 5, 1.32 at 10, 1.20 at 20, 1.09 at 30 (1 fps sampling: 1.88 s). So: well above the
# usual key-frame spacing, and no more, leaving about one scene unsearchable at worst.
EVERY_S = 20.0


def sample_keyframes(
    info: MediaInfo,
    *,
    every_s: float = EVERY_S,
    after: float | None = None,
    size: int = 224,
    cancel: CancelToken | None = None,
) -> Generator[SampledFrame, None, None]:
    """Yield every key frame of the film, and enough frames between far-apart key frames that no two
    yielded frames are more than ``every_s`` seconds apart, resized to ``size`` x ``size`` RGB in time order.

    ``after``: resume after this time (the last stored frame); frames at or before it are not yielded.
    ``cancel``: checked before each packet. Damaged packets are skipped; too many raise
    :class:`UnusableMedia`, as does a file that cannot be opened."""
    if every_s <= 0:
        raise ValueError("every_s must be positive")
    with open_film(info) as container:
        stream = container.streams.video[0]
        # Frame threading needs a pipeline of frames, which draining after each key frame empties; slice
        # threading works within a frame (1080p H.264: 0.43 s against 0.72 s without threads or with frame threads).
        stream.thread_type = "SLICE"
        decoder = _Decoder(stream, info)
        choice = _Choice(every_s)
        if container.format.flags & NO_TIMESTAMPS:
            picks = choice.pick(_counted(container, stream, info, decoder, cancel))
        else:
            if after is not None:
                seek(container, stream, max(0.0, after + info.start_s))
            picks = _key_frames(container, stream, info, decoder, choice, cancel)
        for t, frame in picks:
            if after is not None and t <= after + EPS:
                continue
            rgb = upright(frame.to_ndarray(width=size, height=size, format="rgb24", interpolation="BILINEAR"), info)
            yield SampledFrame(t=round(t, 3), rgb=rgb)


class _Decoder:
    """The stream's decoder, skipping damaged packets (one must not end the film) up to a limit."""

    def __init__(self, stream, info: MediaInfo) -> None:
        self.context = stream.codec_context
        self.time_base = stream.time_base
        self.name = info.path.name
        self.bad = 0

    def feed(self, packet) -> list:
        try:
            return self.context.decode(packet)
        except av.error.FFmpegError as exc:
            self.bad += 1
            if self.bad > MAX_BAD_PACKETS:
                raise UnusableMedia(f"{self.name}: too many damaged video packets ({exc})") from None
            return []

    def drain(self) -> list:
        """The frames the decoder still holds (it outputs a frame only a few packets later); then it starts
        afresh, which is what lets the frames it skipped be decoded after all, from their key frame."""
        end = av.Packet()
        end.time_base = self.time_base  # the drained frames' times are read in it
        frames = self.feed(end)
        self.context.flush_buffers()
        return frames


class _Choice:
    """Which decoded frames are yielded: every key frame, and the first frame at or after each time
    ``every_s`` past the last one yielded; never one at or before the last one yielded."""

    def __init__(self, every_s: float) -> None:
        self.every_s = every_s
        self.last_t = -math.inf

    def pick(self, timed: Iterable[tuple[float, av.VideoFrame]]) -> Iterator[tuple[float, av.VideoFrame]]:
        for t, frame in timed:
            if t > self.last_t + EPS and (frame.key_frame or t + EPS >= self.last_t + self.every_s):
                self.last_t = t
                yield t, frame


def _key_frames(container, stream, info: MediaInfo, decoder: _Decoder, choice: _Choice, cancel):
    """Decode key frames only, and a GOP's other frames where the GOP is longer than ``every_s``."""
    decoder.context.skip_frame = "NONKEY"
    whole_gop = False  # every frame of the current GOP is being decoded
    key_t = -math.inf
    held: list = []  # packets not fed yet; while only key frames are decoded, from the GOP's key frame on

    def timed(frames: list) -> Iterator[tuple[float, av.VideoFrame]]:
        return choice.pick((float(f.time) - info.start_s, f) for f in frames if f.time is not None)

    for packet in container.demux(stream):
        if cancel is not None and cancel.cancelled:
            return
        if not packet.size:  # the demuxer's empty packet at the end
            continue
        t = _packet_time(packet, info)
        if packet.is_keyframe:
            if whole_gop:
                yield from timed(decoder.drain())
                decoder.context.skip_frame = "NONKEY"
                whole_gop = False
            key_t = t if t is not None else choice.last_t
            held = [packet]
            yield from timed(decoder.feed(packet) + decoder.drain())
            continue
        if not held and not whole_gop:
            continue  # before the first key frame: nothing here can be decoded
        held.append(packet)
        if t is None or t + EPS < max(choice.last_t, key_t) + choice.every_s:
            continue
        if not whole_gop:
            decoder.context.skip_frame = "NONREF"  # the decoder is empty: it was drained after the key frame
            whole_gop = True
        for waiting in held:
            yield from timed(decoder.feed(waiting))
        held = []
    if cancel is None or not cancel.cancelled:
        yield from timed(decoder.drain())


def _counted(container, stream, info: MediaInfo, decoder: _Decoder, cancel):
    """A raw stream (.h264) has no times, so it cannot be seeked and its frames are timed by counting:
    none may be skipped, and every frame is decoded."""
    counted = 0.0
    for packet in container.demux(stream):
        if cancel is not None and cancel.cancelled:
            return
        for frame in decoder.feed(packet) if packet.size else []:
            yield counted, frame
            counted += _duration(frame, info)
    for frame in decoder.drain():
        yield counted, frame
        counted += _duration(frame, info)


def _duration(frame, info: MediaInfo) -> float:
    step = frame.duration * frame.time_base if frame.duration and frame.time_base else None
    return float(step) if step else 1 / (info.fps or 25.0)


def _packet_time(packet, info: MediaInfo) -> float | None:
    stamp = packet.pts if packet.pts is not None else packet.dts
    if stamp is None or packet.time_base is None:
        return None
    return float(stamp * packet.time_base) - info.start_s
