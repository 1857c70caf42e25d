"""What the command line's commands share: exit codes, the store they open, argument values."""

from __future__ import annotations

import argparse
import logging
import math
import sqlite3

from core.errors import MovieBuddyError

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INPUT, EXIT_CANCELLED = 0, 1, 2, 3, 130
# Frames sampled per second of film: the index keeps one picture per sample, so 30 (every frame of most
# films) is already far past useful; a higher rate only fills the disk.
MAX_FPS = 30.0


class UsageError(MovieBuddyError):
    """A malformed argument value."""


def positive_float(text: str) -> float:
    """A finite number above 0 (``nan``, ``inf`` and ``1e999`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def frame_rate(text: str) -> float:
    """Frames per second to sample: above 0 and at most ``MAX_FPS``."""
    value = positive_float(text)
    if value > MAX_FPS:
        raise argparse.ArgumentTypeError(f"at most {MAX_FPS:g} frames per second, not {text}")
    return value


def default_store():
    from core.store import open_store

    return open_store()


def window_of(args):
    from core.spoiler_window import Window, parse_ranges
    from core.timefmt import parse_time

    try:
        if getattr(args, "watched", None):
            ranges = parse_ranges(args.watched)
            if not ranges:
                raise ValueError(f"no range in --watched {args.watched!r} (use START-END, e.g. 0-12:30)")
            return Window.watched(ranges)
        if args.until is not None:
            return Window.until(parse_time(args.until))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Window.whole()


def store_failure(exc: sqlite3.Error, where=None) -> str:
    """The one line to show for an error of the database at ``where`` (default: the data folder's): a full
    disk says so, and that nothing indexed is lost (every batch commits in one transaction); anything else
    gives the database's own words."""
    if where is None:
        from core.config import default_home

        where = default_home() / "moviebuddy.db"
    if any(_is_full(e) for e in _chain(exc)):
        return f"the disk is full ({where}): what was indexed is kept; free some space and run it again"
    if any("readonly" in str(e) or "read-only" in str(e) for e in _chain(exc)):
        return f"the data folder is read-only ({where}): nothing was changed; use a writable one (--home)"
    return f"the database failed ({where}): {exc}"


def _chain(exc: BaseException | None):
    """``exc`` and the errors it was raised while handling: SQLite rolls back a transaction itself when the
    disk fills, so the store's own ROLLBACK then fails with "no transaction is active" over the cause."""
    seen = 0
    while exc is not None and seen < 10:
        yield exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1


def _is_full(exc: BaseException) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc)


def say(text: str, **kwargs) -> None:
    """Print text that comes from a film (titles, subtitles, answers quoting them, file names) without the
    control characters and escape sequences that would drive the terminal."""
    from core.media.subtitles import strip_controls

    print(strip_controls(text), **kwargs)


def one_line(text: str) -> str:
    """``text`` for a one-line message: control characters dropped, a line break or tab in it (a file name
    may hold one) shown as ``\\n`` or ``\\t`` so the message stays on its line."""
    from core.media.subtitles import strip_controls

    return strip_controls(text).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


class OneLineFormatter(logging.Formatter):
    """Log messages (warnings naming a file) kept to their line, as ``one_line`` does."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return one_line(super().formatMessage(record))


def complain(message: str) -> None:
    """The command's one-line message on stderr: ``moviebuddy: message``."""
    import sys

    print(f"moviebuddy: {one_line(message)}", file=sys.stderr)
