"""Question latency on a synthetic 2-hour index (7,200 frames, 1,500 dialogue lines).

    python bench/ask_latency.py [--llm smollm2] [--runs 30] [--retrieval-only]

Reports retrieval p50/p95 (target <= 50 ms p95) and the memory of the frames kept, against a baseline in
the same run that keeps float32 patch grids and computes context tokens per question; time to the first
answer token (target <= 3 s with the default model on 2 cores) and the full answer time, for extractive
answers and for the generator with the grounding check; and, in the same run, a naive baseline that
sends all dialogue of the window to the same model (truncated to its context), with the ratio. Prints
Markdown tables."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "Where is the treasure map?",
    "What did the doctor say about the letter?",
    "Who is the captain?",
    "What happened at 1:02:10?",
    "What just happened?",
    "Why did the soldier go to the church?",
    "When does the storm reach the harbour?",
    "Is there a horse?",
]


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def resident_mb(retriever, film, window) -> float:
    """Megabytes of the frames the retriever keeps for the window (arrays of its frame cache)."""
    frames = retriever._frames(film.id, window)
    arrays = (frames.times, frames.content, frames.patches, frames.brightness, frames.colourfulness)
    arrays += tuple(a for a in (frames.concept_logits, frames.content_logits) if a is not None)
    return sum(a.nbytes for a in arrays if a is not None) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm", default="smollm2")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--retrieval-only", action="store_true", help="only the retrieval table")
    args = parser.parse_args()

    import torch

    from core.answering import Answer, Token, answer_question, create_model
    from core.answering.prompt import SYSTEM
    from core.dialogue import embed_moments
    from core.encoders.efficientnet import EfficientNetLite0
    from core.retrieval import Retriever
    from core.spoiler_window import Window
    from core.store import open_store
    from core.text_embed import default_embedder
    from tests.testkit.synthetic_index import dialogue, synthetic_film

    torch.set_num_threads(2)
    home = Path(tempfile.mkdtemp(prefix="ask-bench-"))
    store = open_store(home)
    encoder, embedder = EfficientNetLite0(cache_dir=home / "cache"), default_embedder()
    started = time.perf_counter()
    film = synthetic_film(store, encoder, 7200.0, dialogue(1500, 7200.0))
    embed_moments(store, film.id, embedder)
    print(
        f"synthetic index: 7,200 frames, 1,500 lines, built in {time.perf_counter() - started:.0f} s", file=sys.stderr
    )
    windows = [Window.whole(), Window.until(3600.0), Window.watched([(0, 1800), (2400, 5400)])]
    labels = ("whole film", "first hour", "watched 0:00-0:30 and 0:40-1:30")

    def measure(retriever) -> list[tuple]:
        """As in the app: questions arrive while the window stays (or grows); the first question on a window
        the retriever has not read yet pays for reading its frames ("cold")."""
        retriever.retrieve(film, QUESTIONS[0], windows[0])  # warm the label embeddings
        rows = []
        for label, window in zip(labels, windows):
            t = time.perf_counter()
            retriever.retrieve(film, QUESTIONS[1], window)
            cold = (time.perf_counter() - t) * 1000
            warm = []
            for i in range(args.runs):
                t = time.perf_counter()
                retriever.retrieve(film, QUESTIONS[i % len(QUESTIONS)], window)
                warm.append((time.perf_counter() - t) * 1000)
            rows.append((label, cold, pct(warm, 50), pct(warm, 95), resident_mb(retriever, film, window)))
        return rows

    # the baseline in the same run: frames kept as float32 patch grids, context tokens per question
    baseline_rows = measure(Retriever(store, encoder, embedder, frame_logits=False))
    retriever = Retriever(store, encoder, embedder)
    retrieval_rows = measure(retriever)
    print(f"retrieval (7,200 frames, 1,500 lines; {args.runs} questions per window; target p95 <= 50 ms)\n")
    print("| window | first question ms | p50 ms | p95 ms | frames kept MB | baseline: first / p50 / p95 ms, MB |")
    print("|---|---:|---:|---:|---:|---|")
    for (label, cold, p50, p95, mb), (_, b_cold, b50, b95, b_mb) in zip(retrieval_rows, baseline_rows):
        baseline = f"{b_cold:.0f} / {b50:.0f} / {b95:.0f}, {b_mb:.0f}"
        print(f"| {label} | {cold:.0f} | {p50:.0f} | {p95:.0f} | {mb:.0f} | {baseline} |")
    print()
    if args.retrieval_only:
        return

    load = time.perf_counter()
    model = create_model(args.llm, home)
    load_s = time.perf_counter() - load

    def timed(model_or_none, question, window):
        t = time.perf_counter()
        first = None
        for event in answer_question(retriever, film, question, window, model_or_none):
            if isinstance(event, Token) and first is None:
                first = time.perf_counter() - t
            if isinstance(event, Answer):
                return first, time.perf_counter() - t, event.mode

    rows = []
    for label, m in (("extractive (no model)", None), (f"{args.llm} + grounding check", model)):
        firsts, fulls, modes = [], [], []
        for q in QUESTIONS[:6]:
            first, full, mode = timed(m, q, windows[1])
            firsts.append(first)
            fulls.append(full)
            modes.append(mode)
        rows.append(
            (
                label,
                statistics.median(firsts),
                max(firsts),
                statistics.median(fulls),
                max(fulls),
                ", ".join(sorted(set(modes))),
            )
        )

    # Naive baseline: all dialogue of the window in the prompt, truncated to the model's context.
    lines = store.lines_in_window(film.id, windows[1])
    context = getattr(getattr(model, "model", None), "config", None)
    limit = getattr(context, "max_position_embeddings", 8192) - 200
    tokenizer = getattr(model, "tokenizer", None)
    firsts, fulls = [], []
    for q in QUESTIONS[:3]:
        body = "\n".join(f"{int(l.start) // 60}:{int(l.start) % 60:02d} {l.text}" for l in lines)
        if tokenizer is not None:
            ids = tokenizer(body)["input_ids"]
            body = tokenizer.decode(ids[-limit + 100 :]) if len(ids) > limit - 100 else body
        messages = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Dialogue of the film:\n{body}\n\nQuestion: {q}"},
        ]
        t = time.perf_counter()
        first = None
        for _ in model.stream(messages):
            if first is None:
                first = time.perf_counter() - t
        firsts.append(first)
        fulls.append(time.perf_counter() - t)
    rows.append(
        (
            f"naive: all {len(lines)} lines of the window to {args.llm}",
            statistics.median(firsts),
            max(firsts),
            statistics.median(fulls),
            max(fulls),
            "ungrounded",
        )
    )

    print(f"{args.llm} loaded in {load_s:.1f} s (once per process, kept warm)\n")
    print("| answering | first token p50 s | first token max s | full answer p50 s | full answer max s | answers |")
    print("|---|---:|---:|---:|---:|---|")
    for label, f50, fmax, a50, amax, modes in rows:
        print(f"| {label} | {f50:.2f} | {fmax:.2f} | {a50:.2f} | {amax:.2f} | {modes} |")
    naive, generated = rows[-1], rows[1]
    print(
        f"\nnaive / Movie Buddy ({args.llm}): first token {naive[1] / generated[1]:.1f}x, "
        f"full answer {naive[3] / generated[3]:.1f}x\n"
    )
    from bench.cli_ask import cold_ask_rows, print_rows

    print_rows(cold_ask_rows(10), 10)


if __name__ == "__main__":
    main()
