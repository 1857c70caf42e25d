"""Where a film's dialogue comes from: one registry of dialogue sources.

Each kind of source (text subtitles, image subtitles read by OCR, speech recognition, on-screen text)
registers a ``DialogueSourceKind``: its name, which is preferred for answers
(``rank``: lower first), whether it should run for a film, and the function that stores its timed lines
(``store.replace_dialogue`` with a ``DialogueSource`` naming it). The indexer calls ``ingest_dialogue``,
which runs them in rank order."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from core.errors import SubtitleError
from core.events import CancelToken, Progress
from core.media import subtitles
from core.media.probe import MediaInfo
from core.store import Film, Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DialogueSourceKind:
    name: str  # "subtitle", "ocr_subtitle", "asr", "screen_text"
    label: str  # for the viewer: "text subtitles"
    rank: int  # which is preferred for answers when several exist: lower first
    wanted: Callable[[Store, Film, MediaInfo], bool]  # should it run for this film now
    ingest: Callable[[Store, Film, MediaInfo], None] | None = None  # store its lines (a quick source)
    # a slow source (speech, OCR): stores its lines a stretch at a time, yielding Progress, resumable
    run: Callable[[Store, Film, MediaInfo, CancelToken], Iterator[Progress]] | None = None


_kinds: dict[str, DialogueSourceKind] = {}


def register(kind: DialogueSourceKind) -> None:
    _kinds[kind.name] = kind


def kinds() -> list[DialogueSourceKind]:
    """The registered kinds of dialogue source, preferred first."""
    return sorted(_kinds.values(), key=lambda k: k.rank)


def ingest_dialogue(store: Store, film: Film, info: MediaInfo, subs: str | Path | None = None) -> int:
    """Store the film's dialogue: ``subs`` if given (always re-read), then every registered source that
    wants to run for this film. Returns the number of lines stored. An unreadable ``subs`` raises
    SubtitleError; an unreadable sidecar found by itself is skipped with a warning. ``subs`` replaces the
    text subtitles stored before (other files, the film's text streams): they are emptied, still listed;
    subtitles read from images, recognised speech and on-screen text stay."""
    if subs is not None:
        source = subtitles.sidecar_source(Path(subs))
        lines = subtitles.read_sidecar(subs)
        store.replace_dialogue(film.id, source, lines)
        for old in store.dialogue_sources(film.id):
            if old["kind"] in ("sidecar", "embedded") and old["lines"] and old["source"] != source.name:
                gone = subtitles.DialogueSource(name=old["source"], kind=old["kind"], language=old["language"])
                store.replace_dialogue(film.id, gone, [])
        store.choose_dialogue(film.id, source.name)  # the viewer named it: answers read it
    for kind in kinds():
        if kind.ingest is not None and kind.wanted(store, film, info):
            kind.ingest(store, film, info)
    return store.dialogue_count(film.id)


def slow_pending(store: Store, film: Film, info: MediaInfo) -> bool:
    """Whether a slow source still has work on this film (e.g. speech left half recognised)."""
    return any(kind.run is not None and kind.wanted(store, film, info) for kind in kinds())


def slow_dialogue(
    store: Store, film: Film, info: MediaInfo, cancel: CancelToken, forced: tuple[str, ...] = ()
) -> Iterator[Progress]:
    """Run the slow sources that want to (after the quick ones have stored what they found), and those
    named in ``forced`` (e.g. "asr": speech recognition also for a film with subtitles), in rank order;
    each goes on from where its last run stopped."""
    for kind in kinds():
        if kind.run is not None and not cancel.cancelled and (kind.name in forced or kind.wanted(store, film, info)):
            yield from kind.run(store, film, info, cancel)


def has_subtitles(store: Store, film: Film, kinds: tuple[str, ...]) -> bool:
    """Whether the film has lines of these kinds in the viewer's language (or in one not stated)."""
    return any(
        s["kind"] in kinds and s["lines"] > 0 and (s["language"] or "en") in subtitles.PREFERRED_LANGUAGES
        for s in store.dialogue_sources(film.id)
    )


# text subtitles: a sidecar file beside the film or a text stream inside it ------------------------------
def _has_text_lines(store: Store, film: Film, info: MediaInfo) -> bool:
    """Text subtitles already stored (recognised speech does not count: subtitles found later win)."""
    return any(s["kind"] in ("sidecar", "embedded") and s["lines"] > 0 for s in store.dialogue_sources(film.id))


def _subtitles_wanted(store: Store, film: Film, info: MediaInfo) -> bool:
    return True  # records image streams as present even when text lines are stored


def _ingest_subtitles(store: Store, film: Film, info: MediaInfo) -> None:
    """The best sidecar or embedded text stream, read once. Image subtitle streams are recorded as present
    (their text needs OCR)."""
    known = {s["source"] for s in store.dialogue_sources(film.id)}
    embedded = subtitles.embedded_sources(info)
    for source in embedded:
        if source.kind == "image" and source.name not in known:
            store.replace_dialogue(film.id, source, [])
    if _has_text_lines(store, film, info):
        return
    candidates = subtitles.find_sidecars(info.path) + embedded
    while (chosen := subtitles.choose_source(candidates)) is not None:
        try:
            lines = subtitles.read_source(chosen, info.path)
        except SubtitleError as exc:
            log.warning("skipping subtitles %s: %s", chosen.name, exc)
            candidates.remove(chosen)
            continue
        store.replace_dialogue(film.id, chosen, lines)
        return


register(DialogueSourceKind("subtitle", "text subtitles", 0, _subtitles_wanted, ingest=_ingest_subtitles))


def _slow(module: str, wanted: str, run: str) -> tuple[Callable, Callable]:
    """A slow source's two functions, importing its module (and its model packages) only when called."""
    import importlib

    def want(store: Store, film: Film, info: MediaInfo) -> bool:
        return getattr(importlib.import_module(module), wanted)(store, film, info)

    def go(store: Store, film: Film, info: MediaInfo, cancel: CancelToken) -> Iterator[Progress]:
        return getattr(importlib.import_module(module), run)(store, film, info, cancel)

    return want, go


_want, _run = _slow("core.dialogue.image_subs", "wanted", "read")
register(DialogueSourceKind("ocr_subtitle", "image subtitles read by OCR", 1, _want, run=_run))
_want, _run = _slow("core.dialogue.speech", "wanted", "recognise")
register(DialogueSourceKind("asr", "speech recognition", 2, _want, run=_run))
_want, _run = _slow("core.dialogue.screen_text", "wanted", "read")
register(DialogueSourceKind("screen_text", "on-screen text", 3, _want, run=_run))
