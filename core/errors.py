"""Errors the core reports to people: each carries one clear line."""


class MovieBuddyError(Exception):
    """Base class for errors shown to the viewer as one line."""


class UnusableMedia(MovieBuddyError):
    """The file cannot be played or indexed (missing, empty, not a video, truncated, unsupported)."""


class SubtitleError(MovieBuddyError):
    """A subtitle file could not be read."""


class StoreError(MovieBuddyError):
    """The database holds something it should not (for example a vector of the wrong length)."""


class UnknownBackend(MovieBuddyError):
    """A model name that no registry knows; the message lists the valid names."""
