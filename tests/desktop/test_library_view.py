"""The library view in the window: add a folder, Analyze from the context menu, statuses that follow the
queue, double-click opens the film, and one search over every film opens the one that says it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from core.media.writer import Line
from desktop.library_model import PATH_ROLE
from desktop.window import MainWindow


@pytest.fixture
def window(qtbot, isolated_home, tmp_path):
    qsettings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    made = MainWindow(home=isolated_home, vo="null", ao="null", qsettings=qsettings, index_automatically=False)
    qtbot.addWidget(made)
    made.show()
    yield made
    made.close()


@pytest.fixture
def folder(tmp_path, make_film):
    (tmp_path / "films").mkdir()
    make_film(
        "films/Sea.Story.1961.DVDRip.mkv",
        lines=[Line(1.0, "The storm wrecked our little boat."), Line(6.0, "Row to the lighthouse before dark.")],
    )
    make_film("films/Cake.Day.2004.mkv", lines=[Line(1.0, "Grandmother baked a lemon cake.")])
    (tmp_path / "films" / "readme.mkv").write_text("not a film")
    return tmp_path / "films"


def statuses(view) -> dict[str, str]:
    return {e.title: e.status for e in view.model.entries}


def test_a_folder_is_added_analysed_from_the_menu_searched_and_opened(qtbot, window, folder):
    view = window.library.view
    view.add_folder(folder)
    qtbot.waitUntil(lambda: statuses(view) == {"Sea Story": "new", "Cake Day": "new"}, timeout=120_000)
    assert [e.year for e in sorted(view.model.entries, key=lambda e: e.title)] == [2004, 1961]
    view.table.selectAll()
    menu = view.context_menu(view.selected_paths())
    names = [a.text() for a in menu.actions() if a.text()]
    assert names == ["Analyze", "Remove from library"]  # several films: what makes sense for all of them
    next(a for a in menu.actions() if a.text() == "Analyze").trigger()
    qtbot.waitUntil(lambda: set(statuses(view).values()) == {"analysed"}, timeout=300_000)
    assert "2 films" in view.state.text()

    view.search_box.setText("the ship sank in a storm")
    with qtbot.waitSignal(view.searched, timeout=120_000) as searched:
        view.search()
    hits = searched.args[0]
    assert hits[0].path == str(folder / "Sea.Story.1961.DVDRip.mkv") and hits[0].t == pytest.approx(1.0)
    qtbot.waitUntil(lambda: not view.results.item(0).icon().isNull(), timeout=60_000)  # its picture arrives
    view.results.itemClicked.emit(view.results.item(0))
    qtbot.waitUntil(lambda: window.film is not None, timeout=30_000)
    assert window.film.path == hits[0].path

    assert not window.library.dock.grab().isNull()

    cake = next(r for r in range(view.proxy.rowCount()) if "Cake" in view.proxy.index(r, 0).data())
    view.table.doubleClicked.emit(view.proxy.index(cake, 0))
    qtbot.waitUntil(lambda: window.film is not None and "Cake" in window.film.path, timeout=30_000)


def test_one_film_has_every_action_and_the_find_box_filters(qtbot, window, folder):
    view = window.library.view
    view.add_folder(folder)
    qtbot.waitUntil(lambda: len(view.model.entries) == 2, timeout=120_000)
    sea = str(folder / "Sea.Story.1961.DVDRip.mkv")
    names = [a.text() for a in view.context_menu([sea]).actions() if a.text()]
    assert names == [
        "Analyze",
        "Open",
        "Ask about this film…",
        "Export summary…",
        "Show in folder",
        "Remove from library",
    ]
    view.find_box.setText("cake")
    assert view.proxy.rowCount() == 1 and view.proxy.index(0, 0).data(PATH_ROLE).endswith("Cake.Day.2004.mkv")
    view.find_box.setText("")
    view.remove([sea])
    assert [e.title for e in view.model.entries] == ["Cake Day"]
    qtbot.waitUntil(lambda: not view.scanner.isRunning(), timeout=120_000)  # the start-up scan, if any
    with qtbot.waitSignal(view.scanner_done, timeout=120_000):
        view.rescan()
    assert [e.title for e in view.model.entries] == ["Cake Day"]  # a removed film stays out


@pytest.mark.slow
@pytest.mark.media
def test_the_sample_film_and_the_shared_clips_analysed_searched_and_exported(qtbot, window, tmp_path):
    """The issue's whole path in the app: a folder with the sample film and the real clips, all analysed
    from one right-click, a line said in one of them found, each exported as HTML and PDF."""
    from core.sample import ensure_sample
    from desktop.export_dialog import ExportDialog
    from tests.conftest import SHARED_MEDIA

    if not (SHARED_MEDIA / "manifesto.mp4").exists():
        pytest.skip("the shared clips are not here")
    films = tmp_path / "shelf"
    films.mkdir()
    ensure_sample(films / "sample.mp4")
    for clip in ("popeye_1.mkv", "popeye_1.en.srt", "manifesto.mp4", "manifesto.en.srt", "tears_of_steel_clip.mp4"):
        (films / clip).symlink_to(SHARED_MEDIA / clip)
    view = window.library.view
    view.add_folder(films)
    qtbot.waitUntil(lambda: len(view.model.entries) == 4, timeout=120_000)
    view.table.selectAll()
    next(a for a in view.context_menu(view.selected_paths()).actions() if a.text() == "Analyze").trigger()
    qtbot.waitUntil(lambda: {e.status for e in view.model.entries} == {"analysed"}, timeout=1_200_000)

    view.search_box.setText("workers of the world")
    with qtbot.waitSignal(view.searched, timeout=120_000) as searched:
        view.search()
    assert Path(searched.args[0][0].path).name == "manifesto.mp4"
    for entry in view.model.entries:
        for label, suffix in (("HTML page", ".html"), ("PDF", ".pdf")):
            dialog = ExportDialog(window.store, entry.path, window)
            qtbot.addWidget(dialog)
            dialog.format.setCurrentText(label)
            dialog.destination.setText(str(tmp_path / (Path(entry.path).stem + suffix)))
            dialog.start()
            qtbot.waitUntil(lambda d=dialog: d.message.text().startswith(("Written", "Could not")), timeout=300_000)
            assert dialog.message.text().startswith("Written"), dialog.message.text()
            written = (tmp_path / (Path(entry.path).stem + suffix)).read_bytes()
            assert written.startswith(b"%PDF" if suffix == ".pdf" else b"<!DOCTYPE html>")
