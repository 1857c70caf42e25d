"""The window's empty state: what a viewer sees before a film is open (and while the sample is made)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget


def empty_page(open_film: Callable[[], None], open_sample: Callable[[], None]) -> tuple[QWidget, QLabel]:
    """The page and its progress label (where making the sample film reports)."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.addStretch(1)
    title = QLabel("Open a film to start")
    title.setObjectName("emptyTitle")
    text = QLabel(
        "Drop a film here, or use File ▸ Open. Movie Buddy plays it, learns it while you "
        "watch, and answers questions about it in the panel on the right, without spoiling "
        "what you have not seen yet."
    )
    text.setObjectName("emptyText")
    text.setWordWrap(True)
    progress = QLabel("")
    progress.setObjectName("emptyText")
    button = QPushButton("Open a film…")
    button.clicked.connect(open_film)
    sample = QPushButton("Watch the sample film")
    sample.clicked.connect(open_sample)
    for widget in (title, text, button, sample, progress):
        layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
    text.setMaximumWidth(560)
    layout.addStretch(2)
    return page, progress
