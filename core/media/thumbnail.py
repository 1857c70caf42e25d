"""Small pictures of a film's moments, for the evidence behind an answer."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import av
import numpy as np

from core.errors import UnusableMedia
from core.media.frames import _decode, key_frame_before, open_film, seek, upright
from core.media.probe import MediaInfo

# Decoding on this far costs less than a seek (key frames are 5-10 s apart in most films); further on, a
# seek is made only if it lands past the last frame decoded: in a film with key frames minutes apart (one
# at the start, in some files) a seek per time would decode the film from its start each time.
DECODE_ON_S = 2.0


def thumbnails(info: MediaInfo, times, width: int = 160) -> dict[float, np.ndarray]:
    """One RGB picture (``width`` wide as the film is seen, its aspect kept) for each time in ``times``:
    the first frame at or after it. Times past the end are left out; an unreadable file raises
    UnusableMedia. Decodes like indexing does (damaged packets skipped, rotation applied)."""
    return dict(pictures_at(info, times, width))


def pictures_at(info: MediaInfo, times, width: int = 160) -> Iterator[tuple[float, np.ndarray]]:
    """(time, RGB picture) for each time in ``times``, in time order, as ``thumbnails`` describes."""
    turned = info.rotation in (90, 270)
    seen_w, seen_h = (info.height, info.width) if turned else (info.width, info.height)
    height = max(2, int(round(width * max(1, seen_h) / max(1, seen_w) / 2)) * 2)
    size = (height, width) if turned else (width, height)  # decoded before it is turned
    try:
        container = av.open(str(info.path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise UnusableMedia(f"{info.path.name}: cannot be opened ({exc})") from None
    with container, contextlib.ExitStack() as closing:
        stream = container.streams.video[0]
        probe = None  # a second container of the film, to ask where a seek would land
        stream.thread_type = "AUTO"
        frames, position = None, -1.0  # the time of the last frame decoded
        last: tuple[float, np.ndarray] | None = None  # the last picture given, and its frame's time
        for t in sorted({float(t) for t in times}):
            if last is not None and last[0] + 1e-3 >= t:  # that frame is the first at or after t too
                yield t, last[1]
                continue
            if frames is not None and probe is None and t - position > DECODE_ON_S:
                probe = closing.enter_context(open_film(info))
            # decode on where that costs less than a seek (which may land before the last frame decoded)
            decode_on = frames is not None and (
                t - position <= DECODE_ON_S or (key_frame_before(info, t, probe) or 0.0) <= position
            )
            # a file that cannot seek (a raw .h264 stream) is read on from the last picture instead
            if not decode_on and (seek(container, stream, max(0.0, t + info.start_s - 0.5)) or frames is None):
                frames = _decode(container, stream, info, None)
            assert frames is not None  # (decode_on needs frames)
            for frame_t, frame in frames:
                position = frame_t
                if frame_t + 1e-3 >= t:
                    last = (frame_t, upright(frame.to_ndarray(width=size[0], height=size[1], format="rgb24"), info))
                    yield t, last[1]
                    break
