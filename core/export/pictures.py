"""The scenes' pictures for a summary, as PNG bytes: taken from the film file when it is still there (and
still the film that was indexed), one at a time so that progress is reported and cancel is honoured."""

from __future__ import annotations

import io
import logging
from collections.abc import Generator, Sequence

from PIL import Image

from core.errors import UnusableMedia
from core.events import CancelToken, Progress
from core.store import Film, fingerprint

log = logging.getLogger(__name__)

THUMB_WIDTH = 240  # sharp enough in print at a column's width, small enough to embed a hundred in a page


def scene_pictures(
    film: Film, times: Sequence[float], width: int = THUMB_WIDTH, cancel: CancelToken | None = None
) -> Generator[Progress, None, dict[float, bytes]]:
    """Yields Progress while it takes a picture at each of ``times``; returns {t: PNG bytes}.

    A film whose file is gone, unreadable or replaced by another file gives no pictures (an empty dict),
    so that its summary is still exported, without pictures. On cancel it returns what it has so far."""
    from core.media.probe import probe
    from core.media.thumbnail import thumbnails

    if not times:
        return {}
    try:
        info = probe(film.path)
        if fingerprint(info.path) != film.fingerprint:
            log.info("%s is no longer the film that was indexed: the summary has no pictures", film.path)
            return {}
    except (UnusableMedia, OSError) as exc:
        log.info("the summary has no pictures: %s", exc)
        return {}
    pictures: dict[float, bytes] = {}
    total = len(times)
    for done, t in enumerate(times):
        yield Progress("pictures", done, total, unit="pictures", message=f"pictures of the scenes ({done}/{total})")
        if cancel is not None and cancel.cancelled:  # asked while the caller had the progress
            return pictures
        try:
            found = thumbnails(info, [t], width)
        except (UnusableMedia, OSError) as exc:  # the file went away or broke while it was read
            log.info("the summary's pictures stop at %.1fs: %s", t, exc)
            break
        if t in found:
            pictures[t] = png(found[t])
    yield Progress("pictures", len(pictures), total, unit="pictures", message="pictures taken")
    return pictures


def png(rgb) -> bytes:
    """An (H, W, 3) uint8 picture as PNG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
