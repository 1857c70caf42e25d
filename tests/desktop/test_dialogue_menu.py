"""The film's dialogue in the Index menu: the Dialogue Source submenu lists the film's sources and choosing
one changes which source answers read; Recognise Speech / Read Image Subtitles are enabled only for a
film that has sound / image subtitles, and ask the indexer (in its worker process) to run that source;
the setting that recognises speech in every film round-trips and reaches the indexer too."""

from __future__ import annotations

import io
import threading

import pytest

pytest.importorskip("PySide6")
pytest.importorskip("mpv")


from core import index_worker, protocol
from core.config import Settings, load_settings
from core.events import Done
from core.media.subtitles import DialogueLine, DialogueSource
from core.store import open_store
from desktop.indexer import IndexerThread

LINES = [DialogueLine(1.0, 2.0, "The red room."), DialogueLine(5.0, 6.0, "The green garden.")]


class FakeIndexer(IndexerThread):
    """An IndexerThread that starts no worker process: it runs until cancelled."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stopped = threading.Event()

    def run(self) -> None:
        self.stopped.wait(120)

    def cancel(self) -> None:
        self.stopped.set()


@pytest.fixture
def indexers(monkeypatch) -> list[FakeIndexer]:
    """The indexers the window starts, in order (fakes: no models, no speech recognition)."""
    made: list[FakeIndexer] = []

    def make(*args, **kwargs) -> FakeIndexer:
        made.append(FakeIndexer(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr("desktop.indexing_controller.IndexerThread", make)
    yield made
    for indexer in made:
        indexer.cancel()
        indexer.wait(10_000)


def add_sources(store, film) -> None:
    """Text subtitles, recognised speech, on-screen text and an image stream not read."""
    store.replace_dialogue(film.id, DialogueSource("embedded:2", "embedded", "en"), [*LINES, DialogueLine(9, 10, "x")])
    store.append_dialogue(film.id, DialogueSource("asr:whisper-base", "asr", "en"), LINES, 12.0)
    store.append_dialogue(film.id, DialogueSource("screen:ocr", "screen_text", None), LINES[:1], 12.0)
    store.replace_dialogue(film.id, DialogueSource("image:3", "image", "en"), [])


def shown(menu) -> list:
    menu.aboutToShow.emit()
    return [a for a in menu.actions() if not a.isSeparator()]


def used(store, film) -> dict[str, bool]:
    return {s["source"]: s["used"] for s in store.dialogue_sources(film.id)}


def test_the_submenu_lists_the_sources_and_a_choice_is_what_answers_read(qtbot, open_window, make_film, isolated_home):
    window = open_window()
    assert window.open_film(make_film())
    store, film = window.store, window.film
    add_sources(store, film)
    menu = window.dialogue_actions.sources
    actions = shown(menu)
    assert [a.text() for a in actions] == [
        "Best Available",
        "Recognised speech (en, 2 lines)",
        "Text subtitles in the film (en, 3 lines)",
    ]
    assert [a.isChecked() for a in actions] == [True, False, False]
    assert used(store, film) == {"embedded:2": True, "asr:whisper-base": False, "screen:ocr": True, "image:3": False}

    actions[1].trigger()
    assert used(store, film) == {"embedded:2": False, "asr:whisper-base": True, "screen:ocr": True, "image:3": False}
    assert "Recognised speech" in window.statusBar().currentMessage()
    with open_store(isolated_home) as answerer:  # the answering worker's own connection sees the choice
        from core.spoiler_window import Window

        texts = [line.text for line in answerer.lines_in_window(film.id, Window.whole())]
    assert "x" not in texts and "The green garden." in texts
    assert [a.isChecked() for a in shown(menu)] == [False, True, False]

    shown(menu)[0].trigger()  # Best Available: the subtitles again
    assert used(store, film)["embedded:2"] and not used(store, film)["asr:whisper-base"]
    assert [a.isChecked() for a in shown(menu)] == [True, False, False]


def test_without_a_film_the_dialogue_items_are_disabled(qtbot, open_window):
    window = open_window()
    actions = window.dialogue_actions
    window.menuBar().actions()[2].menu().aboutToShow.emit()  # the Index menu
    assert not actions.sources.menuAction().isEnabled()
    assert not actions.speech.isEnabled() and not actions.image_subtitles.isEnabled()
    assert [a.text() for a in shown(actions.sources)] == ["No film open"]


def test_recognise_speech_is_disabled_for_a_film_without_sound(qtbot, open_window, make_film):
    window = open_window()
    assert window.open_film(make_film(speech=False))
    assert not window.info.has_audio
    actions = window.dialogue_actions
    actions.refresh()
    assert actions.sources.menuAction().isEnabled()
    assert actions.speech.text().replace("&", "") == "Recognise Speech"
    assert not actions.speech.isEnabled() and "no sound" in actions.speech.toolTip()
    assert actions.image_subtitles.text().replace("&", "") == "Read Image Subtitles"
    assert not actions.image_subtitles.isEnabled() and "no image subtitles" in actions.image_subtitles.toolTip()


def test_recognise_speech_asks_the_indexer_for_speech(qtbot, open_window, make_film, indexers):
    window = open_window()
    assert window.open_film(make_film("talking.mkv", speech=True))
    assert window.info.has_audio
    store, film = window.store, window.film
    store.replace_dialogue(film.id, DialogueSource("embedded:2", "embedded", "en"), LINES)  # speech not needed
    actions = window.dialogue_actions
    actions.refresh()
    assert actions.speech.isEnabled()

    window.start_indexing(0.0)  # the film's indexing, without speech
    qtbot.waitUntil(lambda: len(indexers) == 1 and indexers[0].isRunning(), timeout=30_000)
    assert indexers[0].also == () and "--also" not in indexers[0].command()

    actions.speech.trigger()  # the running indexer stops and starts again with speech
    qtbot.waitUntil(lambda: len(indexers) == 2 and indexers[1].isRunning(), timeout=30_000)
    assert not indexers[0].isRunning()
    assert indexers[1].also == ("asr",)
    command = indexers[1].command()
    assert command[:2] == ["-m", "core.index_worker"]
    assert index_worker.parse_args(command[2:]).also == ("asr",)  # what the worker process reads
    assert window.indexing.running_also() == ("asr",)
    actions.refresh()
    assert not actions.speech.isEnabled()  # running

    window.stop_indexing(wait=True)
    qtbot.waitUntil(lambda: not indexers[1].isRunning(), timeout=30_000)
    store.append_dialogue(film.id, DialogueSource("asr:whisper-base", "asr", "en"), LINES, window.info.duration_s)
    actions.refresh()
    assert not actions.speech.isEnabled() and "Done" in actions.speech.toolTip()


def test_half_recognised_speech_goes_on_when_indexing_starts_again(qtbot, open_window, make_film, indexers):
    window = open_window()
    assert window.open_film(make_film("talking.mkv", speech=True))
    store, film = window.store, window.film
    store.replace_dialogue(film.id, DialogueSource("embedded:2", "embedded", "en"), LINES)
    store.append_dialogue(film.id, DialogueSource("asr:whisper-base", "asr", "en"), LINES[:1], 4.0)
    window.start_indexing(0.0)
    qtbot.waitUntil(lambda: len(indexers) == 1 and indexers[0].isRunning(), timeout=30_000)
    assert indexers[0].also == ("asr",)


def test_the_speech_setting_round_trips_and_reaches_every_indexing(qtbot, open_window, make_film, indexers):
    from desktop.settings import SettingsDialog, always_also

    window = open_window()
    dialog = SettingsDialog(Settings(), ["efficientnet-lite0"], window)
    assert not dialog.speech.isChecked() and not dialog.settings().speech_with_subtitles
    dialog.speech.setChecked(True)
    chosen = dialog.settings()
    assert chosen == Settings(speech_with_subtitles=True)
    window.apply_settings(chosen)
    assert load_settings() == chosen and load_settings().speech_with_subtitles is True
    assert SettingsDialog(load_settings(), ["efficientnet-lite0"], window).speech.isChecked()
    assert always_also(chosen) == ("asr",) and always_also(Settings()) == ()

    assert window.open_film(make_film("talking.mkv", speech=True))
    window.start_indexing(0.0)
    qtbot.waitUntil(lambda: len(indexers) == 1 and indexers[0].isRunning(), timeout=30_000)
    assert indexers[0].also == ("asr",)
    assert index_worker.parse_args(indexers[0].command()[2:]).also == ("asr",)


def test_the_worker_passes_also_to_the_indexing(monkeypatch, capsys, isolated_home):
    seen = {}

    def fake_index_film(store, path, **kwargs):
        seen.update(kwargs, path=path)
        yield Done(None, complete=True)

    started = []  # (keeps this process's priority)
    monkeypatch.setattr(index_worker, "start_worker", lambda nice, threads=1: started.append(threads))
    monkeypatch.setattr("core.indexing.index_film", fake_index_film)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    argv = ["film.mkv", "--home", str(isolated_home), "--also", "ocr_subtitle", "--also", "asr", "--also", "asr"]
    assert index_worker.main(argv) == 0
    assert seen["also"] == ("ocr_subtitle", "asr") and seen["path"] == "film.mkv"
    assert seen["background"] and started == [1]  # a film plays beside it: one core
    done = protocol.decode(capsys.readouterr().out.strip().splitlines()[-1])
    assert isinstance(done, protocol.IndexDone) and done.complete
    assert index_worker.parse_args(["film.mkv"]).also == ()
    assert index_worker.main(["film.mkv", "--home", str(isolated_home), "--whole-machine"]) == 0
    from core.stretches import usable_cores

    assert not seen["background"] and started[-1] == usable_cores() - 1  # the library's queue: every core
    with pytest.raises(SystemExit):
        index_worker.parse_args(["film.mkv", "--also", "telepathy"])
    with pytest.raises(ValueError):
        IndexerThread(isolated_home / "film.mkv", isolated_home, also=("telepathy",))


def test_the_worker_process_takes_also(qtbot, make_film, isolated_home):
    """A real worker with --also: a film without image subtitles has nothing for OCR, so it just ends."""
    thread = IndexerThread(make_film(), home=isolated_home, also=("ocr_subtitle",))
    failed = []
    thread.failed.connect(failed.append)
    with qtbot.waitSignal(thread.finished_index, timeout=300_000) as done:
        thread.start()
    thread.wait(10_000)
    assert failed == [] and done.args[0].complete
