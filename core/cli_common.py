"""What the command line's commands share: exit codes, the store they open, argument values."""

from __future__ import annotations

import argparse

from core.errors import MovieBuddyError

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INPUT, EXIT_CANCELLED = 0, 1, 2, 3, 130


class UsageError(MovieBuddyError):
    """A malformed argument value."""


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def default_store():
    from core.store import open_store

    return open_store()


def window_of(args):
    from core.spoiler_window import Window, parse_ranges
    from core.timefmt import parse_time

    try:
        if getattr(args, "watched", None):
            return Window.watched(parse_ranges(args.watched))
        if args.until is not None:
            return Window.until(parse_time(args.until))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Window.whole()
