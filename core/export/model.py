"""What a review summary holds: plain frozen dataclasses that every writer (Markdown, HTML, chapters, and the
desktop's PDF drawn from the HTML) reads, so that what is in an export is decided in one place
(core.export.summary) and each format only lays it out."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.timefmt import clock

# Colour words say little about what a scene shows (the palette says them better), so chapter titles and
# motifs prefer the other tags. The same set as core.recap's.
COLOUR_WORDS = frozenset(
    {"red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "black", "white", "grey", "dark", "bright"}
)
TITLE_CHARS = 64  # players show chapter titles in a narrow menu


@dataclass(frozen=True)
class Quote:
    """A line of the film as it was said (or shown on screen), with its time."""

    start: float
    end: float
    text: str

    def one_line(self) -> str:
        """The line with its breaks shown as " / " (a quote is set on one line)."""
        return " / ".join(part.strip() for part in self.text.splitlines() if part.strip())


@dataclass(frozen=True)
class SceneSummary:
    """A scene inside the window: its time (clipped to the window), what is seen (its visual tags), its most
    typical lines, the moment its picture is taken from and that picture as PNG bytes (None without one)."""

    start: float
    end: float
    seen: tuple[str, ...] = ()
    lines: tuple[Quote, ...] = ()
    thumbnail_t: float = 0.0
    thumbnail: bytes | None = None

    @property
    def subjects(self) -> tuple[str, ...]:
        """What is seen, other than colours (colours when nothing else was recognised)."""
        return tuple(t for t in self.seen if t not in COLOUR_WORDS) or self.seen

    def chapter_title(self) -> str:
        """A short chapter title: the scene's time, what is seen and its first key line."""
        title = " · ".join([clock(self.start), *([", ".join(self.subjects[:2])] if self.subjects else [])])
        if self.lines:
            room = TITLE_CHARS - len(title) - len(" · “”")
            line = self.lines[0].one_line()
            if len(line) > room:
                cut = line[: max(0, room - 1)]
                if " " in cut[len(cut) // 2 :]:  # end on a whole word
                    cut = cut[: cut.rfind(" ")]
                line = cut.rstrip(" ,;:") + "…"
            if room > 8:  # a quote cut to a word or two says nothing
                title += f" · “{line}”"
        return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class SynopsisPart:
    """One stretch of the synopsis: a run of scenes, what they show and their most typical lines (the
    synopsis is extractive: every word in it is the film's own or a tag measured from its frames)."""

    start: float
    end: float
    seen: tuple[str, ...]
    lines: tuple[Quote, ...]


@dataclass(frozen=True)
class Motif:
    """A visual tag that recurs: in how many of the window's scenes it was seen, and when it first was."""

    tag: str
    scenes: int
    first_t: float


@dataclass(frozen=True)
class ActPalette:
    """The colours of a third of the window: (name, share of the act's frames' area) largest first."""

    name: str
    start: float
    end: float
    colours: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Exchange:
    """One of the viewer's questions about the film and the answer they were given."""

    question: str
    answer: str
    citations: tuple[float, ...] = ()


@dataclass(frozen=True)
class MadeWith:
    """How the summary was made: the vision encoder, the dialogue sources and their line counts, the
    parts of the film that were indexed, and the Movie Buddy version."""

    encoder_id: str | None
    dialogue_sources: tuple[tuple[str, str, int], ...]  # (source, kind, lines)
    indexed: tuple[tuple[float, float], ...]
    complete: bool
    version: str

    def indexed_text(self, duration_s: float) -> str:
        if self.complete:
            return "the whole film"
        if not self.indexed:
            return "nothing yet"
        return ", ".join(f"{clock(a)}–{clock(b)}" for a, b in self.indexed) + f" of {clock(duration_s)}"


@dataclass(frozen=True)
class ReviewSummary:
    """A film's review summary over a window (the whole film, or what was watched so far): nothing in it
    comes from after the window's boundary."""

    title: str
    year: int | None
    duration_s: float
    scope: str
    synopsis: tuple[SynopsisPart, ...]
    scenes: tuple[SceneSummary, ...]
    quotes: tuple[Quote, ...]
    motifs: tuple[Motif, ...]
    palette: tuple[ActPalette, ...]
    made_with: MadeWith
    conversation: tuple[Exchange, ...] = field(default=())
    window_end: float | None = None  # the spoiler boundary; None for the whole film
    written: tuple[str, ...] = ()  # a synopsis written by a configured model, every sentence checked
    written_by: str = ""  # that model's id

    @property
    def heading(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    @property
    def has_pictures(self) -> bool:
        return any(s.thumbnail for s in self.scenes)
