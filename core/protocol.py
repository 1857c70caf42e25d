"""What the app and its worker processes say to each other: typed messages, one JSON object a line, in
both directions and for both workers (core.index_worker, core.answer_worker).

Every message is a frozen dataclass with a ``kind``; :func:`encode` writes it as ``{"kind": ..., fields}``
and :func:`decode` reads a line back into the same type (None for a line that is not a known message).
The app's side (desktop.indexer, desktop.answers) emits these objects as they are."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from core.events import Progress
from core.spoiler_window import Window
from core.turn import Turn, _ranges

# the app -> the indexer ---------------------------------------------------------------------------------
# The slow dialogue sources the app may ask the indexer to run although the film does not need them
# (``python -m core.index_worker FILM --also asr``; core.indexing.index_film's ``also``): recognised
# speech for a film with subtitles, image subtitles read by OCR for a film with text subtitles.
ALSO_SOURCES = ("asr", "ocr_subtitle")


@dataclass(frozen=True)
class Playhead:
    """Where the viewer is: the indexer covers this part first."""

    kind: ClassVar[str] = "playhead"
    seconds: float


@dataclass(frozen=True)
class CancelIndexing:
    """Stop after the batch being made (it is kept)."""

    kind: ClassVar[str] = "cancel"


# the indexer -> the app ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class IndexProgress:
    """How far indexing is (core.events.Progress), with the ranges of the film indexed so far."""

    kind: ClassVar[str] = "progress"
    progress: Progress

    @classmethod
    def from_json(cls, data: dict) -> IndexProgress:
        p = data["progress"]
        return cls(
            Progress(
                str(p["stage"]),
                float(p["done"]),
                float(p["total"]),
                str(p.get("unit", "s")),
                str(p.get("message", "")),
                tuple(_ranges(p.get("covered", ()))),
                tuple(_ranges(p.get("rough", ()))),
            )
        )


@dataclass(frozen=True)
class IndexDone:
    """Indexing ended: the whole film (``complete``) or a part of it (cancelled, stopped)."""

    kind: ClassVar[str] = "done"
    frames: int
    added: int
    dialogue_lines: int
    complete: bool
    seconds: float


# the app -> the answerer --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ask:
    """A question (``task`` "ask") or a recap request (``task`` "recap") about the film with this
    fingerprint, using only ``window`` (ranges; None for the whole film); ``now``: the playhead."""

    kind: ClassVar[str] = "ask"
    id: int
    fingerprint: str
    question: str
    window: tuple[tuple[float, float], ...] | None = None
    task: str = "ask"
    now: float | None = None

    @classmethod
    def about(
        cls, rid: int, fingerprint: str, question: str, window: Window, task: str = "ask", now: float | None = None
    ) -> Ask:
        return cls(rid, fingerprint, question, None if window.ranges is None else tuple(window.ranges), task, now)

    def spoiler_window(self) -> Window:
        return Window.whole() if self.window is None else Window.watched(self.window)

    @classmethod
    def from_json(cls, data: dict) -> Ask:
        window = data.get("window")
        now = data.get("now")
        return cls(
            int(data["id"]),
            str(data["fingerprint"]),
            str(data["question"]),
            None if window is None else _ranges(window),
            str(data.get("task", "ask")),
            None if now is None else float(now),
        )


@dataclass(frozen=True)
class StopAnswers:
    """Stop the answer being made and those waiting."""

    kind: ClassVar[str] = "stop"


@dataclass(frozen=True)
class UseModel:
    """Answer with this answering model from now on (None: the default)."""

    kind: ClassVar[str] = "llm"
    llm: str | None = None


# the answerer -> the app (``id``: the Ask's number) -------------------------------------------------------
@dataclass(frozen=True)
class AnswerToken:
    kind: ClassVar[str] = "token"
    id: int
    text: str


@dataclass(frozen=True)
class Answered:
    kind: ClassVar[str] = "answered"
    id: int
    turn: Turn

    @classmethod
    def from_json(cls, data: dict) -> Answered:
        return cls(int(data["id"]), Turn.from_json(data["turn"]))


@dataclass(frozen=True)
class Thumbnails:
    """PNG files of the evidence frames (in the data folder's cache), by time ("12.000")."""

    kind: ClassVar[str] = "thumbnails"
    id: int
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ready:
    """The answerer's models are loaded."""

    kind: ClassVar[str] = "ready"


# both workers -> the app ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Failed:
    """One line for the viewer; ``id`` is the question's number for the answerer (0: all of them)."""

    kind: ClassVar[str] = "failed"
    message: str
    id: int = 0


MESSAGES: dict[str, Any] = {
    m.kind: m
    for m in (
        Playhead,
        CancelIndexing,
        IndexProgress,
        IndexDone,
        Ask,
        StopAnswers,
        UseModel,
        AnswerToken,
        Answered,
        Thumbnails,
        Ready,
        Failed,
    )
}


def encode(message) -> str:
    """A message as one JSON line (without the newline)."""
    return json.dumps({"kind": message.kind, **_plain(dataclasses.asdict(message))})


def decode(line: str | bytes):
    """A line back into its message; None when it is not one (malformed, unknown kind, missing field)."""
    try:
        data = json.loads(line)
        cls = MESSAGES[data.pop("kind")]
        if hasattr(cls, "from_json"):
            return cls.from_json(data)
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
