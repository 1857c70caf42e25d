"""One registry that maps an answering model's name to its factory, like core.encoders.registry.

Names: ``extractive`` (no model: answers quote the evidence), ``smollm2`` (the offline default
generator), and kinds recognised by their shape: an OpenAI-compatible endpoint ``http(s)://HOST/v1#MODEL``,
``llama-cpp:PATH``, a ``.gguf`` file, a Hugging Face causal LM id or folder. Plugins add names through
the entry point group ``moviebuddy.answering`` (a factory ``(name, cache_folder) -> model``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

from core.errors import UnknownBackend

log = logging.getLogger(__name__)

EXTRACTIVE = "extractive"
Factory = Callable[[str, "Path | None"], object]
_named: dict[str, Factory] = {}
_kinds: list[tuple[str, Callable[[str], bool], Factory]] = []  # (what it is, does a name match, factory)
_warm: dict[str, object] = {}
_lock = threading.Lock()
_loaded = False


def register(name: str, factory: Factory) -> None:
    """Register ``factory(name, cache_folder)`` under an exact ``name``."""
    _named[name] = factory


def register_kind(label: str, matches: Callable[[str], bool], factory: Factory) -> None:
    """Register a kind of name (a URL, a file, ...); kinds are tried in the order registered."""
    _kinds.append((label, matches, factory))


def unregister(name: str) -> None:
    _named.pop(name, None)


def names() -> list[str]:
    """Exact names, then the kinds of name understood."""
    _load_builtins()
    return [EXTRACTIVE, *sorted(_named), *(label for label, _, _ in _kinds)]


def create(name: str | None, home: Path | None = None):
    """The answering model called ``name``; None for extractive answers (no model). Models are
    loaded once per process and kept warm."""
    if name in (None, "", EXTRACTIVE):
        return None
    _load_builtins()
    with _lock:
        if name not in _warm:
            _warm[name] = _factory(name)(name, (Path(home) / "cache" / "models") if home else None)
        return _warm[name]


def _factory(name: str) -> Factory:
    if name in _named:
        return _named[name]
    for _, matches, factory in _kinds:
        if matches(name):
            return factory
    raise UnknownBackend(f"unknown answering model {name!r}; choose {', '.join(names()[:-1])} or {names()[-1]}")


def _is_huggingface(name: str) -> bool:
    return "/" in name or Path(name).expanduser().is_dir()


def _load_builtins() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from core.answering import models

    _named.setdefault("smollm2", models.smollm2)
    register_kind("an OpenAI-compatible URL#MODEL", lambda n: n.startswith(("http://", "https://")), models.endpoint)
    register_kind("llama-cpp:PATH", lambda n: n.startswith("llama-cpp:"), models.llama_cpp)
    register_kind("a .gguf file", lambda n: n.endswith(".gguf"), models.gguf_file)
    register_kind("a Hugging Face id or folder", _is_huggingface, models.huggingface)
    for ep in entry_points(group="moviebuddy.answering"):
        try:
            _named.setdefault(ep.name, ep.load())
        except Exception as exc:  # a broken plugin must not break the app
            log.warning("answering plugin %s failed to load: %s", ep.name, exc)
