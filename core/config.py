"""Where Movie Buddy keeps its data, and where the project's resources live."""

from __future__ import annotations

import os
import sys
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DB_NAME = "moviebuddy.db"


def default_home() -> Path:
    """The per-user data folder: ``MOVIEBUDDY_HOME`` if set, else the platform's data dir."""
    env = os.environ.get("MOVIEBUDDY_HOME")
    if env:
        return Path(env).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "MovieBuddy"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "MovieBuddy"
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "moviebuddy"


def resource(name: str) -> Path:
    """Path of a file shipped in ``resources/``."""
    path = RESOURCES / name
    if not path.exists():
        raise FileNotFoundError(f"missing resource {name!r} in {RESOURCES}")
    return path
