"""The chat panel's worker answers off the GUI thread, streaming; citations become links that seek."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from core.indexing import index_film, run  # noqa: E402
from core.store import open_store  # noqa: E402
from core.window import Window  # noqa: E402
from desktop.chat import AnswerWorker, answer_html, seek_target  # noqa: E402


def test_answer_streams_and_citations_link_to_moments(qtbot, make_film, isolated_home, encoder):
    with open_store(isolated_home) as store:
        film = run(index_film(store, make_film(), encoder=encoder)).film
    worker = AnswerWorker(film.fingerprint, "What did the painter say about the stripes?", Window.until(12),
                          home=isolated_home)
    tokens = []
    worker.token.connect(tokens.append)
    with qtbot.waitSignal(worker.answered, timeout=60_000) as answered:
        worker.start()
    worker.wait(10_000)
    answer = answered.args[0]
    assert tokens and "Blue stripes everywhere" in "".join(tokens)
    page = answer_html(answer)
    assert 'href="seek:8.500"' in page and "[0:08]" in page
    assert seek_target("seek:8.500") == 8.5 and seek_target("https://example.org") is None


def test_spoiler_free_answer_uses_only_what_was_watched(qtbot, make_film, isolated_home, encoder):
    with open_store(isolated_home) as store:
        film = run(index_film(store, make_film(), encoder=encoder)).film
    worker = AnswerWorker(film.fingerprint, "What did the painter say about the stripes?",
                          Window.watched([(0, 5)]), home=isolated_home)
    with qtbot.waitSignal(worker.answered, timeout=60_000) as answered:
        worker.start()
    worker.wait(10_000)
    answer = answered.args[0]
    assert answer.citations == [] and "Blue stripes" not in answer.text
    assert answer.text.startswith("Nothing in what you've watched")


def test_a_film_not_indexed_says_so(qtbot, isolated_home):
    worker = AnswerWorker("v1:unknown", "Who?", Window.whole(), home=isolated_home)
    with qtbot.waitSignal(worker.failed, timeout=30_000) as failed:
        worker.start()
    worker.wait(10_000)
    assert "not indexed yet" in failed.args[0]
