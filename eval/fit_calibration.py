"""Fit the answer calibration (core/calibration.py) on the tuning half of the evaluation set and write
resources/answer-calibration.json. Needs scikit-learn (pip install scikit-learn) and the indexed films of
a previous `python eval/run.py` (or it indexes them).

    python eval/fit_calibration.py [--report]

Only films whose split is "tune" are read here; the test half is never seen while fitting.
Dialogue questions only: questions about the picture, the whole film or "what just happened" are decided
by the picture and the time focus, not by these models."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import calibration  # noqa: E402
from eval.run import NEAR_S, OUT, film_path, load_films, window_for  # noqa: E402

NOT_FOUND_PRECISION = 0.95  # "not in the film" must be right at least this often on the tuning half
# ... measured on at least this share of the unanswerable questions (a threshold that isolates two or
# three questions says nothing about the next film)
NOT_FOUND_SUPPORT = 0.25
SURE_PRECISION = 0.8  # an answer without hedging must cite a right moment at least this often


def dialogue_questions(film: dict) -> list[dict]:
    return [
        q
        for q in film["questions"]
        if q["type"] not in ("seen", "just_happened") and q["answer_at"] != "any" and not q.get("now")
    ]


def collect(split: str):
    """Per question: (moment features (N, k), labels (N,), answerable) for every dialogue question."""
    from core.encoders.efficientnet import EfficientNetLite0
    from core.indexing import index_film, run
    from core.retrieval import Retriever
    from core.store import open_store
    from core.text_embed import default_embedder

    store = open_store(OUT / "home")
    encoder = EfficientNetLite0(cache_dir=OUT / "home" / "cache")
    retriever = Retriever(store, encoder, default_embedder())
    samples = []
    for film in load_films():
        if film["split"] != split:
            continue
        path = film_path(film)
        if path is None:
            continue
        fps = 0.1 if film["media"] == "generated" else 1.0
        stored = run(index_film(store, path, encoder=encoder, fps=fps)).film
        for q in dialogue_questions(film):
            window = window_for(q)
            lines = store.lines_in_window(stored.id, window)
            if not lines:
                continue
            cosine, bm25 = retriever.dialogue_signals(stored, q["q"], lines, window)
            features = calibration.moment_features(cosine, bm25)
            expected = q["answer_at"] or []
            labels = np.array([any(abs(l.start - e) <= NEAR_S for e in expected) for l in lines])
            samples.append((features, labels, bool(expected), f"{film['id']}/{q['id']}"))
    return samples


def fit(samples) -> dict:
    from sklearn.linear_model import LogisticRegression

    answerable = [s for s in samples if s[2] and s[1].any()]
    x = np.concatenate([s[0] for s in answerable])
    y = np.concatenate([s[1] for s in answerable])
    moments = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(x, y)
    moment_weights = np.append(moments.coef_[0], moments.intercept_[0])
    model = calibration.Calibration(moment_weights, np.zeros(len(calibration.ANSWER_FEATURES) + 1), 0.0, 1.0)

    features, answered = [], []
    for f, _, has_answer, _ in samples:
        features.append(calibration.answer_features(f, model.moment_logits(f)))
        answered.append(has_answer)
    features, answered = np.array(features), np.array(answered)
    answers = LogisticRegression(C=1.0, max_iter=2000).fit(features, answered)
    answer_weights = np.append(answers.coef_[0], answers.intercept_[0])
    p = answers.predict_proba(features)[:, 1]
    top_right = np.array([bool(lab[int(np.argmax(model.moment_logits(f)))]) for f, lab, _, _ in samples])
    return {
        "moment_features": list(calibration.MOMENT_FEATURES),
        "moment_weights": moment_weights.tolist(),
        "answer_features": list(calibration.ANSWER_FEATURES),
        "answer_weights": answer_weights.tolist(),
        "not_found_below": _not_found_threshold(p, answered),
        "sure_above": _sure_threshold(p, top_right),
        "fitted_on": {
            "questions": len(samples),
            "answerable": int(answered.sum()),
            "moment_rows": int(len(y)),
            "split": "tune",
        },
    }


def _not_found_threshold(p: np.ndarray, answered: np.ndarray) -> float:
    """The highest threshold under which at least NOT_FOUND_PRECISION of the questions are truly not
    answered (0: never say "not in the film")."""
    best = 0.0
    for t in sorted(set(np.round(p, 4))):
        below = p < t
        if (~answered[below]).sum() >= NOT_FOUND_SUPPORT * (~answered).sum() and (
            ~answered[below]
        ).mean() >= NOT_FOUND_PRECISION:
            best = float(t)
    return best


def _sure_threshold(p: np.ndarray, top_right: np.ndarray) -> float:
    """The lowest threshold above which the best moment is right at least SURE_PRECISION of the time."""
    for t in sorted(set(np.round(p, 4))):
        above = p >= t
        if above.sum() >= 5 and top_right[above].mean() >= SURE_PRECISION:
            return float(t)
    return 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "resources" / calibration.MODEL_FILE))
    args = parser.parse_args()
    samples = collect("tune")
    model = fit(samples)
    Path(args.out).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in model.items() if "weights" not in k}, indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
