"""Answers: extractive quotes, the grounding check, generation with a tiny random causal LM, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.answering import Answer, Token, answer_question
from core.answering.grounding import cite, sentence_supported, split_sentences
from core.answering.models import TransformersLM
from core.answering.registry import create, register, unregister
from core.errors import UnknownBackend
from core.evidence import Evidence
from core.question import fts_query, keywords, time_focus
from core.spoiler_window import Window
from tests.conftest import shared_clip

EVIDENCE = [
    Evidence(13.0, 16.4, "dialogue", "I'm Sinbad the sailor\nSo hearty and hale"),
    Evidence(16.6, 20.0, "dialogue", "I live on an island\nOn the back of a whale"),
    Evidence(14.0, None, "frame", "looks like lion (12%); colours: orange"),
]


def test_grounding_rejects_what_the_evidence_does_not_say():
    q = "How does the singer introduce himself?"
    assert sentence_supported("He says he is Sinbad the sailor, hearty and hale.", EVIDENCE, q)
    assert not sentence_supported("He is Sinbad the sailor, who is a whale and a dragon.", EVIDENCE, q)
    assert not sentence_supported("His ship is called Lion King.", EVIDENCE, q)
    assert not sentence_supported("He was born in 1936.", EVIDENCE, q)


def test_citations_come_from_the_evidence_the_sentence_uses():
    assert cite("He lives on the back of a whale.", EVIDENCE, lambda t: True) == [16.6]
    assert cite("At [0:13] he sings that he is Sinbad.", EVIDENCE, lambda t: True) == [13.0]
    assert cite("At [0:13] he sings that he is Sinbad.", EVIDENCE, lambda t: t < 10) == []
    assert cite("Nothing in common here.", EVIDENCE, lambda t: True) == []


def test_question_words_and_time_focus():
    assert keywords("What did she say about the watch?") == ["watch"]
    assert fts_query('say "hi" OR drop table') == '"hi" OR "drop" OR "table"'
    scenes = [{"start": 0.0, "end": 30.0}, {"start": 30.0, "end": 90.0}]
    assert time_focus("What happened at 1:02:10?", Window.whole(), 7200, scenes) == (3700.0, 3760.0)
    assert time_focus("What just happened?", Window.until(600), 7200, scenes) == (450.0, 600.0)
    assert time_focus("What is in the first scene?", Window.whole(), 7200, scenes) == (0.0, 30.0)
    assert time_focus("Why is she angry?", Window.whole(), 7200, scenes) is None
    assert split_sentences("He sings. Then he laughs! Why?") == ["He sings.", "Then he laughs!", "Why?"]


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    """A tiny random Llama with a word-level tokenizer and a chat template, saved like a user's model."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-lm")
    words = [
        "<pad>",
        "<unk>",
        "<s>",
        "</s>",
        "sinbad",
        "the",
        "sailor",
        "whale",
        "island",
        "he",
        "is",
        ".",
        "says",
        "lion",
        "dragon",
        "at",
        "0:13",
        "hearty",
        "hale",
        "I'm",
        "user",
        "assistant",
        ":",
    ]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", bos_token="<s>", eos_token="</s>"
    )
    fast.chat_template = "{% for m in messages %}{{ m['role'] }} : {{ m['content'] }} {% endfor %}assistant :"
    fast.save_pretrained(folder)
    config = LlamaConfig(
        vocab_size=len(words),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        bos_token_id=2,
        eos_token_id=3,
        pad_token_id=0,
    )
    import torch

    torch.manual_seed(0)  # random, but the same every run
    LlamaForCausalLM(config).save_pretrained(folder)
    return folder


def test_tiny_lm_streams_and_its_answer_is_checked(tiny_lm, store, make_film, encoder):
    from core.indexing import index_film, run
    from core.retrieval import Retriever
    from core.text_embed import default_embedder

    film = run(index_film(store, make_film(), encoder=encoder)).film
    model = TransformersLM(str(tiny_lm))
    pieces = list(model.stream([{"role": "user", "content": "sinbad the sailor"}], max_new_tokens=8))
    assert pieces and all(isinstance(p, str) for p in pieces)
    retriever = Retriever(store, encoder, default_embedder())
    question = "What does the painter say about the stripes?"
    events = list(answer_question(retriever, film, question, Window.whole(), model))
    answer = events[-1]
    assert isinstance(answer, Answer) and any(isinstance(e, Token) for e in events)
    # Whatever its random weights write, the tiny model cannot be grounded here: none of its words is a
    # content word of the film's evidence or the question, and a generated sentence stands only when all
    # its content words are (at least one). So the system always quotes the evidence instead.
    assert not any(sentence_supported(word, answer.evidence, question) for word in model.tokenizer.get_vocab())
    assert answer.mode == "extractive-fallback"
    extractive = next(e for e in answer_question(retriever, film, question, Window.whole()) if isinstance(e, Answer))
    assert extractive.mode == "extractive"  # the fallback quotes exactly what the answer without a model does
    assert answer.text == extractive.text and answer.citations == extractive.citations
    assert "Blue stripes everywhere, said the painter." in answer.text and answer.citations == [8.5]


def test_unknown_answering_model_is_a_clear_error(tmp_path):
    with pytest.raises(UnknownBackend, match="extractive"):
        create("no-such-model")
    with pytest.raises(UnknownBackend, match="GGUF"):
        create(str(tmp_path / "missing.gguf"))
    assert create("extractive") is None


def test_answering_models_are_found_through_the_registry(tmp_path):
    made = []

    class Echo:
        id = "echo"

        def stream(self, messages, cancel=None, max_new_tokens=120):
            yield messages[-1]["content"]

    register("echo-test", lambda name, cache: made.append((name, cache)) or Echo())
    try:
        model = create("echo-test", tmp_path)
        assert isinstance(model, Echo) and made == [("echo-test", tmp_path / "cache" / "models")]
        assert create("echo-test", tmp_path) is model and len(made) == 1  # loaded once, kept warm
    finally:
        unregister("echo-test")
    with pytest.raises(UnknownBackend):
        create("echo-test-gone")


def _ask(*args):
    proc = subprocess.run([sys.executable, "-m", "core", *map(str, args)], capture_output=True, text=True, timeout=600)
    return proc


def test_cli_ask_json_on_a_small_film(make_film):
    film = make_film()
    assert _ask("index", film).returncode == 0
    proc = _ask("ask", film, "What did the painter say about the stripes?", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"question", "answer", "citations", "evidence", "window", "note"}
    assert "Blue stripes everywhere" in out["answer"] and out["citations"] == [8.5]
    assert all(set(e) == {"t", "end", "kind", "text"} for e in out["evidence"])
    spoiler_free = json.loads(
        _ask("ask", film, "What did the painter say about the stripes?", "--until", "0:06", "--json").stdout
    )
    assert "Blue stripes" not in json.dumps(spoiler_free) and spoiler_free["window"] == [[0.0, 6.0]]
    # nothing before 0:06 answers it: the answer does not claim to (calibrated: "not sure" or "nothing")
    assert spoiler_free["answer"].startswith(("Nothing in what you've watched", "I'm not sure"))
    recap = _ask("recap", film)
    assert recap.returncode == 0 and "0:00" in recap.stdout
    assert _ask("ask", film, "x", "--watched", "5-2").returncode == 2


def test_cli_ask_on_a_film_not_indexed(make_film):
    proc = _ask("ask", make_film(), "Who?")
    assert proc.returncode == 3 and "not indexed" in proc.stderr


@pytest.mark.media
def test_popeye_singer_introduces_himself():
    clip = shared_clip("popeye_1.mkv")
    assert _ask("index", clip).returncode == 0
    out = json.loads(_ask("ask", clip, "How does the singer introduce himself?", "--json").stdout)
    assert any(13 <= t <= 16 for t in out["citations"])
    assert "I'm Sinbad the sailor" in out["answer"]  # the extractive answer quotes the line itself
    assert any("Sinbad the sailor" in e["text"] and 13 <= e["t"] <= 16 for e in out["evidence"])
    early = json.loads(_ask("ask", clip, "How does the singer introduce himself?", "--until", "10", "--json").stdout)
    assert all(t <= 10 for t in early["citations"]) and all(e["t"] <= 10 for e in early["evidence"])
    assert "Sinbad" not in json.dumps(early)
    absent = json.loads(_ask("ask", clip, "When does the helicopter land?", "--json").stdout)
    assert absent["answer"].startswith(("Nothing in the film", "I'm not sure"))


@pytest.mark.slow
@pytest.mark.media
def test_popeye_with_the_real_smollm2():
    clip = shared_clip("popeye_1.mkv")
    assert _ask("index", clip).returncode == 0
    proc = _ask("ask", clip, "How does the singer introduce himself?", "--llm", "smollm2", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["citations"] and all(0 <= t <= 64 for t in out["citations"])
    assert any("Sinbad" in e["text"] for e in out["evidence"])
    assert "dragon" not in out["answer"].lower() and "lion" not in out["answer"].lower()


def test_follow_ups_keep_the_conversation_and_retrieve_again(make_film, isolated_home):
    film = make_film()
    assert _ask("index", film).returncode == 0
    first = json.loads(_ask("ask", film, "What did the painter say about the stripes?", "--json").stdout)
    follow = json.loads(_ask("ask", film, "Why?", "--json").stdout)  # names nothing: uses the last question
    assert follow["citations"] == first["citations"] == [8.5]
    from core.store import open_store

    with open_store(isolated_home) as store:
        turns = store.turns(store.latest_conversation(store.films()[0].id))
    assert [t.question for t in turns] == ["What did the painter say about the stripes?", "Why?"]
    fresh = json.loads(_ask("ask", film, "Why?", "--new", "--json").stdout)  # about nothing: not a claim
    assert fresh["answer"].startswith(("Nothing", "I'm not sure"))


def test_a_partly_indexed_film_answers_from_what_is_indexed(store, make_film, encoder):
    from core.events import CancelToken, Done, Progress
    from core.indexing import index_film
    from core.retrieval import Retriever
    from core.text_embed import default_embedder

    path = make_film(seconds_per_shot=10)
    cancel = CancelToken()
    for event in index_film(store, path, encoder=encoder, batch_size=4, cancel=cancel):
        if isinstance(event, Progress) and event.stage == "frames" and event.done >= 8:
            cancel.cancel()
        if isinstance(event, Done):
            film = event.result.film
    retriever = Retriever(store, encoder, default_embedder())
    answer = list(answer_question(retriever, film, "What does the green garden hide?", Window.whole()))[-1]
    assert "is indexed for" in answer.note and "hides a box" in answer.text


def test_the_quote_is_the_exchange_around_the_best_line():
    from core.answering.grounding import _sentence_around

    said = [
        Evidence(100.0, 101.5, "dialogue", "Why can't we go back?"),
        Evidence(102.0, 103.0, "dialogue", "This is not some game."),
        Evidence(104.0, 106.0, "dialogue", "We could easily die out here."),
        Evidence(107.0, 108.0, "dialogue", "Are you coming?"),
        Evidence(109.5, 110.0, "dialogue", "In a minute."),
        Evidence(130.0, 131.0, "dialogue", "Much later."),
    ]
    # the line that matched with the lines either side: the neighbour is often what answers
    assert [e.t for e in _sentence_around(said[1], said)] == [100.0, 102.0, 104.0]
    # a line that asks is followed by its reply
    assert [e.t for e in _sentence_around(said[2], said)] == [102.0, 104.0, 107.0, 109.5]
    # nothing further than the moment that was searched
    assert [e.t for e in _sentence_around(said[5], said)] == [130.0]
