"""How far recognised text is from a reference: word and character error rates (Levenshtein distance over
the reference's length), the measures the speech tests and the dialogue benchmark report."""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")  # apostrophes kept inside a word: "don't", "anyone's"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def words(text: str) -> list[str]:
    """Lowercase word tokens: punctuation dropped, apostrophes kept inside words (curly ones made plain),
    hyphens and dashes separate words."""
    return _WORD.findall(text.lower().translate(_APOSTROPHES))


def edit_distance(reference: Sequence, hypothesis: Sequence) -> int:
    """Levenshtein distance: substitutions, deletions and insertions turning ``reference`` into
    ``hypothesis`` (any sequences: lists of words, strings)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


def word_error_rate(reference: Sequence[str], hypothesis: Sequence[str]) -> float:
    """Levenshtein distance over words / reference length (in words)."""
    return edit_distance(reference, hypothesis) / max(1, len(reference))


def _collapsed(text: str) -> str:
    return " ".join(text.lower().split())


def char_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance over characters / reference length, both texts lowercased with their runs of
    whitespace collapsed to one space."""
    reference, hypothesis = _collapsed(reference), _collapsed(hypothesis)
    return edit_distance(reference, hypothesis) / max(1, len(reference))
