"""What retrieval hands to answering: evidence (a frame seen, a line said), the moments it groups into,
and the retrieval of a question with how sure it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.spoiler_window import Window

if TYPE_CHECKING:
    from core.encoders.base import VisionEncoder
    from core.store import FrameBatch

MAX_MOMENT_S = 40.0  # overlapping moments merge only while the result stays this short


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a frame (what is seen), a dialogue line or on-screen text (what is said)."""

    t: float
    end: float | None
    kind: str  # "frame" | "dialogue" | "screen_text"
    text: str
    score: float = 0.0

    def as_json(self) -> dict:
        return {
            "t": round(self.t, 3),
            "end": None if self.end is None else round(self.end, 3),
            "kind": self.kind,
            "text": self.text,
        }


@dataclass(frozen=True)
class Moment:
    start: float
    end: float
    score: float
    evidence: tuple[Evidence, ...]
    reason: str = "text"  # "text" | "visual" | "focus"


@dataclass(frozen=True)
class Retrieval:
    question: str
    window: Window
    moments: list[Moment]
    found: bool
    focus: tuple[float, float] | None = None
    indexed: tuple[tuple[float, float], ...] = ()  # the parts of the film whose picture is indexed
    indexed_roughly: tuple[tuple[float, float], ...] = ()  # of those, the parts seen only by the rough pass
    complete: bool = True
    visual_labels: tuple[str, ...] = field(default_factory=tuple)
    confidence: float = 1.0  # the probability that the moments answer the question (core.calibration)

    @property
    def evidence(self) -> list[Evidence]:
        items: dict = {}
        for e in (e for m in self.moments for e in m.evidence):
            key = (e.kind, e.t, e.text)
            if key not in items or e.score > items[key].score:
                items[key] = e
        return sorted(items.values(), key=lambda e: (e.t, e.kind != "frame"))


def describe_frame(encoder: VisionEncoder, frames: FrameBatch, j: int) -> str:
    """Words for what a frame shows: classifier guesses (marked as such) and measured colours."""
    if frames.content_logits is not None:  # the frame cache keeps logits (core.concept_logits)
        guesses = encoder.concepts_from_logits(frames.content_logits[j : j + 1], top=3)[0]  # type: ignore[attr-defined]
    else:
        guesses = encoder.concepts(frames.content[j : j + 1], top=3)[0]
    concepts = [f"{name} ({p:.0%})" for name, p in guesses if p >= 0.1]
    colours = [name for name, _ in frames.colours(j)]
    level = float(frames.brightness[j])
    if level < 0.18:
        colours.append("dark")
    elif level > 0.75:
        colours.append("bright")
    parts = []
    if concepts:
        parts.append("looks like " + ", ".join(concepts))
    if colours:
        parts.append("colours: " + ", ".join(colours))
    return "; ".join(parts) or "a frame"


def merge_moments(moments: list[Moment]) -> list[Moment]:
    """Merge moments that overlap (or nearly touch), keeping the best score; best first."""
    merged: list[Moment] = []
    for m in sorted(moments, key=lambda m: -m.score):
        for k, other in enumerate(merged):
            overlaps = m.start <= other.end and other.start <= m.end
            if overlaps and max(m.end, other.end) - min(m.start, other.start) <= MAX_MOMENT_S:
                evidence: dict = {}
                for e in other.evidence + m.evidence:  # the same line may come scored and unscored
                    key = (e.kind, e.t, e.text)
                    if key not in evidence or e.score > evidence[key].score:
                        evidence[key] = e
                merged[k] = Moment(
                    min(m.start, other.start),
                    max(m.end, other.end),
                    other.score,
                    tuple(sorted(evidence.values(), key=lambda e: e.t)),
                    other.reason,
                )
                break
        else:
            merged.append(m)
    return merged
