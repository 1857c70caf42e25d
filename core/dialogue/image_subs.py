"""Dialogue from image subtitles (DVD, Blu-ray PGS), for films whose subtitles are pictures: each
subtitle's bitmap is drawn with its palette (core.media.image_subtitles), read by OCR (core.ocr) and
tidied (core.dialogue.ocr_text), and stored with the times it is shown, marked ``ocr_subtitle``.

Lines are stored a batch at a time with how far the reading got, so a killed or cancelled run goes on
from the next subtitle."""

from __future__ import annotations

from collections.abc import Generator

from core.dialogue.ocr_text import clean_text
from core.events import CancelToken, Progress
from core.media.image_subtitles import bitmap_subtitles
from core.media.probe import MediaInfo
from core.media.subtitles import PREFERRED_LANGUAGES, DialogueLine, DialogueSource, embedded_sources
from core.store import Film, Store

KIND = "ocr_subtitle"
BATCH = 20  # subtitles read between two writes (a few seconds of work)


def image_stream(info: MediaInfo) -> DialogueSource | None:
    """The image subtitle stream to read: the viewer's language first, then the first one."""
    images = [s for s in embedded_sources(info) if s.kind == "image"]
    return min(images, key=lambda s: (s.language or "en") not in PREFERRED_LANGUAGES, default=None)


def wanted(store: Store, film: Film, info: MediaInfo) -> bool:
    """Image subtitles are read for a film that has them and no text subtitles in the viewer's language,
    until they are read."""
    from core import ocr

    stream = image_stream(info)
    if stream is None or not ocr.available():
        return False
    from core.dialogue.sources import has_subtitles

    if has_subtitles(store, film, ("sidecar", "embedded")):
        return False
    return not finished(store, film, info)


def finished(store: Store, film: Film, info: MediaInfo) -> bool:
    stream = image_stream(info)
    done = store.dialogue_progress(film.id, stream.name) if stream else None
    return stream is None or (done is not None and done[0] >= info.duration_s)


def read(
    store: Store, film: Film, info: MediaInfo, cancel: CancelToken | None = None
) -> Generator[Progress, None, None]:
    """Read the film's image subtitles from where the last run stopped, storing lines a batch at a time."""
    from core import ocr

    cancel = cancel or CancelToken()
    stream = image_stream(info)
    if stream is None or stream.stream_index is None:
        return
    source = DialogueSource(stream.name, KIND, stream.language, stream_index=stream.stream_index)
    done = store.dialogue_progress(film.id, source.name)
    start_s = done[0] if done else 0.0
    if start_s >= info.duration_s:
        return
    yield Progress("image subtitles", start_s, info.duration_s, message="reading subtitles")
    lines: list[DialogueLine] = []
    for subtitle in bitmap_subtitles(info.path, stream.stream_index, start_s):
        if cancel.cancelled:
            break
        text = clean_text([line.text for line in ocr.read_lines(subtitle.picture)])
        if text:
            lines.append(DialogueLine(subtitle.start, subtitle.end, text))
        if len(lines) >= BATCH:
            # the next run starts just after this batch's last subtitle
            store.append_dialogue(film.id, source, lines, lines[-1].start + 1e-3)
            yield Progress("image subtitles", lines[-1].start, info.duration_s, message="reading subtitles")
            lines = []
    if cancel.cancelled:
        if lines:
            store.append_dialogue(film.id, source, lines, lines[-1].start + 1e-3)
        return
    store.append_dialogue(film.id, source, lines, info.duration_s)
    yield Progress("image subtitles", info.duration_s, info.duration_s, message="reading subtitles")
