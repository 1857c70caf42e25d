"""Indexing in a process of its own, for the desktop app: ``python -m core.index_worker FILM``.

The app's player must never wait for the indexer. In one process they would share Python's lock: while
the indexer imports torch or loads its models, the window cannot draw mpv's frames on time. So the app
runs this worker at the lowest CPU priority and talks to it through lines:

- stdin, one command a line: ``playhead SECONDS`` (where the viewer is), ``cancel``.
- stdout, one JSON event a line: ``{"event": "progress", ...}``, ``{"event": "done", ...}``,
  ``{"event": "failed", "message": ...}``.

Each batch is committed as it is made, so stopping the process at any moment (pause is SIGSTOP, a crash
or a kill) loses nothing that was stored."""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from core.errors import MovieBuddyError
from core.events import CancelToken, Done, Progress
from core.worker_io import emit, start_worker


def progress_json(event: Progress) -> dict:
    return {"event": "progress", "stage": event.stage, "done": event.done, "total": event.total,
            "message": event.message, "covered": [list(r) for r in event.covered]}


def done_json(event: Done) -> dict:
    result = event.result
    data = result.as_json() if result is not None else {}
    data.update(event="done", complete=event.complete, added=getattr(result, "added", 0))
    return data


class Commands:
    """What the app says on stdin, read on a thread: the viewer's position and the cancel request."""

    def __init__(self, stream, playhead: float | None = None) -> None:
        self.playhead = playhead  # set before the reader starts: a position read from stdin must win
        self.cancel = CancelToken()
        self._stream = stream
        threading.Thread(target=self._read, name="commands", daemon=True).start()

    def _read(self) -> None:
        for line in self._stream:
            word, _, rest = line.strip().partition(" ")
            if word == "playhead":
                try:
                    self.playhead = float(rest)
                except ValueError:
                    pass
            elif word == "cancel":
                self.cancel.cancel()
        self.cancel.cancel()  # the app went away: stop after this batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.index_worker")
    parser.add_argument("film")
    parser.add_argument("--home")
    parser.add_argument("--vision")
    parser.add_argument("--fps", type=float, default=1.0)
    parser.add_argument("--playhead", type=float)
    parser.add_argument("--nice", type=int, default=19)
    args = parser.parse_args(argv)
    try:
        start_worker(args.nice)
        commands = Commands(sys.stdin, args.playhead)
        from core.indexing import index_film
        from core.store import open_store

        with open_store(args.home) as store:
            for event in index_film(store, args.film, vision=args.vision, fps=args.fps, cancel=commands.cancel,
                                    playhead=lambda: commands.playhead, background=True):
                emit(progress_json(event) if isinstance(event, Progress) else done_json(event))
    except MovieBuddyError as exc:
        emit({"event": "failed", "message": str(exc)})
        return 3
    except Exception as exc:  # reported to the window as one line
        logging.getLogger(__name__).exception("indexing failed")
        emit({"event": "failed", "message": f"indexing stopped: {exc}"})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
