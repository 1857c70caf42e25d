"""The review summary as a PDF, drawn by Qt from the same HTML page core.export writes (QTextDocument
laid out on A4 pages by QPdfWriter): no new dependency, text that can be selected and extracted. Used by
the export dialog and by ``moviebuddy export --format pdf`` (which starts an offscreen Qt when none runs)."""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

from core.events import CancelToken, Done, Progress
from core.export import summary_of, to_html
from core.spoiler_window import Window
from core.store import Film, Store

RESOLUTION_DPI = 150


def export_pdf(
    store: Store,
    film: Film,
    out_path: str | Path,
    window: Window,
    include_conversation: bool = False,
    cancel: CancelToken | None = None,
    model=None,
) -> Generator[Progress | Done, None, None]:
    """Progress while the summary is made, then Done(the PDF's path); cancelled: Done(None, complete=False).
    ``model``: as for core.export.export_summary (a written synopsis, each sentence checked)."""
    summary = yield from summary_of(store, film, window, include_conversation, cancel, model=model)
    if summary is None:
        yield Done(None, complete=False)
        return
    out = Path(out_path)
    yield Progress("writing", 0, 1, unit="files", message=f"drawing {out.name}")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    html_to_pdf(to_html(summary), partial)
    partial.replace(out)
    yield Done(out)


def html_to_pdf(html: str, out: Path) -> None:
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:  # the command line: a Qt that draws without a screen (a widgets
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # application, so that one process can
        _keep.append(QApplication([]))  # still open windows after it, as the tests do)
    writer = QPdfWriter(str(out))
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle("Movie Buddy summary")
    writer.setCreator("Movie Buddy")
    document = QTextDocument()
    document.setHtml(html)
    rect = writer.pageLayout().paintRectPixels(RESOLUTION_DPI)
    document.setPageSize(QSizeF(rect.width(), rect.height()))
    document.print_(writer)


_keep: list = []  # the command line's QGuiApplication lives as long as the process
