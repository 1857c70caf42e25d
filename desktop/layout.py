"""How the main window is laid out: a problem bar over the pages (the empty page, the player page with the
picture over its transport bar), and panels docked beside the picture."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget


def problem_bar() -> QLabel:
    """A line over the picture for problems the viewer should see (hidden until there is one)."""
    problem = QLabel()
    problem.setObjectName("problem")
    problem.setWordWrap(True)
    problem.hide()
    return problem


def pages(problem: QLabel, stack: QStackedWidget, empty: QWidget, video: QWidget, controls: QWidget) -> QWidget:
    """The central area: ``problem`` over ``stack``, whose page 0 is ``empty`` and page 1 the player."""
    stack.addWidget(empty)
    player_page = QWidget()
    page = QVBoxLayout(player_page)
    page.setContentsMargins(0, 0, 0, 0)
    page.setSpacing(0)
    page.addWidget(video, 1)
    page.addWidget(controls)
    stack.addWidget(player_page)
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(problem)
    layout.addWidget(stack, 1)
    return central


def dock_beside(
    window: QMainWindow,
    panel: QWidget,
    title: str,
    name: str,
    width: int = 400,
    side: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
) -> QDockWidget:
    """``panel`` docked beside the picture (movable, closable; its place is saved by name)."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(panel)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    window.addDockWidget(side, dock)
    window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
    return dock
