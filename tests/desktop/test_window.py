"""The main window, offscreen with mpv's null outputs: opening a film, the time display and keys,
indexing in the status bar, closing mid-index and coming back, questions whose citations seek, the
spoiler-free boundary, history across restarts, settings, errors shown in the window."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("mpv")

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from core import coverage
from core.config import Settings, load_settings
from core.indexing import index_film, run
from core.store import fingerprint, open_store


def _wait_label(qtbot, window, prefix):
    try:
        qtbot.waitUntil(lambda: window.controls.time_label.text().startswith(prefix), timeout=10_000)
    except Exception as exc:
        raise AssertionError(
            f"{window.controls.time_label.text()} at {window.player.position} paused={window.player.paused}"
        ) from exc


def playing_past(qtbot, window, seconds: float) -> None:
    qtbot.waitUntil(lambda: (window.player.position or 0) > seconds, timeout=60_000)


def test_open_play_pause_and_seek_drive_the_time_display(qtbot, open_window, make_film):
    window = open_window()
    film = make_film(seconds_per_shot=10)
    assert window.open_film(film)
    playing_past(qtbot, window, 1.0)
    qtbot.waitUntil(lambda: window.controls.time_label.text().endswith("/ 0:30"), timeout=10_000)
    assert window.stack.currentIndex() == 1 and window.windowTitle().startswith("film")
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.player.paused, timeout=5_000)
    paused_at = window.player.position
    qtbot.keyClick(window, Qt.Key.Key_Up)  # +1 minute: clamps at the end
    qtbot.keyClick(window, Qt.Key.Key_Left)  # -5 s
    qtbot.waitUntil(
        lambda: window.player.position is not None and window.player.position > paused_at + 10, timeout=10_000
    )
    window.controls.seekbar.seek_requested.emit(12.0)
    _wait_label(qtbot, window, "0:12")
    assert window.controls.seekbar.position == pytest.approx(12.0, abs=0.5)
    volume = window.player.volume
    qtbot.keyClick(window, Qt.Key.Key_9)
    qtbot.waitUntil(lambda: window.controls.volume.value() == round(volume - 2), timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_BracketRight)
    qtbot.waitUntil(lambda: window.controls.speed_button.text() == "1.1×", timeout=5_000)
    assert window.recent_films()[0] == str(film)


def test_indexing_shows_progress_and_finishes(qtbot, open_window, make_film):
    window = open_window(index=True)
    seen = []
    with qtbot.waitSignal(window.film_opened, timeout=10_000):
        window.open_film(make_film())
    window.indexer.progress.connect(lambda e: seen.append(window.index_status.label.text()))
    with qtbot.waitSignal(window.indexer.finished_index, timeout=300_000):
        pass
    qtbot.waitUntil(lambda: window.index_status.label.text().startswith("Indexed ✓"), timeout=10_000)
    assert any(text.startswith("Indexing the picture") for text in seen)
    assert window.controls.seekbar.indexed and window.controls.seekbar.indexed[0][0] == 0.0
    assert window.controls.seekbar.indexed[-1][1] == pytest.approx(12.0, abs=0.1)


@pytest.mark.slow  # a whole worker process over a longer film: run by make test, not test-fast
def test_closing_mid_index_then_reopening_continues_index_and_position(
    qtbot, open_window, make_film, isolated_home, encoder
):
    film = make_film(seconds_per_shot=40, lines=())  # 2 minutes
    window = open_window(index=True)
    window.open_film(film)
    window.player.seek(90.0)
    playing_past(qtbot, window, 91.0)
    # The viewer pauses there: under load the indexer may need longer than the 29 s left to play, and a
    # film played to its end would rightly reopen at the start.
    window.player.pause()
    qtbot.waitUntil(lambda: window.player.paused, timeout=10_000)
    with qtbot.waitSignal(
        window.indexer.progress, timeout=300_000, check_params_cb=lambda e: any(a < 91.0 <= b for a, b in e.covered)
    ):
        pass
    window.close()
    with open_store(isolated_home) as store:
        stored = store.film_by_fingerprint(fingerprint(film))
        progress = store.latest_progress(stored.id)
        assert not progress["complete"]
        partial = store.frame_count(stored.id)
        covered = coverage.loads(progress["covered"])
        assert any(a < 91.0 <= b for a, b in covered), covered  # the part being watched came first
        assert not any(a < 40.0 <= b for a, b in covered), covered  # before the part it skipped
        position = store.position(stored.id)
    assert position >= 91.0
    again = open_window(index=True)
    again.open_film(film)
    qtbot.waitUntil(lambda: (again.player.position or 0) >= position - 0.5, timeout=20_000)
    assert again.player.position < position + 10  # resumed there, not at the start
    with qtbot.waitSignal(again.indexer.finished_index, timeout=600_000) as done:
        pass
    assert done.args[0].complete and 0 < done.args[0].added < 120 - partial + 1
    assert done.args[0].frames == 120


@pytest.fixture
def indexed(make_film, isolated_home, encoder):
    path = make_film()
    with open_store(isolated_home) as store:
        run(index_film(store, path, encoder=encoder))
    return path


def test_a_question_is_answered_and_its_citation_seeks_the_player(qtbot, open_window, indexed):
    window = open_window()
    window.open_film(indexed)
    playing_past(qtbot, window, 0.5)
    window.chat.spoiler_free.setChecked(False)
    with qtbot.waitSignal(window.answers.answered, timeout=180_000) as answered:
        window.chat.input.setText("What did the painter say about the stripes?")
        qtbot.keyClick(window.chat.input, Qt.Key.Key_Return)
    turn = answered.args[1]
    assert 8.5 in turn.citations
    assert 'href="seek:8.500"' in window.chat.view.toHtml()
    window.player.pause()
    window.chat.view.anchorClicked.emit(QUrl("seek:8.500"))
    qtbot.waitUntil(lambda: abs((window.player.position or 0) - 8.5) < 0.3, timeout=10_000)
    _wait_label(qtbot, window, "0:08")


def test_the_spoiler_free_boundary_follows_what_was_watched(qtbot, open_window, indexed):
    window = open_window()
    window.open_film(indexed)
    playing_past(qtbot, window, 2.5)
    window.player.pause()
    qtbot.waitUntil(lambda: "that you've watched" in window.chat.boundary.text(), timeout=10_000)
    assert re.match(r"uses 0:00–0:0[2-4] that you've watched", window.chat.boundary.text())
    assert window.chat.spoiler_free.isChecked()  # on by default
    with qtbot.waitSignal(window.answers.answered, timeout=180_000) as answered:
        window.ask("What did the painter say about the stripes?")
    assert answered.args[1].window[-1][1] <= 5.0
    assert all(t <= answered.args[1].window[-1][1] for t in answered.args[1].citations)
    assert "Blue stripes" not in answered.args[1].answer
    window.chat.spoiler_free.setChecked(False)
    assert window.chat.boundary.isHidden()
    with qtbot.waitSignal(window.answers.answered, timeout=180_000) as answered:
        window.ask("What did the painter say about the stripes?")
    assert 8.5 in answered.args[1].citations


def test_history_is_kept_across_restarts(qtbot, open_window, indexed):
    window = open_window()
    window.open_film(indexed)
    window.chat.spoiler_free.setChecked(False)
    with qtbot.waitSignal(window.answers.answered, timeout=180_000):
        window.ask("What does the green garden hide?")
    window.close()
    again = open_window()
    again.open_film(indexed)
    assert [e.question for e in again.chat.entries] == ["What does the green garden hide?"]
    assert "hides a box" in again.chat.view.toPlainText()
    assert not again.chat.spoiler_free.isChecked()  # the switch is remembered too


def test_recap_so_far(qtbot, open_window, indexed):
    window = open_window()
    window.open_film(indexed)
    window.chat.spoiler_free.setChecked(False)
    with qtbot.waitSignal(window.answers.answered, timeout=180_000) as answered:
        window.chat.recap_button.click()
    assert answered.args[1].citations and window.chat.entries[-1].question == "Recap so far"


def test_a_broken_file_is_reported_in_the_window(qtbot, open_window, tmp_path):
    window = open_window()
    broken = tmp_path / "holiday.mkv"
    broken.write_bytes(b"this is not a film" * 100)
    assert not window.open_film(broken)
    assert window.problem.isVisible() and "holiday.mkv" in window.problem.text()
    assert window.stack.currentIndex() == 0  # still the empty state that says what to do


def test_dropping_a_film_opens_it(qtbot, open_window, make_film):
    window = open_window()
    film = make_film()
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(film))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    assert window.film is not None and window.info.path == film
    assert window.recent_menu.actions()[0].text() == film.name


def test_settings_are_saved_in_the_core_config(qtbot, open_window):
    from desktop.settings import SettingsDialog

    window = open_window()
    assert window.answers.llm is None  # a fresh data folder: extractive answers
    dialog = SettingsDialog(Settings(), ["efficientnet-lite0"], window)
    dialog.fps.setValue(0.5)
    dialog.llm.setEditText("http://localhost:8080/v1#tiny")
    chosen = dialog.settings()
    assert chosen == Settings(vision=None, llm="http://localhost:8080/v1#tiny", fps=0.5, data_folder=None)
    window.apply_settings(chosen)
    assert load_settings() == chosen and window.settings == chosen
    assert window.answers.llm == "http://localhost:8080/v1#tiny"  # the answerer switches model at once
    dialog.llm.setCurrentIndex(1)
    assert dialog.settings().llm == "smollm2"


def test_sidecar_and_embedded_subtitles_are_tracks_to_pick(qtbot, open_window, make_film):
    window = open_window()
    film = make_film()
    film.with_name("film.en.srt").write_text("1\n00:00:01,000 --> 00:00:03,000\nA sidecar line.\n", encoding="utf-8")
    with qtbot.waitSignal(
        window.player.tracks_changed,
        timeout=10_000,
        check_params_cb=lambda tracks: sum(t.kind == "sub" for t in tracks) >= 2,
    ):
        window.open_film(film)
    subs = window.player.tracks("sub")
    assert any("(file)" in t.label for t in subs) and any("(file)" not in t.label for t in subs)
    labels = [a.text() for a in window.controls.tracks_menu.actions()]
    assert "Off" in labels and any("(file)" in label for label in labels)
    external = next(t for t in subs if "(file)" in t.label)
    window.player.select_track("sub", external.id)
    qtbot.waitUntil(lambda: any(t.selected and t.id == external.id for t in window.player.tracks("sub")), timeout=5_000)
    window.player.select_track("sub", None)
    qtbot.waitUntil(lambda: not any(t.selected for t in window.player.tracks("sub")), timeout=5_000)


def test_screenshot_and_fullscreen_keys(qtbot, open_window, make_film, isolated_home):
    window = open_window()
    window.open_film(make_film())
    playing_past(qtbot, window, 1.0)
    qtbot.keyClick(window, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: any((isolated_home / "screenshots").glob("*.png")), timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_F)
    qtbot.waitUntil(window.isFullScreen, timeout=5_000)
    assert window.chat_dock.isHidden()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=5_000)
    assert window.chat_dock.isVisible()


@pytest.mark.slow  # a whole worker process over a longer film: run by make test, not test-fast
def test_the_indexer_steps_aside_when_asked_and_comes_back(qtbot, make_film, isolated_home):
    from desktop.indexer import IndexerThread

    thread = IndexerThread(make_film(seconds_per_shot=60), home=isolated_home)
    try:
        with qtbot.waitSignal(thread.progress, timeout=180_000, check_params_cb=lambda e: e.stage == "frames"):
            thread.start()
        thread.hold(2.0)
        assert thread.holding
        qtbot.waitUntil(lambda: _state(thread._proc.pid) == "T", timeout=1_000)  # stopped: uses no CPU
        qtbot.waitUntil(lambda: not thread.holding and _state(thread._proc.pid) != "T", timeout=10_000)
        with qtbot.waitSignal(thread.progress, timeout=180_000):
            pass  # and indexes again
    finally:
        thread.cancel()
        thread.wait(60_000)


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]
