"""The dark theme: a dark Fusion palette plus the stylesheet in resources/dark.qss."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from core.config import resource


def apply_dark_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#14161b"),
        (QPalette.ColorRole.WindowText, "#e6e8ec"),
        (QPalette.ColorRole.Base, "#181b21"),
        (QPalette.ColorRole.AlternateBase, "#1b1e25"),
        (QPalette.ColorRole.Text, "#e6e8ec"),
        (QPalette.ColorRole.Button, "#2a2f3a"),
        (QPalette.ColorRole.ButtonText, "#e6e8ec"),
        (QPalette.ColorRole.Highlight, "#b9822f"),
        (QPalette.ColorRole.HighlightedText, "#14161b"),
        (QPalette.ColorRole.Link, "#e0a84f"),
        (QPalette.ColorRole.ToolTipBase, "#23272f"),
        (QPalette.ColorRole.ToolTipText, "#e6e8ec"),
        (QPalette.ColorRole.PlaceholderText, "#6b7280"),
    ):
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    app.setStyleSheet(resource("dark.qss").read_text(encoding="utf-8"))
