"""The answering worker the app runs as a process: one retriever per film kept between questions,
thumbnails of the evidence written to the cache, stop, and the protocol (core.protocol) end to end."""

from __future__ import annotations

import subprocess
import sys

from core import protocol
from core.answer_worker import Answerer
from core.events import CancelToken
from core.indexing import index_film, run
from core.protocol import Answered, AnswerToken, Ask, Failed, Ready, Thumbnails


def test_one_retriever_keeps_the_frames_between_questions(store, make_film, encoder):
    film = run(index_film(store, make_film(), encoder=encoder)).film
    events = []
    answerer = Answerer(store, None, events.append)
    for rid, question in ((1, "What does the green garden hide?"), (2, "What is in the red room?")):
        answerer.serve(Ask(rid, film.fingerprint, question), CancelToken())
    (retriever,) = answerer._retrievers.values()  # made once, kept for the next question
    assert len(retriever._cache[film.id].times) == 12  # the frames read stay in memory
    answered = [e for e in events if isinstance(e, Answered)]
    assert [e.id for e in answered] == [1, 2] and "hides a box" in answered[0].turn.answer
    thumbs = [e for e in events if isinstance(e, Thumbnails)]
    assert thumbs and all(open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n" for path in thumbs[0].files.values())
    stopped = CancelToken()
    stopped.cancel()
    answerer.serve(Ask(3, film.fingerprint, "Who?", ((0.0, 5.0),)), stopped)
    assert events[-1] == Failed("Stopped.", 3)


def test_the_worker_process_answers_over_json_lines(isolated_home, make_film, encoder):
    from core.store import open_store

    with open_store(isolated_home) as store:
        film = run(index_film(store, make_film(), encoder=encoder)).film
    question = "What did the painter say about the stripes?"
    lines = [
        Ask(1, film.fingerprint, question, ((0.0, 5.0),), now=4.0),
        Ask(2, film.fingerprint, question),
        Ask(3, "v1:unknown", "Who?"),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "core.answer_worker", "--home", str(isolated_home)],
        input="".join(protocol.encode(x) + "\n" for x in lines),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    events = [protocol.decode(line) for line in done.stdout.splitlines()]
    assert events[0] == Ready()
    answers = {e.id: e.turn for e in events if isinstance(e, Answered)}
    assert all(t <= 5 for t in answers[1].citations) and "Blue stripes" not in answers[1].answer  # spoiler-free
    assert 8.5 in answers[2].citations
    assert any(isinstance(e, AnswerToken) and e.id == 2 for e in events)
    assert Failed("This film is not in the library yet: it is added when it plays.", 3) in events


def test_a_film_not_indexed_yet_is_answered_from_its_dialogue(store, make_film):
    from core.dialogue import ingest_dialogue
    from core.media.probe import probe
    from core.store import fingerprint

    info = probe(make_film())
    film = store.ensure_film(fingerprint(info.path), info)
    ingest_dialogue(store, film, info)
    events = []
    Answerer(store, None, events.append).serve(
        Ask(1, film.fingerprint, "What does the green garden hide?"), CancelToken()
    )
    (answered,) = [e for e in events if isinstance(e, Answered)]
    assert "hides a box" in answered.turn.answer
    assert answered.turn.note == "The film is not indexed yet; only its dialogue was searched."


def test_every_message_reads_back_as_itself():
    from core.events import Progress
    from core.turn import Turn

    turn = Turn("Who?", "Popeye.", (1.5,), ({"kind": "frame", "t": 1.5, "text": "a sailor"},), ((0.0, 5.0),), "note")
    messages = [
        protocol.Playhead(12.5),
        protocol.CancelIndexing(),
        protocol.IndexProgress(Progress("frames", 3.0, 10.0, message="3 of 10", covered=((0.0, 3.0),))),
        protocol.IndexDone(12, 3, 4, True, 1.5),
        Ask(7, "v1:x", "Who?", ((0.0, 5.0),), "recap", 3.0),
        protocol.StopAnswers(),
        protocol.UseModel("smollm2"),
        AnswerToken(7, "Pop"),
        Answered(7, turn),
        Thumbnails(7, {"1.500": "/tmp/a.png"}),
        Ready(),
        Failed("Stopped.", 7),
    ]
    for message in messages:
        assert protocol.decode(protocol.encode(message)) == message
    assert {type(m) for m in messages} == set(protocol.MESSAGES.values())
    for line in ("not json", "{}", '{"kind": "nonsense"}', '{"kind": "playhead"}', '{"kind": "ask", "id": 1}'):
        assert protocol.decode(line) is None
