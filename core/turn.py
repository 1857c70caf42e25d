"""A turn of a conversation about a film: the viewer's question and the answer with its cited moments."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    """One question and its answer, as the chat panel shows it and the film's history keeps it."""

    question: str
    answer: str
    citations: tuple[float, ...] = ()
    evidence: tuple[dict, ...] = ()  # {"kind": "frame"|"line"|..., "t": seconds, ...}
    window: tuple[tuple[float, float], ...] = ()  # the part of the film the answer could use
    note: str = ""

    @classmethod
    def from_answer(cls, answer) -> Turn:
        """A core.answering.Answer as a turn."""
        data = answer.as_json()
        return cls(
            answer.question,
            answer.text,
            tuple(data["citations"]),
            tuple(data["evidence"]),
            _ranges(data["window"]),
            answer.note,
        )

    @classmethod
    def from_json(cls, data: dict) -> Turn:
        return cls(
            str(data["question"]),
            str(data["answer"]),
            tuple(float(t) for t in data.get("citations", ())),
            tuple(data.get("evidence") or ()),
            _ranges(data.get("window") or ()),
            str(data.get("note") or ""),
        )

    def as_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.answer,
            "citations": list(self.citations),
            "evidence": list(self.evidence),
            "window": [list(r) for r in self.window],
            "note": self.note,
        }

    def frame_times(self) -> list[float]:
        """The moments its evidence frames and citations show, in time order."""
        return sorted({float(e["t"]) for e in self.evidence if e.get("kind") == "frame"} | set(self.citations))


def _ranges(ranges) -> tuple[tuple[float, float], ...]:
    return tuple((float(a), float(b)) for a, b in ranges)
