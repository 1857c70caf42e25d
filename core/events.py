"""Events that long core operations yield, and the cancel token they honour.

Every long operation is a generator of these small frozen dataclasses; the Qt thread, the CLI progress
bar and plain loops in tests all drive the same generator.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


class Cancelled(Exception):
    """Raised inside a job when its cancel token was set; the job has stored what it finished."""


class CancelToken:
    """A thread-safe "abort wanted" flag, owned by the caller and checked by the job between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled")


@dataclass(frozen=True)
class Progress:
    """How far a job is: ``done`` of ``total`` in ``unit`` (seconds of film, files, ...)."""

    stage: str
    done: float
    total: float
    unit: str = "s"
    message: str = ""
    covered: tuple = ()  # for indexing: the (start, end) seconds of the film indexed so far
    rough: tuple = ()  # ... and of those, the parts seen only by the rough pass (key frames) so far

    @property
    def fraction(self) -> float:
        return 0.0 if self.total <= 0 else max(0.0, min(1.0, self.done / self.total))


@dataclass(frozen=True)
class Done:
    """The job finished (``complete``) or stopped early (cancelled); ``result`` is its summary."""

    result: Any = None
    complete: bool = True
    info: dict = field(default_factory=dict)
