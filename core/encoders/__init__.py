"""Vision encoders: one Protocol, one registry, pluggable backends."""

from core.encoders.base import EncodedFrames, Queries, VisionEncoder
from core.encoders.registry import DEFAULT_VISION, create, name_of, names, register, unregister

__all__ = [
    "DEFAULT_VISION",
    "EncodedFrames",
    "Queries",
    "VisionEncoder",
    "create",
    "name_of",
    "names",
    "register",
    "unregister",
]
