"""Where Movie Buddy keeps its data, and where the project's resources live."""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, fields
from pathlib import Path

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DB_NAME = "moviebuddy.db"


def default_home() -> Path:
    """The per-user data folder: ``MOVIEBUDDY_HOME`` if set, else the one chosen in the settings, else
    the platform's data dir."""
    env = os.environ.get("MOVIEBUDDY_HOME")
    if env:
        return Path(env).expanduser()
    chosen = load_settings().data_folder
    if chosen:
        return Path(chosen).expanduser()
    return platform_home()


def platform_home() -> Path:
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


@dataclass
class Settings:
    """What the viewer chose (the app's settings dialog writes it; the CLI uses it as its defaults).
    None means the built-in default."""

    vision: str | None = None  # vision encoder name (core.encoders registry)
    llm: str | None = None  # answering model: None = extractive; "smollm2", an HF id, a .gguf, URL#MODEL
    fps: float = 1.0  # frames indexed per second of film
    data_folder: str | None = None  # where the database and caches live
    speech_with_subtitles: bool = False  # recognise speech also in films that have subtitles (slow)


def config_path() -> Path:
    env = os.environ.get("MOVIEBUDDY_CONFIG")
    if env:
        return Path(env).expanduser()
    if sys.platform == "darwin":
        return platform_home() / "settings.json"
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "moviebuddy" / "settings.json"


def load_settings() -> Settings:
    """The saved settings; a missing or unreadable file gives the defaults (with a warning)."""
    path = config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable settings %s: %s", path, exc)
        return Settings()
    known = {f.name for f in fields(Settings)}
    settings = Settings(**{k: v for k, v in data.items() if k in known})
    try:
        settings.fps = float(settings.fps)
    except (TypeError, ValueError):
        settings.fps = 1.0
    settings.speech_with_subtitles = settings.speech_with_subtitles is True
    return settings


def save_settings(settings: Settings) -> Path:
    """Write the settings atomically (a crash never leaves half a file)."""
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    tmp.replace(path)
    return path
