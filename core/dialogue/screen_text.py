"""On-screen text (title cards, signs, letters, screens) read by OCR, stored as ``screen_text`` beside the
dialogue: searchable, and evidence for answers ("Three weeks later" on a card says when).

Frames are read where text is likely to appear or change: just after each scene starts (a title card is
a scene of its own) and every ``EVERY_S`` seconds inside long scenes (a sign that comes into view). The
same text read on consecutive frames is one line that lasts until it is gone. Lines are stored a batch at
a time with how far the reading got, so a killed run goes on from there."""

from __future__ import annotations

import difflib
import re
from collections.abc import Generator

from core.dialogue.ocr_text import clean_line, known
from core.events import CancelToken, Progress
from core.media.probe import MediaInfo
from core.media.subtitles import DialogueLine, DialogueSource
from core.store import Film, Store

SOURCE = "screen_text:ocr"
KIND = "screen_text"
EVERY_S = 10.0
WIDTH = 960  # OCR reads at most this wide
MIN_CONFIDENCE = 0.8
BATCH = 10  # frames read between two writes
_LETTERS = re.compile(r"[A-Za-z]{4,}")


def wanted(store: Store, film: Film, info: MediaInfo) -> bool:
    """Every film with a picture is read once its scenes are known, until it is done."""
    from core import ocr

    if not info.width or not ocr.available() or not store.scenes(film.id):
        return False
    done = store.dialogue_progress(film.id, SOURCE)
    return done is None or done[0] < info.duration_s


def moments(store: Store, film: Film, info: MediaInfo, after: float) -> list[float]:
    """When to look: just after each scene starts, then every EVERY_S seconds while it lasts."""
    times = set()
    for scene in store.scenes(film.id):
        start, end = float(scene["start"]), float(scene["end"])
        t = start + min(1.0, (end - start) / 2)
        while t < end:
            times.add(round(t, 2))
            t += EVERY_S
    return sorted(t for t in times if after <= t < info.duration_s)


def readable(text: str, confidence: float) -> bool:
    """Text worth keeping: read with confidence and holding a known word or a run of letters (OCR finds
    letters in brickwork and foliage; those come out short, unsure or without words)."""
    if confidence < MIN_CONFIDENCE or sum(c.isalnum() for c in text) < 3:
        return False
    words = re.findall(r"[A-Za-z']+", text)
    return any(len(w) >= 3 and known(w) for w in words) or bool(_LETTERS.search(text) and confidence >= 0.9)


def frame_text(picture) -> str:
    from core import ocr

    lines = [clean_line(line.text) for line in ocr.read_lines(picture) if readable(line.text, line.confidence)]
    return "\n".join(line for line in lines if line)


def same(a: str, b: str) -> bool:
    """The same text read twice (OCR may differ by a letter between frames)."""
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() >= 0.8


def read(
    store: Store, film: Film, info: MediaInfo, cancel: CancelToken | None = None
) -> Generator[Progress, None, None]:
    """Read the film's on-screen text from where the last run stopped."""
    from core.media.thumbnail import pictures_at

    cancel = cancel or CancelToken()
    done = store.dialogue_progress(film.id, SOURCE)
    start_s = done[0] if done else 0.0
    times = moments(store, film, info, start_s)
    source = DialogueSource(SOURCE, KIND, None)
    if not times:
        store.append_dialogue(film.id, source, [], info.duration_s)
        return
    yield Progress("screen text", start_s, info.duration_s, message="reading on-screen text")
    width = min(WIDTH, max(16, info.width or WIDTH))
    lines: list[DialogueLine] = []
    showing: tuple[float, float, str] | None = None  # text on screen now: first seen, last seen, text
    read_since = 0
    for t, picture in pictures_at(info, times, width - width % 2):
        if cancel.cancelled:
            break
        text = frame_text(picture)
        if showing and text and same(showing[2], text):
            showing = (showing[0], t, showing[2])
        else:
            if showing:  # on screen from when it was first seen until it was seen gone
                lines.append(DialogueLine(showing[0], t, showing[2]))
            showing = (t, t, text) if text else None
        read_since += 1
        if read_since >= BATCH and showing is None:  # store only where no text is left half-seen
            store.append_dialogue(film.id, source, lines, t + 1e-3)
            yield Progress("screen text", t, info.duration_s, message="reading on-screen text")
            lines, read_since = [], 0
    if cancel.cancelled:
        return  # what was read since the last write is read again next time
    if showing:
        lines.append(DialogueLine(showing[0], min(info.duration_s, showing[1] + EVERY_S), showing[2]))
    store.append_dialogue(film.id, source, lines, info.duration_s)
    yield Progress("screen text", info.duration_s, info.duration_s, message="reading on-screen text")
