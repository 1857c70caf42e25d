"""The open film's dialogue in the Index menu: which source answers read (Dialogue Source ▸ the film's
subtitles, image subtitles read by OCR, recognised speech, or Best Available), and the slow sources the
viewer can ask for: Recognise Speech, Read Image Subtitles.

The choice is written to the store on the window's connection; the answering worker reads the dialogue
of the chosen source from the store for every question, so the next question uses it."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from core.cli_dialogue import LABELS
from desktop.dialogue_work import IMAGE_SUBTITLES, SPEECH, can_run, has_input, is_done

ALWAYS_USED = ("screen_text",)  # on-screen text is read beside whichever source is chosen: not a choice
BEST = "Best Available"


def source_label(source: dict) -> str:
    """One source for the menu: "Text subtitles in the film (en, 17 lines)"."""
    words = LABELS.get(source["kind"], source["kind"])
    return f"{words[:1].upper()}{words[1:]} ({source['language'] or '?'}, {source['lines']} lines)"


def choices(sources: list[dict]) -> list[dict]:
    """The sources the viewer can choose: those with lines, on-screen text aside."""
    return [s for s in sources if s["lines"] and s["kind"] not in ALWAYS_USED]


class DialogueSourceMenu(QMenu):
    """Index ▸ Dialogue Source: the open film's sources as exclusive checkable actions, rebuilt each time
    it is shown."""

    def __init__(self, window, parent=None) -> None:
        super().__init__("&Dialogue Source", parent)
        self.main = window
        self.group: QActionGroup | None = None
        self.aboutToShow.connect(self.rebuild)

    def rebuild(self) -> None:
        self.clear()
        if self.group is not None:
            self.group.deleteLater()
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        film = self.main.film
        if film is None:
            self.addAction("No film open").setEnabled(False)
            return
        listed = choices(self.main.store.dialogue_sources(film.id))
        used = next((s for s in listed if s["used"]), None)
        best = self._add(BEST, None, not any(s["chosen"] for s in listed))
        best.setToolTip(f"Answers read the best source: now {source_label(used)}" if used else "No dialogue found yet")
        self.addSeparator()
        labels = [source_label(s) for s in listed]
        for source, label in zip(listed, labels):
            if labels.count(label) > 1:  # two sources of one kind and language: tell them apart
                label = f"{label} — {source['source']}"
            self._add(label, source["source"], source["chosen"]).setToolTip(source["source"])
        if not listed:
            self.addAction("No dialogue found yet").setEnabled(False)

    def _add(self, text: str, name: str | None, checked: bool) -> QAction:
        assert self.group is not None
        action = self.addAction(text)
        action.setCheckable(True)
        action.setChecked(checked)
        action.setData(name)
        self.group.addAction(action)
        action.triggered.connect(lambda _=False, n=name, t=text: self.choose(n, t))
        return action

    def choose(self, name: str | None, text: str = "") -> None:
        """Answers read ``name`` from now on (None: the best source again)."""
        film = self.main.film
        if film is None:
            return
        try:
            self.main.store.choose_dialogue(film.id, name)
        except KeyError:
            self.main.show_problem("That dialogue source has no lines any more: answers read the best one.")
            self.main.store.choose_dialogue(film.id, None)
            return
        self.main.statusBar().showMessage(f"Answers now read: {text or name or BEST}", 5_000)


class DialogueActions(QObject):
    """The Dialogue Source submenu and Recognise Speech / Read Image Subtitles, added to the Index menu
    and enabled for what the open film has and has left to do whenever that menu is shown."""

    def __init__(self, window, index_menu: QMenu) -> None:
        super().__init__(index_menu)
        self.main = window
        self.sources = DialogueSourceMenu(window, index_menu)
        index_menu.addMenu(self.sources)
        self.speech = index_menu.addAction("&Recognise Speech", lambda: self.run(SPEECH))
        self.image_subtitles = index_menu.addAction("Read Image Su&btitles", lambda: self.run(IMAGE_SUBTITLES))
        index_menu.aboutToShow.connect(self.refresh)
        window.film_opened.connect(lambda _film: self.refresh())
        self.refresh()

    def run(self, name: str) -> None:
        """Index the open film on, with this slow source too (a running indexer starts again with it)."""
        if self.main.film is not None:
            self.main.start_indexing(self.main.player.position, (name,))
            self.refresh()

    def refresh(self) -> None:
        window = self.main
        film, info = window.film, window.info
        self.sources.menuAction().setEnabled(film is not None)
        for action, name, missing, words in (
            (self.speech, SPEECH, "This film has no sound.", "Recognise the film's speech (slow)"),
            (self.image_subtitles, IMAGE_SUBTITLES, "This film has no image subtitles.", "Read its image subtitles"),
        ):
            if film is None or info is None:
                action.setEnabled(False)
                action.setToolTip("Open a film first.")
            elif not has_input(name, info):
                action.setEnabled(False)
                action.setToolTip(missing)
            elif is_done(window.store, film, info, name):
                action.setEnabled(False)
                action.setToolTip("Done: choose it in Dialogue Source.")
            elif name in window.indexing.running_also():
                action.setEnabled(False)
                action.setToolTip("Running: see the status bar.")
            else:
                action.setEnabled(can_run(window.store, film, info, name))
                action.setToolTip(f"{words}, kept beside the subtitles; choose it in Dialogue Source.")
