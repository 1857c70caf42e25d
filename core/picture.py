"""What the picture can tell, answered from measurements rather than from dialogue.

- colour or black and white: each frame's colourfulness (Hasler and Suesstrunk's measure, stored at
  indexing; 0 for a grey picture), over the window or the part a question points at;
- light or dark, day or night: each frame's mean brightness;
- the main colours of a moment: the named colours measured on its frames;
- things seen: the classifier's concepts gathered into everyday words (core.picture_words), per scene.

A question about the picture gets "Yes, at 0:12 (...)" or "I could not see any ...", always with what was
measured, so the viewer can judge it."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from core import picture_words
from core.picture_question import PictureQuestion, picture_question
from core.timefmt import clock

BW_BELOW = 0.03  # colourfulness under half of Hasler and Suesstrunk's "slightly colourful" (15/255)
BW_SHARE = 0.9  # a part is "in black and white" when this share of its frames is (and "in colour" when
#                 no more than 1 - BW_SHARE is)
DARK_BELOW = 0.2  # mean luma under which a picture reads as dark (night, or an unlit room)
LIGHT_ABOVE = 0.35  # mean luma over which it reads as light (daylight, or a lit room)
SEEN_P = 0.3  # an everyday word "is seen" where its summed classifier probability reaches this
APPEARANCE_GAP_S = 5.0  # a thing gone from the picture for longer than this appears again after


@dataclass(frozen=True)
class PictureAnswer:
    text: str
    citations: list[float]
    sure: bool  # measured clearly (True) or a hedged "could not see" (False)


def black_and_white(colourfulness: np.ndarray, colours_json) -> np.ndarray:
    """(F,) bool: which frames are black and white. Frames indexed before colourfulness was measured
    (NaN) are judged from their named colours: only black, white and grey."""
    values = np.asarray(colourfulness, np.float64) if colourfulness is not None else np.full(len(colours_json), np.nan)
    result = values < BW_BELOW
    for j in np.flatnonzero(np.isnan(values)):
        named = json.loads(colours_json[j] or "[]")
        result[j] = sum(share for name, share in named if name in ("black", "white", "grey")) >= BW_SHARE
    return result


def answer_picture(
    ask: PictureQuestion, frames, probabilities, where: str, moment: tuple[float, float] | None = None
) -> PictureAnswer | None:
    """Answer ``ask`` from the frames of the window (a FrameBatch). ``probabilities(frames)`` gives the
    classifier's (F, 1000) probabilities; ``where`` names the window ("the film", "what you've watched
    so far"); ``moment``: the part the question points at (a time focus or the best moment found), if any."""
    if not len(frames.times):
        return None
    part = _part(frames.times, moment)
    seen = _things(frames, probabilities, ask.things) if ask.things else None
    if ask.kind == "thing":
        return _thing_answer(ask.things, seen, where, ask.yes_no) if seen else None
    if moment is None and seen is not None and seen[1]:  # "is the car red?": measure where the car is seen
        part = np.isin(np.arange(len(frames.times)), seen[1])
    if ask.kind == "colour_mode":
        return _colour_mode(frames, part, where, moment)
    if ask.kind == "light":
        return _light(frames, part, where, moment)
    if ask.kind == "colour_of":
        return _colour_of(frames, part)
    return None


def _part(times: np.ndarray, moment) -> np.ndarray:
    if moment is None:
        return np.ones(len(times), bool)
    inside = (times >= moment[0] - 1.5) & (times <= moment[1] + 1.5)
    if not inside.any():
        inside[int(np.argmin(np.abs(times - (moment[0] + moment[1]) / 2)))] = True
    return inside


def _things(frames, probabilities, things) -> tuple[list[tuple[str, float, float]], list[int]]:
    """For each named word (a kind like "animal" is replaced by the narrower words under it): the best
    (word, probability, time), and the frames where any of them is seen."""
    names, probs = picture_words.everyday_probabilities(probabilities(frames))
    best, hits = [], set()
    for thing in things:
        candidates = [thing]
        if thing in picture_words.KINDS:
            members = set(picture_words.EVERYDAY[thing])
            candidates = [
                n
                for n in names
                if n != thing and n not in picture_words.KINDS and set(picture_words.EVERYDAY[n]) <= members
            ] or [thing]
        for name in candidates:
            column = probs[:, names.index(name)]
            seen = np.flatnonzero(column >= SEEN_P)
            hits.update(seen.tolist())
            for run in _appearances(frames.times, seen) or [[int(np.argmax(column))]]:
                j = max(run, key=lambda k: column[k])  # each appearance at its clearest frame
                best.append((name, float(column[j]), float(frames.times[j])))
    best.sort(key=lambda item: -item[1])
    return best, sorted(hits)


def _appearances(times: np.ndarray, seen: np.ndarray) -> list[list[int]]:
    """Frame indices where a thing is seen, split where it is gone for more than APPEARANCE_GAP_S."""
    runs: list[list[int]] = []
    for j in seen:
        if runs and times[j] - times[runs[-1][-1]] <= APPEARANCE_GAP_S:
            runs[-1].append(int(j))
        else:
            runs.append([int(j)])
    return runs


def _thing_answer(things, seen, where: str, yes_no: bool) -> PictureAnswer:
    best, _hits = seen
    found = [item for item in best if item[1] >= SEEN_P]
    if not found:
        name, p, t = best[0]
        asked = " or ".join(things)
        return PictureAnswer(
            f"I could not see any {asked} in {where}: the picture classifier's best guess was "
            f"{name} at {clock(t)} ({p:.0%}).",
            [],
            False,
        )
    parts, citations, named = [], [], set()
    for name, p, t in sorted(found[:3], key=lambda item: item[2]):
        again = name in named
        parts.append(
            f"again at {clock(t)} ({p:.0%})"
            if again
            else f"at {clock(t)} the picture looks like {_article(name)} ({p:.0%})"
        )
        named.add(name)
        citations.append(t)
    text = "; ".join(parts) + " (a guess from the image)."
    return PictureAnswer("Yes, " + text if yes_no else text[0].upper() + text[1:], citations, True)


def _colour_mode(frames, part, where: str, moment) -> PictureAnswer:
    mono = black_and_white(frames.colourfulness, frames.colours_json)[part]
    times = frames.times[part]
    share = float(mono.mean())
    scope = f"At {clock(times[0])}" if moment is not None else f"In {where}"
    cite = [float(times[len(times) // 2])] if moment is not None else []
    if share >= BW_SHARE:
        text = f"{scope} the picture is black and white: {share:.0%} of the frames measured have no colour."
    elif share <= 1 - BW_SHARE:
        text = f"{scope} the picture is in colour: {1 - share:.0%} of the frames measured have colour."
    else:
        runs = _runs(times, mono)
        listed = ", ".join(f"{clock(a)}-{clock(b)}" for a, b in runs[:4])
        text = (
            f"{scope} the picture is mostly in colour ({1 - share:.0%} of the frames measured); black and "
            f"white at {listed}."
        )
        cite = [a for a, _ in runs[:2]]
    return PictureAnswer(text, cite, True)


def _light(frames, part, where: str, moment) -> PictureAnswer:
    levels = frames.brightness[part].astype(np.float64)
    times = frames.times[part]
    level = float(np.mean(levels))
    scope = f"At {clock(times[0])}" if moment is not None else f"In {where}"
    if moment is None and len(levels) > 1:  # over a whole film: how much is light and how much is dark
        light, dark = float(np.mean(levels > LIGHT_ABOVE)), float(np.mean(levels < DARK_BELOW))
        j = int(np.argmax(levels)) if light >= dark else int(np.argmin(levels))
        verdict = "light, like daytime" if light >= dark else "dark, like night"
        return PictureAnswer(
            f"{scope} the picture is mostly {verdict}: {light:.0%} of the frames measured are "
            f"light and {dark:.0%} dark; for example at {clock(times[j])} "
            f"(brightness {levels[j]:.2f}).",
            [float(times[j])],
            abs(light - dark) > 0.3,
        )
    verdict = (
        "dark, like night or an unlit room"
        if level < DARK_BELOW
        else "light, like daytime or a lit room"
        if level > LIGHT_ABOVE
        else "dim, neither bright day nor night"
    )
    return PictureAnswer(
        f"{scope} the picture is {verdict} (measured brightness {level:.2f} of 1).",
        [float(times[len(times) // 2])],
        level < DARK_BELOW or level > LIGHT_ABOVE,
    )


def _colour_of(frames, part) -> PictureAnswer:
    totals: dict[str, float] = {}
    idx = np.flatnonzero(part)
    for j in idx:
        for name, share in frames.colours(int(j)):
            totals[name] = totals.get(name, 0.0) + share / len(idx)
    named = [n for n, s in sorted(totals.items(), key=lambda kv: -kv[1]) if s >= 0.05][:3]
    t = float(frames.times[idx[len(idx) // 2]])
    if not named:
        return PictureAnswer(f"At {clock(t)} no colour stands out in the picture.", [t], False)
    return PictureAnswer(
        f"At {clock(t)} the picture's main colours are {', '.join(named)} (measured from the "
        "pixels; which thing has which colour is a guess).",
        [t],
        True,
    )


def _runs(times: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """The (first, last) times of each run of consecutive frames where ``mask`` holds."""
    runs: list[tuple[float, float]] = []
    start: float | None = None
    for j, (t, m) in enumerate(zip(times, mask)):
        if m and start is None:
            start = float(t)
        if not m and start is not None:
            runs.append((start, float(times[j - 1])))
            start = None
    if start is not None:
        runs.append((start, float(times[-1])))
    return runs


def _article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


__all__ = ["PictureAnswer", "PictureQuestion", "answer_picture", "black_and_white", "picture_question"]
