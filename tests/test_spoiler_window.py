"""The allowed window: parsing, merging, and that nothing outside it ever reaches an answer."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.answering import Answer, answer_question
from core.answering.prompt import build_messages
from core.dialogue import embed_moments
from core.retrieval import Retriever
from core.spoiler_window import Window, merge_ranges, parse_ranges
from tests.testkit.synthetic_index import synthetic_film

WORDS = ["sailor", "island", "whale", "dragon", "treasure", "storm", "captain", "parrot", "map", "lion"]


def test_parse_and_merge_ranges():
    assert parse_ranges("0-10:00, 12:30-15:00") == [(0.0, 600.0), (750.0, 900.0)]
    assert merge_ranges([(5, 10), (0, 6), (20, 30), (30.2, 40)]) == [(0.0, 10.0), (20.0, 40.0)]
    with pytest.raises(ValueError):
        parse_ranges("10-5")
    assert Window.until(90).sql("t") == ("((t BETWEEN ? AND ?))", [0.0, 90.0])
    assert Window.watched([]).sql("t")[0] == "0"


@pytest.fixture(scope="module")
def property_film(tmp_path_factory, encoder):
    """A 20-minute synthetic index whose dialogue names a secret only after 10:00."""
    from core.store import open_store
    from core.text_embed import default_embedder

    store = open_store(tmp_path_factory.mktemp("prop"))
    lines = [
        (t, f"The {WORDS[i % len(WORDS)]} and the {WORDS[(i * 3) % len(WORDS)]} at sea")
        for i, t in enumerate(range(5, 1200, 9))
    ]
    lines += [(t, "The treasure is buried under the zebra tree") for t in (640.0, 900.0, 1100.0)]
    film = synthetic_film(store, encoder, 1200.0, lines)
    embedder = default_embedder()
    embed_moments(store, film.id, embedder)
    yield store, film, Retriever(store, encoder, embedder)
    store.close()


windows = st.one_of(
    st.just(None),
    st.floats(min_value=0, max_value=1300).map(lambda t: ("until", t)),
    st.lists(st.tuples(st.floats(0, 1200), st.floats(1, 300)), min_size=1, max_size=4).map(
        lambda rs: ("watched", [(a, a + d) for a, d in rs])
    ),
)
questions = st.sampled_from(
    [
        "Where is the treasure buried?",
        "What just happened?",
        "Who is the captain?",
        "What happened at 12:30?",
        "Tell me about the zebra tree",
        "What does the parrot say?",
        "What is in the first scene?",
    ]
) | st.text(min_size=1, max_size=40)


def _make(spec) -> Window:
    if spec is None:
        return Window.whole()
    kind, value = spec
    return Window.until(value) if kind == "until" else Window.watched(value)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=windows, question=questions)
def test_no_evidence_or_citation_outside_the_window(property_film, spec, question):
    _store, film, retriever = property_film
    window = _make(spec)
    events = list(answer_question(retriever, film, question, window))
    answer = events[-1]
    assert isinstance(answer, Answer)
    for e in answer.evidence:
        assert window.contains(e.t), (e, window)
    for t in answer.citations:
        assert window.contains(t), (t, window)
    if spec is not None and spec[0] == "until" and spec[1] < 640:
        retrieval = retriever.retrieve(film, question, window)
        prompt = str(build_messages(question, retrieval))
        # the question may say "zebra" itself; the film's line about it must not reach the model
        assert "buried under the zebra tree" not in prompt and "buried under" not in answer.text


def test_spoiler_only_after_the_cutoff_is_not_found(property_film):
    _store, film, retriever = property_film
    before = list(answer_question(retriever, film, "Where is the treasure buried?", Window.until(600)))[-1]
    assert "zebra" not in before.text and all(t <= 600 for t in before.citations)
    after = list(answer_question(retriever, film, "Where is the treasure buried?", Window.whole()))[-1]
    assert "zebra tree" in after.text and set(after.citations) & {640.0, 900.0, 1100.0}


def test_a_scene_that_runs_past_the_window_keeps_no_tags(store, make_film, encoder):
    """Its tags were measured over all its frames: some of them come from after the boundary."""
    from core.indexing import index_film, run

    film = run(index_film(store, make_film(), encoder=encoder)).film
    whole = store.scenes_in_window(film.id, encoder.id, Window.whole())
    assert len(whole) == 3 and all(s["tags"] for s in whole)
    cut = whole[1]["start"] + 1.0  # inside the second scene
    scenes = store.scenes_in_window(film.id, encoder.id, Window.until(cut))
    assert [bool(s["tags"]) for s in scenes] == [True, False] and scenes[-1]["end"] == cut
    (_, _, _, tags), *_ = [s for s in store.library_scenes({film.id: Window.until(cut)}) if s[1] == scenes[-1]["start"]]
    assert tags == []


def test_a_time_the_question_names_is_kept_inside_the_film_and_the_window():
    from core.question import EDGE_S, time_focus

    assert time_focus("What happens at 1:25?", Window.until(30), 63.0, []) is None  # past what was watched
    assert time_focus("What happens at 0:50?", Window.whole(), 63.0, []) == (20.0, 63.0)  # cut at the end
    assert time_focus("What just happened?", Window.until(300), 400.0, []) == (300 - EDGE_S, 300.0)
    assert time_focus("What happens around 0:20?", Window.until(30), 63.0, []) == (0.0, 30.0)


def test_a_line_said_across_the_edge_is_evidence_only_up_to_it(store, make_film, capsys):
    """The default film says its second line at 4.5 s (it lasts past 5 s): under --until 5 it is read
    with its end at 5, and `ask --until` names no time past the window."""
    import json

    from core.cli import main
    from core.dialogue import ingest_dialogue
    from core.media.probe import probe
    from core.store import fingerprint

    path = make_film()
    info = probe(path)
    film = store.ensure_film(fingerprint(info.path), info)
    ingest_dialogue(store, film, info)
    (line,) = [x for x in store.lines_in_window(film.id, Window.until(5.0)) if x.start > 4]
    assert line.end == 5.0 and line.text.startswith("The green garden")
    assert next(x for x in store.lines_in_window(film.id, Window.whole()) if x.start > 4).end > 5.0

    assert main(["index", str(path), "--fps", "0.5"]) == 0
    capsys.readouterr()
    assert main(["ask", str(path), "What just happened at 0:25?", "--until", "0:05", "--new", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "0:25" not in answer["answer"] and "0:11" not in answer["answer"]
    assert all(e["t"] <= 5.0 and (e["end"] is None or e["end"] <= 5.0) for e in answer["evidence"])
    assert all(t <= 5.0 for t in answer["citations"])
