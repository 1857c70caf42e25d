"""Run the evaluation set: every question of eval/films/*.json asked as a viewer would, judged, and
summed up in a Markdown table per split (test / tune) and question type.

    python eval/run.py                      # every film (indexes what is not indexed yet: minutes)
    python eval/run.py --films popeye_1,sample --show
    python eval/run.py --json eval/out/results.json

Films: clips from ../shared/media, the sample film, and real dialogue of whole films (subtitles in
eval/films) under a generated picture as long as they are. Indexes are kept in eval/out/home, so a
second run only asks. A question is right when
- it is answerable: the answer cites a moment within 6 s of an expected one (or, for a question about
  the whole film, cites anything or nothing) and says one of the expected words;
- it is not: the answer says the film (or the part allowed) does not show it, and cites nothing.
Every citation must lie in the question's window (spoiler-free mode); one outside is a leak."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FILMS = ROOT / "eval" / "films"
OUT = Path(os.environ.get("MOVIEBUDDY_EVAL_OUT", ROOT / "eval" / "out"))
SHARED_MEDIA = ROOT.parent / "shared" / "media"
NEAR_S = 6.0
GENERATED_FPS = 0.1  # the picture of a generated film says nothing: index it sparsely
PARAPHRASE_OVERLAP = 0.4

# Words that carry no topic, for the overlap report only (answering never uses this list).
_FUNCTION_WORDS = set(
    """a an the and or but if of to in on at by for with from about as into than then so
is are was were be been being am do does did done have has had having will would can could shall should may
might must not no yes i me my you your he him his she her it its we us our they them their this that these
those there here what which who whom whose when where why how what's who's does doesn't don't did didn't
any some all each much many more most very just also too up down out over again say says said tell tells
told""".split()
)


@dataclass
class Outcome:
    film: str
    split: str
    qid: str
    type: str
    question: str
    answerable: bool
    right: bool
    said_not_found: bool
    leak: bool
    overlap: float | None
    seconds: float
    answer: str
    citations: list


def content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {w.strip("'") for w in words if w.strip("'") and w not in _FUNCTION_WORDS}


def _trim(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def overlap(question: str, answer_text: str) -> float:
    """The share of the question's content words (crudely de-suffixed) that the answering line uses."""
    asked = {_trim(w) for w in content_words(question)}
    said = {_trim(w) for w in content_words(answer_text)}
    return len(asked & said) / len(asked) if asked else 0.0


def load_films(names: set[str] | None = None) -> list[dict]:
    films = []
    for path in sorted(FILMS.glob("*.json")):
        film = json.loads(path.read_text(encoding="utf-8"))
        if names and film["id"] not in names:
            continue
        films.append(film)
    return films


def film_path(film: dict) -> Path | None:
    """The film to index for this entry, made first if it is generated; None when its clip is absent."""
    media = film["media"]
    if media == "sample":
        from core.sample import ensure_sample

        return ensure_sample(OUT / "media" / "sample.mkv")
    if media.startswith("shared:"):
        path = SHARED_MEDIA / media.split(":", 1)[1]
        return path if path.exists() else None
    return generated_film(film)


def generated_film(film: dict) -> Path:
    """A cheap picture (a flat colour a minute) as long as the film's subtitles, with them beside it."""
    import numpy as np
    import pysubs2

    from core.media.writer import FilmSpec, Shot, write_film

    srt = FILMS / film["subtitles"]
    target = OUT / "media" / f"{film['id']}.mkv"
    sidecar = target.with_suffix(".en.srt")
    if target.exists() and sidecar.exists():
        return target
    subs = pysubs2.load(str(srt), encoding="utf-8")
    length = max(e.end for e in subs) / 1000.0 + 5.0
    colours = [(90, 40, 40), (40, 90, 40), (40, 40, 90), (90, 90, 40), (40, 90, 90), (90, 40, 90)]
    shots, t, k = [], 0.0, 0
    while t < length:
        duration = min(60.0, length - t)
        picture = np.zeros((90, 160, 3), np.uint8)
        picture[:] = colours[k % len(colours)]
        picture[30:60, 10 + 10 * (k % 10) : 40 + 10 * (k % 10)] = 200
        shots.append(Shot(picture, max(1.0, round(duration))))
        t, k = t + max(1.0, round(duration)), k + 1
    write_film(target, FilmSpec(shots=shots, size=(160, 90), fps=1, speech=False, subtitle_track=False))
    sidecar.write_text(srt.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def window_for(question: dict):
    from core.spoiler_window import Window

    if question.get("watched"):
        return Window.watched([tuple(r) for r in question["watched"]])
    if question.get("until") is not None:
        return Window.until(float(question["until"]))
    return Window.whole()


def judge(question: dict, answer) -> tuple[bool, bool, bool]:
    """(right, said not found, leaked outside the window)."""
    said_not_found = answer.mode == "not-found"
    leak = any(not answer.window.contains(t) for t in answer.citations)
    expected = question["answer_at"]
    if expected is None:
        return said_not_found and not answer.citations, said_not_found, leak
    words = [w.lower() for w in question.get("answer_words", [])]
    says = not words or any(w in answer.text.lower() for w in words)
    if expected == "any":
        return says and not said_not_found, said_not_found, leak
    cited = any(abs(t - e) <= NEAR_S for t in answer.citations for e in expected)
    return cited and says and not said_not_found, said_not_found, leak


def answering_text(store, film_id: int, expected) -> str:
    """The dialogue lines that start at the expected moments (for the overlap report)."""
    if not isinstance(expected, list):
        return ""
    from core.spoiler_window import Window

    lines = store.lines_in_window(film_id, Window.whole())
    return " ".join(l.text for l in lines if any(abs(l.start - e) <= 0.6 for e in expected))


def run(films: list[dict], show: bool = False, llm: str | None = None) -> list[Outcome]:
    from core.answering import Answer, answer_question, create_model
    from core.encoders.efficientnet import EfficientNetLite0
    from core.indexing import index_film
    from core.indexing import run as run_job
    from core.retrieval import Retriever
    from core.store import open_store
    from core.text_embed import default_embedder

    OUT.mkdir(parents=True, exist_ok=True)
    store = open_store(OUT / "home")
    encoder = EfficientNetLite0(cache_dir=OUT / "home" / "cache")
    retriever = Retriever(store, encoder, default_embedder())
    model = create_model(llm, OUT / "home") if llm else None
    outcomes: list[Outcome] = []
    for film in films:
        path = film_path(film)
        if path is None:
            print(f"skipping {film['id']}: {film['media']} is not here", file=sys.stderr)
            continue
        fps = GENERATED_FPS if film["media"] == "generated" else 1.0
        started = time.perf_counter()
        indexed = run_job(index_film(store, path, encoder=encoder, fps=fps))
        print(
            f"{film['id']}: indexed ({indexed.frames} frames, {indexed.dialogue_lines} lines) in "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        for q in film["questions"]:
            window = window_for(q)
            started = time.perf_counter()
            answer = next(
                e
                for e in answer_question(retriever, indexed.film, q["q"], window, model, now=q.get("now"))
                if isinstance(e, Answer)
            )
            seconds = time.perf_counter() - started
            right, not_found, leak = judge(q, answer)
            line = answering_text(store, indexed.film.id, q["answer_at"])
            outcomes.append(
                Outcome(
                    film["id"],
                    film["split"],
                    q["id"],
                    q["type"],
                    q["q"],
                    q["answer_at"] is not None,
                    right,
                    not_found,
                    leak,
                    overlap(q["q"], line) if line else None,
                    seconds,
                    answer.text,
                    answer.citations,
                )
            )
            if show:
                mark = "ok" if right else "NO"
                print(
                    f"  [{mark}] {q['id']} {q['q']!r} -> {answer.text[:140]!r} {answer.citations[:4]}", file=sys.stderr
                )
    return outcomes


def table(outcomes: list[Outcome], title: str) -> str:
    """Right / wrong / honest "not found" per question type, with the headline measures."""
    rows = [
        f"**{title}** ({len(outcomes)} questions, {len({o.film for o in outcomes})} films)",
        "",
        "| type | questions | right | wrong | said 'not found' (right / wrong) |",
        "|---|---:|---:|---:|---:|",
    ]
    by_type = defaultdict(list)
    for o in outcomes:
        by_type["not in the film" if not o.answerable else o.type].append(o)
    for kind in sorted(by_type):
        group = by_type[kind]
        right = sum(o.right for o in group)
        nf_right = sum(o.said_not_found and not o.answerable for o in group)
        nf_wrong = sum(o.said_not_found and o.answerable for o in group)
        rows.append(f"| {kind} | {len(group)} | {right} | {len(group) - right} | {nf_right} / {nf_wrong} |")
    answerable = [o for o in outcomes if o.answerable]
    paraphrased = [o for o in answerable if o.overlap is not None and o.overlap < PARAPHRASE_OVERLAP]
    said_nf = [o for o in outcomes if o.said_not_found]
    absent = [o for o in outcomes if not o.answerable]
    seconds = sorted(o.seconds for o in outcomes) or [0.0]
    rows += [
        "",
        f"- answerable right: {_share(sum(o.right for o in answerable), len(answerable))}",
        f"- paraphrased (overlap < {PARAPHRASE_OVERLAP:.0%}) right: "
        f"{_share(sum(o.right for o in paraphrased), len(paraphrased))}",
        f"- 'not found' precision: {_share(sum(not o.answerable for o in said_nf), len(said_nf))}; "
        f"recall: {_share(sum(o.said_not_found for o in absent), len(absent))}",
        f"- citations outside the window: {sum(o.leak for o in outcomes)}",
        f"- seconds per answer: p50 {seconds[len(seconds) // 2]:.2f}, max {seconds[-1]:.2f}",
        "",
    ]
    return "\n".join(rows)


def _share(n: int, d: int) -> str:
    return f"{n}/{d} ({n / d:.0%})" if d else "0/0"


def overlap_report(films: list[dict]) -> str:
    """How the questions were asked: the share of content words found in the answering line."""
    from core.media import subtitles

    shares = []
    for film in films:
        srt = (
            FILMS / film["subtitles"]
            if film.get("subtitles")
            else SHARED_MEDIA / (film["media"].split(":", 1)[1].rsplit(".", 1)[0] + ".en.srt")
            if film["media"].startswith("shared:")
            else None
        )
        lines = subtitles.read_sidecar(srt) if srt is not None and srt.exists() else []
        if film["media"] == "sample":
            from core.sample import story

            lines = story().lines
        for q in film["questions"]:
            if isinstance(q["answer_at"], list):
                text = " ".join(
                    l.text
                    for l in lines
                    if any(abs(getattr(l, "start", getattr(l, "at", 0.0)) - e) <= 0.6 for e in q["answer_at"])
                )
                if text:
                    shares.append(overlap(q["q"], text))
    below = sum(s < PARAPHRASE_OVERLAP for s in shares)
    return (
        f"{len(shares)} dialogue questions with their answering line: {below} ({below / max(1, len(shares)):.0%}) "
        f"share fewer than {PARAPHRASE_OVERLAP:.0%} of their content words with it"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--films", help="comma-separated film ids (default: all)")
    parser.add_argument("--split", choices=["test", "tune"], help="only this half")
    parser.add_argument("--llm", help="answer with this model (default: extractive quotes)")
    parser.add_argument("--show", action="store_true", help="print every answer")
    parser.add_argument("--json", help="write every outcome to this file")
    args = parser.parse_args(argv)
    films = load_films(set(args.films.split(",")) if args.films else None)
    if args.split:
        films = [f for f in films if f["split"] == args.split]
    if not films:
        print("no films to evaluate", file=sys.stderr)
        return 2
    outcomes = run(films, show=args.show, llm=args.llm)
    print(overlap_report(films))
    print()
    for split in ("test", "tune"):
        part = [o for o in outcomes if o.split == split]
        if part:
            print(table(part, f"{split} half"))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps([o.__dict__ for o in outcomes], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
