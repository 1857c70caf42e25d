"""The resident answerer answers off the GUI thread, streaming; the chat panel renders citations as
links that seek, evidence with thumbnails, and the spoiler-free boundary."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QUrl

from core.indexing import index_film, run
from core.spoiler_window import Window
from core.store import open_store
from core.turn import Turn
from desktop.answers import AnswerService
from desktop.chat import ChatPanel, answer_html, seek_target, window_text


@pytest.fixture
def service(isolated_home):
    s = AnswerService(isolated_home)
    s.start()
    yield s
    s.shutdown()
    s.wait(30_000)


@pytest.fixture
def panel(qtbot, service):
    """A chat panel wired to the answerer as the window wires it."""
    p = ChatPanel()
    qtbot.addWidget(p)
    service.answered.connect(p.finish)
    service.thumbnails.connect(p.add_thumbnails)
    service.failed.connect(p.fail)
    p.stop_wanted.connect(service.stop_answer)
    return p


def ask(service, panel, film, question: str) -> int:
    request = service.ask(film.fingerprint, question, Window.whole())
    panel.begin(request, question)
    return request


@pytest.fixture
def indexed_film(make_film, isolated_home, encoder):
    with open_store(isolated_home) as store:
        return run(index_film(store, make_film(), encoder=encoder)).film


def test_answers_stream_and_citations_link_to_moments(qtbot, service, indexed_film):
    tokens = []
    service.token.connect(lambda _id, text: tokens.append(text))
    with qtbot.waitSignal(service.answered, timeout=180_000) as answered:
        request = service.ask(indexed_film.fingerprint, "What did the painter say about the stripes?", Window.until(12))
    assert answered.args[0] == request
    turn = answered.args[1]
    assert tokens and "Blue stripes everywhere" in "".join(tokens)
    page = answer_html(turn.answer, turn.citations, turn.note)
    assert 'href="seek:8.500"' in page and ">0:08</a>" in page
    assert seek_target("seek:8.500") == 8.5 and seek_target("https://example.org") is None


def test_spoiler_free_answer_uses_only_what_was_watched(qtbot, service, indexed_film):
    with qtbot.waitSignal(service.answered, timeout=180_000) as answered:
        service.ask(indexed_film.fingerprint, "What did the painter say about the stripes?", Window.watched([(0, 5)]))
    turn = answered.args[1]
    assert all(t <= 5 for t in turn.citations) and "Blue stripes" not in turn.answer
    assert turn.answer.startswith(("Nothing in what you've watched", "I'm not sure"))


def test_evidence_thumbnails_arrive_and_the_panel_shows_them(qtbot, service, panel, indexed_film):
    with qtbot.waitSignal(service.thumbnails, timeout=180_000) as thumbs:
        ask(service, panel, indexed_film, "What does the green garden hide?")
    images = thumbs.args[1]
    assert images and all(not image.isNull() and image.width() == 160 for image in images.values())
    entry = panel.entries[-1]
    # the answer arrives before its thumbnails, so the entry has both
    assert entry.turn is not None
    assert entry.turn.question == "What does the green garden hide?" and "hides a box" in entry.turn.answer
    assert set(entry.thumbs) == set(images)  # the panel shows every thumbnail that came
    assert "Show evidence" in panel.view.toHtml()
    panel.view.anchorClicked.emit(QUrl("evidence:0"))
    assert entry.expanded and "thumb:0/" in panel.view.toHtml()
    seeks = []
    panel.seek_requested.connect(seeks.append)
    panel.view.anchorClicked.emit(QUrl(f"seek:{entry.turn.citations[0]:.3f}"))
    assert seeks == [pytest.approx(entry.turn.citations[0])]


def test_a_film_not_in_the_library_says_so(qtbot, service):
    with qtbot.waitSignal(service.failed, timeout=30_000) as failed:
        service.ask("v1:unknown", "Who?", Window.whole())
    assert "not in the library" in failed.args[1]


def test_boundary_words():
    assert window_text([]).startswith("uses nothing yet")
    assert window_text([(0, 2533)]) == "uses 0:00–42:13 that you've watched"


def test_stop_ends_the_answer_and_says_so(qtbot, service, panel, indexed_film):
    with qtbot.waitSignal(service.failed, timeout=180_000) as failed:
        request = ask(service, panel, indexed_film, "What does the green garden hide?")
        assert panel.stop_button.isEnabled() and not panel.send_button.isEnabled()
        panel.stop_button.click()
    assert failed.args == [request, "Stopped."]
    assert "Stopped." in panel.view.toPlainText() and panel.send_button.isEnabled()
    with qtbot.waitSignal(service.answered, timeout=180_000):  # the next question is answered as usual
        second = ask(service, panel, indexed_film, "What does the green garden hide?")
    entry = panel.entries[-1]
    assert entry.id == second and entry.error == "" and entry.turn is not None
    assert entry.turn.question == "What does the green garden hide?" and "hides a box" in entry.turn.answer


def test_copy_puts_the_answer_and_its_moments_on_the_clipboard(qtbot):
    from PySide6.QtGui import QGuiApplication

    panel = ChatPanel()
    qtbot.addWidget(panel)
    panel.set_history([Turn("Who sings?", "Popeye sings.", (13.0, 75.0))])
    panel.view.anchorClicked.emit(QUrl("copy:0"))
    assert QGuiApplication.clipboard().text() == "Popeye sings.\n(moments: 0:13, 1:15)"
