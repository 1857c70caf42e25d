"""Worker threads that can be accounted for: every one is tracked, so tests (and the window on close)
can check that none is left running."""

from __future__ import annotations

import weakref

from PySide6.QtCore import QThread

_threads: weakref.WeakSet[TrackedThread] = weakref.WeakSet()


class TrackedThread(QThread):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        _threads.add(self)


def running_threads() -> list[TrackedThread]:
    """The tracked worker threads still running."""
    return [t for t in list(_threads) if _running(t)]


def _running(thread: TrackedThread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:  # its C++ side was deleted with its parent window: it had been stopped
        return False
