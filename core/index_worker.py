"""Indexing in a process of its own, for the desktop app: ``python -m core.index_worker FILM``.

The app's player must never wait for the indexer. In one process they would share Python's lock: while
the indexer imports torch or loads its models, the window cannot draw mpv's frames on time. So the app
runs this worker at the lowest CPU priority and talks to it through lines.

Both directions speak core.protocol's messages, one JSON line each: in, ``Playhead`` (where the viewer
is) and ``CancelIndexing``; out, ``IndexProgress``, then ``IndexDone`` or ``Failed``. ``--also asr`` (or
``ocr_subtitle``; core.protocol.ALSO_SOURCES) runs that slow dialogue source although the film does not
need it (speech recognition for a film with subtitles).

Each batch is committed as it is made, so stopping the process at any moment (pause is SIGSTOP, a crash
or a kill) loses nothing that was stored."""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from core import protocol
from core.errors import MovieBuddyError
from core.events import CancelToken, Done, Progress
from core.protocol import ALSO_SOURCES, CancelIndexing, Failed, IndexDone, IndexProgress, Playhead
from core.worker_io import emit, start_worker


def done_message(event: Done) -> IndexDone:
    result = event.result
    return IndexDone(
        frames=getattr(result, "frames", 0),
        added=getattr(result, "added", 0),
        dialogue_lines=getattr(result, "dialogue_lines", 0),
        complete=event.complete,
        seconds=getattr(result, "seconds", 0.0),
    )


class Commands:
    """What the app says on stdin, read on a thread: the viewer's position and the cancel request."""

    def __init__(self, stream, playhead: float | None = None) -> None:
        self.playhead = playhead  # set before the reader starts: a position read from stdin must win
        self.cancel = CancelToken()
        self._stream = stream
        threading.Thread(target=self._read, name="commands", daemon=True).start()

    def _read(self) -> None:
        for line in self._stream:
            message = protocol.decode(line)
            if isinstance(message, Playhead):
                self.playhead = float(message.seconds)
            elif isinstance(message, CancelIndexing):
                self.cancel.cancel()
        self.cancel.cancel()  # the app went away: stop after this batch


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m core.index_worker")
    parser.add_argument("film")
    parser.add_argument("--home")
    parser.add_argument("--vision")
    parser.add_argument("--fps", type=float, default=1.0)
    parser.add_argument("--playhead", type=float)
    parser.add_argument("--nice", type=int, default=19)
    parser.add_argument(
        "--whole-machine",
        action="store_true",
        help="no film plays (the library's queue): decode parts of the film at once and encode on every core "
        "but one, still at the lowest priority",
    )
    parser.add_argument(
        "--also", action="append", choices=ALSO_SOURCES, default=[], help="run this slow dialogue source too"
    )
    args = parser.parse_args(argv)
    args.also = tuple(dict.fromkeys(args.also))  # in the order asked, once each
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        from core.stretches import usable_cores

        start_worker(args.nice, threads=usable_cores() - 1 if args.whole_machine else 1)
        commands = Commands(sys.stdin, args.playhead)
        from core.indexing import index_film
        from core.store import open_store

        with open_store(args.home) as store:
            for event in index_film(
                store,
                args.film,
                vision=args.vision,
                fps=args.fps,
                cancel=commands.cancel,
                playhead=lambda: commands.playhead,
                background=not args.whole_machine,
                also=args.also,
            ):
                emit(IndexProgress(event) if isinstance(event, Progress) else done_message(event))
    except MovieBuddyError as exc:
        emit(Failed(str(exc)))
        return 3
    except Exception as exc:  # reported to the window as one line
        logging.getLogger(__name__).exception("indexing failed")
        emit(Failed(f"indexing stopped: {exc}"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
