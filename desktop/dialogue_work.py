"""What the app knows of a film's slow dialogue sources that the viewer can ask for (core.protocol's
ALSO_SOURCES): whether one can still run on the film (it has what the source reads and the source is not
done), and which ones the viewer asked for before and were left half done (they go on when indexing
starts again, as the film's text subtitles would otherwise keep them from running)."""

from __future__ import annotations

from core.media.probe import MediaInfo
from core.store import Film, Store

SPEECH, IMAGE_SUBTITLES = "asr", "ocr_subtitle"


def _progress_name(name: str, info: MediaInfo) -> str | None:
    """The name under which the source keeps how far it got (None: the film has nothing it reads)."""
    if name == SPEECH:
        from core.dialogue import speech

        return speech.SOURCE if info.has_audio else None
    if name == IMAGE_SUBTITLES:
        from core.dialogue.image_subs import image_stream

        stream = image_stream(info)
        return stream.name if stream is not None else None
    return None


def has_input(name: str, info: MediaInfo) -> bool:
    """Whether the film has what the source reads: sound for speech, an image subtitle stream for OCR."""
    return _progress_name(name, info) is not None


def can_run(store: Store, film: Film, info: MediaInfo, name: str) -> bool:
    """Whether the source has work left on this film."""
    progress_name = _progress_name(name, info)
    if progress_name is None:
        return False
    done = store.dialogue_progress(film.id, progress_name)
    return done is None or done[0] < info.duration_s


def is_done(store: Store, film: Film, info: MediaInfo, name: str) -> bool:
    """Whether the source has read the whole film."""
    return has_input(name, info) and not can_run(store, film, info, name)


def left_half_done(store: Store, film: Film, info: MediaInfo) -> tuple[str, ...]:
    """The sources that started on this film (the viewer asked, or the film needed them) and did not
    finish."""
    from core.protocol import ALSO_SOURCES

    started = []
    for name in ALSO_SOURCES:
        progress_name = _progress_name(name, info)
        if progress_name is not None and store.dialogue_progress(film.id, progress_name) is not None:
            if can_run(store, film, info, name):
                started.append(name)
    return tuple(started)


def runs_anyway(store: Store, film: Film, info: MediaInfo, name: str) -> bool:
    """Whether indexing runs the source without being asked (speech for a film without subtitles)."""
    from core.dialogue.sources import kinds

    return any(kind.name == name and kind.wanted(store, film, info) for kind in kinds())
