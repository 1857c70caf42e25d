"""A film's dialogue: where its timed lines come from (core.dialogue.sources, one registry of dialogue
sources), and the moments they make for search (core.dialogue.moments). The indexer writes through
``ingest_dialogue`` and ``embed_moments``; retrieval and recaps read ``moment_texts``."""

from core.dialogue.moments import embed_moments, moment_texts
from core.dialogue.sources import DialogueSourceKind, ingest_dialogue, kinds, register, slow_dialogue

__all__ = [
    "DialogueSourceKind",
    "embed_moments",
    "ingest_dialogue",
    "kinds",
    "moment_texts",
    "register",
    "slow_dialogue",
]
