"""Small pictures of a film's moments, for the evidence behind an answer."""

from __future__ import annotations

from collections.abc import Iterator

import av
import numpy as np

from core.errors import UnusableMedia
from core.media.frames import _decode, seek, upright
from core.media.probe import MediaInfo


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
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        frames = None
        for t in sorted({float(t) for t in times}):
            # a file that cannot seek (a raw .h264 stream) is read on from the last picture instead
            if seek(container, stream, max(0.0, t + info.start_s - 0.5)) or frames is None:
                frames = _decode(container, stream, info, None)
            for frame_t, frame in frames:
                if frame_t + 1e-3 >= t:
                    yield t, upright(frame.to_ndarray(width=size[0], height=size[1], format="rgb24"), info)
                    break
