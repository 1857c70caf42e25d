"""Which answering mode reads right more often: extractive quotes, a generator (SmolLM2 by default)
whose sentences must pass the grounding check, or both together (generated sentences followed by the
quote they rest on). Runs the cases of bench/qa_cases.py; prints a Markdown table.

    python bench/answer_quality.py [--llm smollm2]"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm", default="smollm2")
    parser.add_argument("--show", action="store_true", help="print every answer")
    args = parser.parse_args()

    from core.answering import Answer, answer_question, create_model
    from core.encoders.efficientnet import EfficientNetLite0
    from core.indexing import index_film, run
    from core.retrieval import Retriever
    from core.sample import ensure_sample
    from core.spoiler_window import Window
    from core.store import open_store
    from core.text_embed import default_embedder
    from tests.testkit.qa_cases import CASES, SAMPLE, SHARED_MEDIA, judge

    home = Path(tempfile.mkdtemp(prefix="qa-bench-"))
    store = open_store(home)
    encoder = EfficientNetLite0(cache_dir=home / "cache")
    films = {}
    for name in dict.fromkeys(c[0] for c in CASES):
        path = ensure_sample(ROOT / "bench" / "out" / "sample.mkv") if name == SAMPLE else SHARED_MEDIA / name
        if not path.exists():
            print(f"skipping {name}: not here", file=sys.stderr)
            continue
        films[name] = run(index_film(store, path, encoder=encoder)).film
    retriever = Retriever(store, encoder, default_embedder())
    model = create_model(args.llm, home)
    modes = {
        "extractive": (None, False),
        f"{args.llm} + grounding check": (model, False),
        f"{args.llm} + check + quotes": (model, True),
    }
    print("| mode | right | of | found when in the film | honest 'not found' | seconds per answer |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, (m, quotes) in modes.items():
        right = present = present_right = absent = absent_right = 0
        started = time.perf_counter()
        cases = [c for c in CASES if c[0] in films]
        for name, question, expected, words in cases:
            answer = next(
                e
                for e in answer_question(retriever, films[name], question, Window.whole(), m, with_quotes=quotes)
                if isinstance(e, Answer)
            )
            ok = judge(answer.text, answer.citations, expected, words)
            right += ok
            if expected is None:
                absent, absent_right = absent + 1, absent_right + ok
            else:
                present, present_right = present + 1, present_right + ok
            if args.show:
                print(
                    f"  [{'ok' if ok else 'NO'}] {label} | {question} -> {answer.text!r} {answer.citations}",
                    file=sys.stderr,
                )
        per = (time.perf_counter() - started) / max(1, len(cases))
        print(f"| {label} | {right} | {len(cases)} | {present_right}/{present} | {absent_right}/{absent} | {per:.2f} |")


if __name__ == "__main__":
    main()
