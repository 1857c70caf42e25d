"""Whether a question asks about the picture, and what: colour or black and white, a colour, light or
dark, or a thing seen. Read from the vocabulary of colour, light and seeing, not from phrasings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import picture_words
from core.colours import COLOUR_NAMES as MEASURED_COLOURS

MONO_WORDS = {
    "black",
    "white",
    "grey",
    "gray",
    "monochrome",
    "greyscale",
    "grayscale",
    "b&w",
    "colour",
    "color",
    "colours",
    "colors",
    "coloured",
    "colored",
    "technicolor",
    "technicolour",
    "sepia",
}
LIGHT_WORDS = {
    "daytime",
    "daylight",
    "nighttime",
    "dark",
    "darkness",
    "bright",
    "sunny",
    "sunlight",
    "dusk",
    "dawn",
    "moonlight",
    "lit",
}  # "day" and "night" only together ("day or night?")
# Words that ask what can be seen (a question naming a thing without them is usually about the story).
SEEING_WORDS = {
    "see",
    "seen",
    "saw",
    "shown",
    "appear",
    "appears",
    "appeared",
    "visible",
    "onscreen",
    "picture",
    "image",
    "shot",
    "frame",
    "wear",
    "wears",
    "wearing",
    "look",
    "looks",
}
COLOUR_NAMES = set(MEASURED_COLOURS) | {"gray"}


@dataclass(frozen=True)
class PictureQuestion:
    kind: str  # "colour_mode" | "colour_of" | "light" | "thing"
    things: tuple[str, ...] = ()  # everyday words the question names
    yes_no: bool = False  # asked as a yes/no question ("Is there a dog?")


def picture_question(question: str) -> PictureQuestion | None:
    """What a question asks of the picture, from the words it uses for colour, light and things: an
    attribute of the picture (colour or black and white, a colour, light or dark), or a thing when the
    question asks what is seen ("Do you see a car?", "Is there a dog?", "What animal is by the gate?")."""
    tokens = re.findall(r"[a-z&]+", question.lower())
    words = set(tokens)
    things = tuple(picture_words.words_in(question))
    colour_words = words & MONO_WORDS
    yes_no = bool(tokens) and tokens[0] in {"is", "was", "are", "were", "does", "did", "do", "has", "have"}
    if (
        ("black" in words and "white" in words)
        or words & {"monochrome", "greyscale", "grayscale", "b&w", "sepia"}
        or (colour_words and yes_no and not things)
    ):  # "Is the film in colour?"
        return PictureQuestion("colour_mode", things)
    if colour_words & {"colour", "color", "colours", "colors", "coloured", "colored"}:
        return PictureQuestion("colour_of", things)
    if words & LIGHT_WORDS or {"day", "night"} <= words:
        return PictureQuestion("light", things)
    if things and (words & SEEING_WORDS or _asks_existence(tokens) or _asks_kind(tokens)):
        return PictureQuestion("thing", things, yes_no)
    return None


def _asks_existence(tokens: list[str]) -> bool:
    """ "Is there a ...", "Are there any ...": a question whether something is there."""
    return len(tokens) > 1 and tokens[0] in {"is", "are", "was", "were"} and tokens[1] == "there"


def _asks_kind(tokens: list[str]) -> bool:
    """ "What animal ...", "Which kind of vehicle ...": the question asks to name a thing seen."""
    if not tokens or tokens[0] not in {"what", "which"}:
        return False
    rest = tokens[1:]
    if rest[:2] and rest[0] in {"kind", "sort", "type"} and rest[1] == "of":
        rest = rest[2:]
    return bool(rest) and picture_words.word_of(rest[0]) is not None
