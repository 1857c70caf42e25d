"""The command line's progress bar, fed with the Progress events of any long job."""

from __future__ import annotations

import sys
from typing import Any

from core.cli_common import one_line
from core.events import Done, Progress


class ProgressBar:
    """A tqdm bar on stderr, fed with Progress events (silent when stderr is not a terminal in CI logs)."""

    def __init__(self, title: str) -> None:
        self.title = one_line(title)  # a film's name may hold a line break
        self._bar: Any = None  # a tqdm bar once the first event arrives on a terminal

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def update(self, event: Progress) -> None:
        if not sys.stderr.isatty():
            self._plain(event)
            return
        from tqdm import tqdm

        if self._bar is None:
            unit = "s of film" if event.unit == "s" else event.unit
            self._bar = tqdm(
                total=round(event.total, 1),
                desc=self.title,
                unit=unit,
                file=sys.stderr,
                leave=False,
                dynamic_ncols=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} {unit} "
                "[{elapsed}<{remaining}]{postfix}",
            )
        self._bar.total = round(event.total, 1)
        self._bar.n = round(min(event.done, event.total), 1)
        self._bar.set_postfix_str(event.message, refresh=False)
        self._bar.refresh()

    def _plain(self, event: Progress) -> None:
        """Without a terminal (logs, pipes): one line per tenth of the way."""
        step = int(event.fraction * 10)
        if step > getattr(self, "_last_step", -1):
            self._last_step = step
            print(f"{self.title}: {step * 10}% {event.message}".rstrip(), file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def follow(job, bar: ProgressBar):
    """Drive a long job: its Progress events to ``bar``; returns the result its Done carries (None if none)."""
    result = None
    for event in job:
        if isinstance(event, Progress):
            bar.update(event)
        elif isinstance(event, Done):
            result = event.result
    return result
