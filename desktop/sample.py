"""Making the sample film on first use, off the GUI thread (it takes a few seconds)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal

from core.events import CancelToken
from desktop.threads import TrackedThread

log = logging.getLogger(__name__)


class SampleMaker(TrackedThread):
    progress = Signal(float)
    made = Signal(object)  # Path
    failed = Signal(str)

    def __init__(self, home: Path, parent=None) -> None:
        super().__init__(parent)
        self.home = Path(home)
        self._cancel = CancelToken()

    def cancel(self) -> None:
        self._cancel.cancel()

    def run(self) -> None:
        from core.sample import ensure_sample, sample_path

        try:
            path = ensure_sample(
                sample_path(self.home), progress=lambda e: self.progress.emit(e.fraction), cancel=self._cancel
            )
        except Exception as exc:
            log.exception("the sample film could not be made")
            self.failed.emit(f"The sample film could not be made: {exc}")
            return
        if not self._cancel.cancelled:
            self.made.emit(Path(path))
