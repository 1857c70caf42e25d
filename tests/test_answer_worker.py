"""The answering worker the app runs as a process: one retriever per film kept between questions,
thumbnails of the evidence written to the cache, stop, and the JSON-lines protocol end to end."""

from __future__ import annotations

import json
import subprocess
import sys

from core.answer_worker import Answerer
from core.events import CancelToken
from core.indexing import index_film, run


def test_one_retriever_keeps_the_frames_between_questions(store, make_film, encoder):
    film = run(index_film(store, make_film(), encoder=encoder)).film
    events = []
    answerer = Answerer(store, None, events.append)
    for rid, question in ((1, "What does the green garden hide?"), (2, "What is in the red room?")):
        answerer.serve({"id": rid, "fingerprint": film.fingerprint, "question": question, "window": None},
                       CancelToken())
    (retriever,) = answerer._retrievers.values()  # made once, kept for the next question
    assert len(retriever._cache[film.id].times) == 12  # the frames read stay in memory
    answered = [e for e in events if e["event"] == "answered"]
    assert [e["id"] for e in answered] == [1, 2] and "hides a box" in answered[0]["turn"]["answer"]
    thumbs = [e for e in events if e["event"] == "thumbnails"]
    assert thumbs and all(open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n" for path in thumbs[0]["files"].values())
    stopped = CancelToken()
    stopped.cancel()
    answerer.serve({"id": 3, "fingerprint": film.fingerprint, "question": "Who?", "window": [[0, 5]]}, stopped)
    assert events[-1] == {"event": "failed", "id": 3, "message": "Stopped."}


def test_the_worker_process_answers_over_json_lines(isolated_home, make_film, encoder):
    from core.store import open_store

    with open_store(isolated_home) as store:
        film = run(index_film(store, make_film(), encoder=encoder)).film
    lines = [{"ask": {"id": 1, "fingerprint": film.fingerprint, "question": "What did the painter say about the stripes?",
                      "window": [[0, 5]], "kind": "ask", "now": 4.0}},
             {"ask": {"id": 2, "fingerprint": film.fingerprint, "question": "What did the painter say about the stripes?",
                      "window": None, "kind": "ask", "now": None}},
             {"ask": {"id": 3, "fingerprint": "v1:unknown", "question": "Who?", "window": None}}]
    done = subprocess.run([sys.executable, "-m", "core.answer_worker", "--home", str(isolated_home)],
                          input="".join(json.dumps(x) + "\n" for x in lines), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[0] == {"event": "ready"}
    answers = {e["id"]: e["turn"] for e in events if e["event"] == "answered"}
    assert all(t <= 5 for t in answers[1]["citations"]) and "Blue stripes" not in answers[1]["answer"]  # spoiler-free
    assert 8.5 in answers[2]["citations"]
    assert any(e["event"] == "token" and e["id"] == 2 for e in events)
    assert {"event": "failed", "id": 3, "message": "This film is not in the library yet: it is added when it plays."} \
        in events


def test_a_film_not_indexed_yet_is_answered_from_its_dialogue(store, make_film):
    from core.indexing import ingest_dialogue
    from core.media.probe import probe
    from core.store import fingerprint

    info = probe(make_film())
    film = store.ensure_film(fingerprint(info.path), info)
    ingest_dialogue(store, film, info)
    events = []
    Answerer(store, None, events.append).serve(
        {"id": 1, "fingerprint": film.fingerprint, "question": "What does the green garden hide?", "window": None},
        CancelToken())
    (answered,) = [e for e in events if e["event"] == "answered"]
    assert "hides a box" in answered["turn"]["answer"]
    assert answered["turn"]["note"] == "The film is not indexed yet; only its dialogue was searched."
