"""A written synopsis, when an answering model is configured: the model summarises each act from its
extractive synopsis (the film's own lines and what was measured in its frames), then summarises those
summaries; every sentence it writes is kept only if the evidence supports it, as answers are
(core.answering.grounding). With the default offline stack there is no model and no written synopsis:
the extractive one stands alone."""

from __future__ import annotations

from collections.abc import Sequence

from core.answering.grounding import sentence_supported
from core.colours import COLOUR_NAMES, LIGHT_TAGS
from core.events import CancelToken
from core.evidence import Evidence
from core.export.model import SynopsisPart
from core.timefmt import clock

ACTS = 3
MEASURED = COLOUR_NAMES | LIGHT_TAGS  # measured from the pixels, unlike the classifier's guesses
SYSTEM = (
    "You summarise part of a film for a review. Use only what the lines and the pictures below say; "
    "do not name anyone or anything that is not in them. Write two or three plain sentences."
)
OVERALL = "Write a short synopsis of the whole film from these summaries of its parts, in three or four sentences."


def written_synopsis(
    parts: Sequence[SynopsisPart], model, cancel: CancelToken | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the overall synopsis's sentences, each act's kept sentences joined); empty where nothing the
    model wrote is supported by the film's own words."""
    if model is None or not parts:
        return (), ()
    size = max(1, -(-len(parts) // ACTS))
    acts = [parts[k : k + size] for k in range(0, len(parts), size)]
    evidence = [_evidence(act) for act in acts]
    act_texts = []
    for act, facts in zip(acts, evidence):
        if cancel is not None and cancel.cancelled:
            return (), ()
        prompt = "\n".join(_lines_of(act))
        kept = _supported(_write(model, SYSTEM, prompt, cancel), facts)
        act_texts.append(" ".join(kept))
    everything = [e for facts in evidence for e in facts]
    written = "\n".join(f"Part {n}: {text}" for n, text in enumerate(act_texts, 1) if text)
    overall = _supported(_write(model, SYSTEM, f"{OVERALL}\n\n{written}", cancel), everything) if written else []
    return tuple(overall), tuple(act_texts)


def _lines_of(act: Sequence[SynopsisPart]) -> list[str]:
    out = []
    for part in act:
        seen = f" (seen: {', '.join(part.seen)})" if part.seen else ""
        said = " ".join(f"“{q.one_line()}”" for q in part.lines)
        out.append(f"{clock(part.start)}–{clock(part.end)}{seen} {said}".rstrip())
    return out


def _evidence(act: Sequence[SynopsisPart]) -> list[Evidence]:
    """What a sentence about the act may rest on: its lines and what was measured in its frames (colours,
    light); the classifier's guesses of things are never facts."""
    items = [Evidence(q.start, q.end, "dialogue", q.one_line()) for part in act for q in part.lines]
    measured = [[tag for tag in part.seen if tag in MEASURED] for part in act]
    items += [Evidence(p.start, p.end, "dialogue", ", ".join(m)) for p, m in zip(act, measured) if m]
    return items


def _write(model, system: str, prompt: str, cancel: CancelToken | None) -> str:
    messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
    return "".join(model.stream(messages, cancel, max_new_tokens=160))


def _supported(text: str, evidence: list[Evidence]) -> list[str]:
    from core.answering.grounding import split_sentences

    return [s for s in split_sentences(text) if s.strip() and sentence_supported(s, evidence, "")]
