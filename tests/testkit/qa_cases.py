"""Questions with known answers about the sample film and the real clips in ../shared/media.

Each case: (film, question, expected time in seconds or None for "not in the film", words of which the
answer should contain at least one)."""

from __future__ import annotations

from pathlib import Path

SHARED_MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"
SAMPLE = "sample"

CASES = [
    (SAMPLE, "What does Eileen drink every morning?", 23.0, ["espresso"]),
    (SAMPLE, "What is the cat's name?", [38.0, 132.0, 140.0], ["Chelsea"]),
    (SAMPLE, "Who takes her picture for the newspaper?", 55.0, ["Victor"]),
    (SAMPLE, "Where does Eileen land?", 97.0, ["Tranquility"]),
    (SAMPLE, "How many coins does Victor pay?", 120.0, ["three"]),
    (SAMPLE, "Who wins the football match?", None, []),
    ("popeye_1.mkv", "How does the singer introduce himself?", 13.0, ["Sinbad"]),
    ("popeye_1.mkv", "Where does Sinbad live?", 16.6, ["island", "whale"]),
    ("popeye_1.mkv", "Who falls for him?", 40.8, ["women"]),
    ("popeye_1.mkv", "What does he scare?", 37.9, ["creation"]),
    ("popeye_1.mkv", "What is the name of his ship?", None, []),
    ("popeye_2.mkv", "What did the bird do with its wings?", 32.5, ["wings"]),
    ("popeye_2.mkv", "What took him in its beak?", 35.8, ["beak"]),
    ("popeye_2.mkv", "When does the helicopter land?", None, []),
    ("manifesto.mp4", "What is haunting Europe?", 19.0, ["spectre", "specter"]),
    ("manifesto.mp4", "Which languages will the manifesto be published in?", 81.3, ["french", "german"]),
    ("manifesto.mp4", "Where did the communists assemble?", 75.5, ["london"]),
    ("manifesto.mp4", "Who wrote the manifesto?", 13.2, ["marx", "engels"]),
    ("manifesto.mp4", "What is the recipe for apple pie?", None, []),
]


def judge(answer_text: str, citations: list[float], expected, words: list[str]) -> bool:
    """Right when it cites an expected moment (within 6 s: a quote may start a line or two earlier) and
    says one of the words; for a question the film does not answer, right when it says so (citing
    nothing) or says it is not sure (offering the closest moments, core.calibration)."""
    if expected is None:
        return (not citations and answer_text.startswith("Nothing")) or answer_text.startswith("I'm not sure")
    moments = expected if isinstance(expected, list) else [expected]
    cited = any(abs(t - e) <= 6.0 for t in citations for e in moments)
    return cited and any(w.lower() in answer_text.lower() for w in words)
