"""Review summaries of a film, without Qt: ``build_summary`` decides what a summary holds (only what lies
inside the window), one writer per format family lays it out (Markdown with its pictures beside it, a
self-contained HTML page, chapters for players), and ``export_summary`` is the one use case the command
line and the app's export dialog both call.

PDF is not written here: the desktop draws it from ``to_html``'s page with Qt (``desktop.pdf``), so that
core needs no layout engine; asked for "pdf", ``export_summary`` says so."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator
from pathlib import Path

from core.errors import MovieBuddyError
from core.events import CancelToken, Done, Progress
from core.export.chapters import to_ffmetadata, to_webvtt_chapters
from core.export.html_page import to_html
from core.export.markdown import to_markdown
from core.export.model import ReviewSummary
from core.export.summary import build_summary
from core.export.written import written_synopsis
from core.spoiler_window import Window
from core.store import Film, Store
from core.text_embed import TextEmbedder

FORMATS = ("md", "html", "chapters")  # and "pdf", drawn by the desktop from to_html


class ExportError(MovieBuddyError):
    """A summary that cannot be exported as asked (an unknown format, or PDF without the desktop)."""


def export_summary(
    store: Store,
    film: Film,
    fmt: str,
    out_path: str | Path,
    window: Window,
    include_conversation: bool = False,
    cancel: CancelToken | None = None,
    *,
    embedder: TextEmbedder | None = None,
    model=None,
) -> Generator[Progress | Done, None, None]:
    """Write ``film``'s review summary over ``window`` to ``out_path`` as ``fmt``: "md" (with its pictures
    in ``NAME_files/`` beside it), "html" (one self-contained page) or "chapters" (FFmetadata at
    ``out_path`` and WebVTT beside it with the same stem and .vtt; Done.info["webvtt"] names it).

    ``model``: an answering model (core.answering.registry) that also writes a synopsis, each sentence
    kept only where the film's lines support it; None (the default offline stack) keeps it extractive.
    Returns a generator of Progress ending in Done(the path written); cancelled, it ends in
    Done(None, complete=False) and writes nothing. The format is checked at once, before any work:
    "pdf" raises ExportError (the desktop package draws it), as does an unknown format."""
    if fmt == "pdf":
        raise ExportError(
            "PDF is drawn from the HTML summary by the desktop app (desktop.pdf, with Qt); "
            f"core alone exports {', '.join(FORMATS)}"
        )
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: use one of {', '.join((*FORMATS, 'pdf'))}")
    model = model if fmt != "chapters" else None  # chapters hold no synopsis
    return _export(store, film, fmt, Path(out_path), window, include_conversation, cancel, embedder, model)


def _export(
    store: Store,
    film: Film,
    fmt: str,
    out: Path,
    window: Window,
    include_conversation: bool,
    cancel: CancelToken | None,
    embedder: TextEmbedder | None,
    model=None,
) -> Generator[Progress | Done, None, None]:
    summary = yield from summary_of(store, film, window, include_conversation, cancel, embedder, model)
    if summary is None:
        yield Done(None, complete=False)
        return
    yield Progress("writing", 0, 1, unit="files", message=f"writing {out.name}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        yield Done(to_markdown(summary, out))
    elif fmt == "html":
        yield Done(write_text(out, to_html(summary)))
    else:
        vtt = webvtt_path(out)
        write_text(out, to_ffmetadata(summary))
        write_text(vtt, to_webvtt_chapters(summary))
        yield Done(out, info={"webvtt": str(vtt)})


def summary_of(
    store: Store,
    film: Film,
    window: Window,
    include_conversation: bool = False,
    cancel: CancelToken | None = None,
    embedder: TextEmbedder | None = None,
    model=None,
) -> Generator[Progress, None, ReviewSummary | None]:
    """``build_summary``'s Progress events, passed on; returns the summary (None when cancelled). For the
    writers: ``summary = yield from summary_of(...)``."""
    summary: ReviewSummary | None = None
    for event in build_summary(
        store, film, window, include_conversation=include_conversation, embedder=embedder, cancel=cancel
    ):
        if isinstance(event, Done):
            summary = event.result
        else:
            yield event
    if summary is not None and model is not None and not (cancel is not None and cancel.cancelled):
        yield Progress("writing", 0, 1, unit="steps", message=f"writing a synopsis with {model.id}")
        overall, _acts = written_synopsis(summary.synopsis, model, cancel)
        summary = dataclasses.replace(summary, written=overall, written_by=model.id)
    return None if cancel is not None and cancel.cancelled else summary


def webvtt_path(ffmetadata: Path) -> Path:
    """Where the WebVTT chapters go beside an FFmetadata file: the same stem, .vtt."""
    vtt = ffmetadata.with_suffix(".vtt")
    return vtt if vtt != ffmetadata else ffmetadata.with_name(ffmetadata.stem + ".chapters.vtt")


def write_text(path: Path, text: str) -> Path:
    """Write through a temporary name, so that a failed write never leaves half a file under the real one."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
    return path


__all__ = [
    "FORMATS",
    "ExportError",
    "ReviewSummary",
    "build_summary",
    "export_summary",
    "summary_of",
    "to_ffmetadata",
    "to_html",
    "to_markdown",
    "to_webvtt_chapters",
]
