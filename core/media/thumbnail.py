"""Small pictures of a film's moments, for the evidence behind an answer."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from core.errors import UnusableMedia


def thumbnails(path: str | Path, times, width: int = 160) -> dict[float, np.ndarray]:
    """One RGB picture (``width`` wide, the film's aspect) for each time in ``times``: the first frame at
    or after it. Times past the end are left out; an unreadable file raises UnusableMedia."""
    found: dict[float, np.ndarray] = {}
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise UnusableMedia(f"{Path(path).name}: cannot be opened ({exc})") from None
    with container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        height = max(2, int(round(width * (stream.height or 9) / max(1, stream.width or 16) / 2)) * 2)
        for t in sorted(set(float(t) for t in times)):
            container.seek(int(max(0.0, t + start - 0.5) / stream.time_base), stream=stream, backward=True)
            for frame in container.decode(stream):
                if frame.time is not None and frame.time - start + 1e-3 >= t:
                    found[t] = frame.to_ndarray(width=width, height=height, format="rgb24")
                    break
    return found
