"""One registry that maps a vision encoder's name to its factory.

Built-in encoders register here the same way plugins do (entry point group ``moviebuddy.vision``).
A name with a slash, or an existing folder, is read as a Hugging Face CLIP/SigLIP model."""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

from core.errors import UnknownBackend

log = logging.getLogger(__name__)

DEFAULT_VISION = "efficientnet-lite0"
_factories: dict[str, Callable] = {}
_plugins_loaded = False


def register(name: str, factory: Callable) -> None:
    """Register ``factory(**options) -> VisionEncoder`` under ``name``."""
    _factories[name] = factory


def unregister(name: str) -> None:
    _factories.pop(name, None)


def names() -> list[str]:
    _load_builtins()
    return sorted(_factories)


def is_huggingface_name(name: str) -> bool:
    return "/" in name or Path(name).expanduser().is_dir()


def create(name: str | None = None, **options):
    """Build the encoder called ``name`` (default: efficientnet-lite0)."""
    name = name or DEFAULT_VISION
    _load_builtins()
    if name in _factories:
        return _factories[name](**options)
    if is_huggingface_name(name):
        from core.encoders.clip import HFClipEncoder

        return HFClipEncoder(name, **options)
    raise UnknownBackend(
        f"unknown vision encoder {name!r}; choose one of: {', '.join(names())}, "
        "or a Hugging Face CLIP/SigLIP id or folder (e.g. openai/clip-vit-base-patch32)"
    )


def name_of(encoder_id: str) -> str:
    """The registry name behind a stored encoder id ("efficientnet-lite0@57934424/grid2" ->
    "efficientnet-lite0", "hf:openai/clip-vit-base-patch32@abc/grid2" -> "openai/clip-vit-base-patch32")."""
    name = encoder_id.rsplit("/grid", 1)[0].rsplit("@", 1)[0]
    return name[3:] if name.startswith("hf:") else name


def _load_builtins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from core.encoders.efficientnet import EfficientNetLite0

    _factories.setdefault(DEFAULT_VISION, EfficientNetLite0)
    for ep in entry_points(group="moviebuddy.vision"):
        try:
            _factories.setdefault(ep.name, ep.load())
        except Exception as exc:  # a broken plugin must not break the app
            log.warning("vision plugin %s failed to load: %s", ep.name, exc)
