"""The library view: the films of the viewer's folders with their analysis status, a box to find a film
by title, one search over what every analysed film says and shows, and a context menu to analyse, open,
ask about, export, show in the folder or remove films."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.library import catalog
from core.library.scan import add_folder
from core.library.search import Hit, LibrarySearch
from core.store import Store, open_store
from core.timefmt import clock
from desktop.library_model import PATH_ROLE, LibraryFilter, LibraryModel
from desktop.library_queue import HitPictures, LibraryQueue, Scanner, SearchJob

STARTUP_SCAN_MS = 3_000  # after the window and the film have started
RESCAN_EVERY_MS = 5 * 60_000  # new, moved and deleted files are noticed at least this often while the app runs


class LibraryView(QWidget):
    open_requested = Signal(str, object)  # path, seconds (None: where the viewer left it)
    ask_requested = Signal(str)
    export_requested = Signal(str)
    searched = Signal(object)  # the hits shown, once a search is done
    scanner_done = Signal(object)  # a scan's report, once the list shows it

    def __init__(self, store: Store, queue: LibraryQueue, spoiler_free=lambda: False, parent=None) -> None:
        super().__init__(parent)
        self.store, self.queue = store, queue
        self.spoiler_free = spoiler_free  # () -> bool: search only what was watched of films started
        self.searcher: LibrarySearch | None = None  # made at the first search, with its own connection
        self.search_job: SearchJob | None = None
        self._next_query: str | None = None
        self.hits: list[Hit] = []
        self.scanner: Scanner | None = None
        self.pictures: HitPictures | None = None
        self._picture_jobs: list[HitPictures] = []  # a cancelled one finishes its current picture
        self._closed = False
        self._pending_scan: bool | set[str] = False  # a scan asked for while one ran (True: every folder)
        self.model = LibraryModel(self)
        self.proxy = LibraryFilter(self)
        self.proxy.setSourceModel(self.model)

        self.add_button = QPushButton("Add a folder…")
        self.add_button.clicked.connect(lambda: self.add_folder())
        self.rescan_button = QPushButton("Rescan")
        self.rescan_button.clicked.connect(self.rescan)
        self.analyze_all_button = QPushButton("Analyze all")
        self.analyze_all_button.setToolTip("Queue every film of the library that is not analysed yet")
        self.analyze_all_button.clicked.connect(self.analyze_all)
        self.pause_button = QPushButton("Pause analysis")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self.queue.set_paused)
        self.find_box = QLineEdit(placeholderText="Find a film…")
        self.find_box.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(lambda index: self.open_requested.emit(index.data(PATH_ROLE), None))
        self.search_box = QLineEdit(placeholderText="Search every film: a line, “snow”, “a red car at night”…")
        self.search_box.returnPressed.connect(self.search)
        self.results = QListWidget()
        self.results.setIconSize(QSize(96, 54))
        self.results.itemClicked.connect(self._open_hit)
        self.results.hide()
        self.state = QLabel()

        buttons = QHBoxLayout()
        for button in (self.add_button, self.rescan_button, self.analyze_all_button, self.pause_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.search_box)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.find_box)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.state)

        queue.changed.connect(self.refresh)
        queue.progress.connect(self.model.set_progress)
        self._timer = QTimer(self, interval=RESCAN_EVERY_MS, timeout=self.rescan)
        self._timer.start()
        self.refresh()
        QTimer.singleShot(STARTUP_SCAN_MS, self.rescan)  # files added, moved or deleted while the app was closed

    # the films ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.model.set_entries(catalog.entries(self.store))
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(self.store.library_setting("queue_paused") == "1")
        self.pause_button.blockSignals(False)
        waiting = len(self.store.queue_items(("queued", "analysing")))
        films = sum(e.kind == "film" for e in self.model.entries)
        self.state.setText(f"{films} films" + (f", {waiting} waiting to be analysed" if waiting else ""))

    def add_folder(self, folder: str | Path | None = None) -> None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "Add a folder of films", str(Path.home()))
            if not folder:
                return
        self.rescan([add_folder(self.store, folder)])

    def analyze_all(self) -> None:
        """Queue every film that is not analysed yet (extras and films already analysed are left)."""
        self.queue.analyze([e.path for e in self.model.entries if e.kind == "film" and e.status in ("new", "failed")])

    def rescan(self, folders: list[str] | None = None) -> None:
        """Look for new, moved, changed and deleted files (on a thread); the list updates when done."""
        if self._closed:
            return
        if self.scanner is not None and self.scanner.isRunning():
            self._pending_scan = True if folders is None else (self._pending_scan or set(folders))
            return  # scanned when the running scan ends
        self.state.setText("Looking for films…")
        self.scanner = Scanner(self.store.home, folders, parent=self)
        self.scanner.progress.connect(lambda name: self.state.setText(f"Looking for films… {name}"))
        self.scanner.scanned.connect(self._scanned)
        self.scanner.finished.connect(self._scan_pending)
        self.scanner.start()

    def _scanned(self, report) -> None:
        self.refresh()
        self.scanner_done.emit(report)

    def _scan_pending(self) -> None:
        pending, self._pending_scan = self._pending_scan, False
        if pending:
            self.rescan(None if pending is True else sorted(pending))

    def selected_paths(self) -> list[str]:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return [self.proxy.index(row, 0).data(PATH_ROLE) for row in sorted(rows)]

    def _context_menu(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            self.table.selectRow(index.row())
        paths = self.selected_paths()
        if not paths:
            return
        menu = self.context_menu(paths)
        menu.exec(self.table.viewport().mapToGlobal(point))

    def context_menu(self, paths: list[str]) -> QMenu:
        """The actions for the selected films (one film: all of them; several: those that make sense)."""
        menu = QMenu(self)
        menu.addAction("Analyze", lambda: self.queue.analyze(paths))
        waiting = {i.path for i in self.store.queue_items(("queued", "analysing"))}
        if set(paths) & waiting:
            menu.addAction("Cancel analysis", lambda: self.cancel([p for p in paths if p in waiting]))
            if len(paths) == 1:
                menu.addAction("Analyze next", lambda: self.queue.move(paths[0], 0))
        if len(paths) == 1:
            path = paths[0]
            menu.addSeparator()
            menu.addAction("Open", lambda: self.open_requested.emit(path, None))
            menu.addAction("Ask about this film…", lambda: self.ask_requested.emit(path))
            menu.addAction("Export summary…", lambda: self.export_requested.emit(path))
            menu.addAction("Show in folder", lambda: show_in_folder(Path(path)))
        menu.addSeparator()
        menu.addAction("Remove from library", lambda: self.remove(paths))
        return menu

    def cancel(self, paths: list[str]) -> None:
        for path in paths:
            self.queue.cancel(path)

    def remove(self, paths: list[str]) -> None:
        """Take films out of the list (their files and indexes stay; a rescan does not bring them back)."""
        from core.library.scan import ignore

        waiting = {i.path for i in self.store.queue_items(("queued", "analysing"))}
        for path in set(paths) & waiting:
            self.queue.cancel(path)
        ignore(self.store, paths)
        self.refresh()

    # search ---------------------------------------------------------------------------------------------
    def search(self) -> None:
        """Search every analysed film (on a thread); the results list fills in when it is done."""
        query = self.search_box.text()
        if self.search_job is not None and self.search_job.isRunning():
            self._next_query = query  # searched as soon as the running search ends
            return
        if self.searcher is None:
            self.searcher = LibrarySearch(open_store(self.store.home))  # a connection for searches only
        self.results.clear()
        self.results.addItem(QListWidgetItem("Searching…"))
        self.results.show()
        self.search_job = SearchJob(self.searcher, query, bool(self.spoiler_free()), parent=self)
        self.search_job.found.connect(self._show_hits)
        self.search_job.finished.connect(self._search_again)
        self.search_job.start()

    def _search_again(self) -> None:
        query, self._next_query = self._next_query, None
        if query is not None and not self._closed:
            self.search_box.setText(query)
            self.search()

    def _show_hits(self, hits: list[Hit]) -> None:
        self.hits = hits
        self.results.clear()
        for hit in hits:
            said = "said" if hit.kind == "dialogue" else "seen"
            item = QListWidgetItem(f"{hit.film}  [{clock(hit.t)}]  {said}: {hit.text}")
            item.setData(Qt.ItemDataRole.UserRole, (hit.path, hit.t))
            item.setToolTip(hit.path)
            self.results.addItem(item)
        if not hits:
            self.results.addItem(QListWidgetItem("Nothing found in the analysed films."))
        self._show_pictures(hits)
        self.searched.emit(hits)

    def _show_pictures(self, hits: list[Hit]) -> None:
        if self.pictures is not None and self.pictures.isRunning():
            self.pictures.cancel()  # it stops after its current picture; its pictures are no longer shown
        self.pictures = HitPictures([(row, h.path, h.t) for row, h in enumerate(hits)], parent=self)
        self._picture_jobs = [job for job in self._picture_jobs if job.isRunning()] + [self.pictures]
        self.pictures.picture.connect(self._set_picture)
        self.pictures.start()

    def _set_picture(self, row: int, image) -> None:
        item = self.results.item(row)
        if item is not None and self.sender() is self.pictures:
            item.setIcon(QIcon(QPixmap.fromImage(image)))

    def _open_hit(self, item: QListWidgetItem) -> None:
        target = item.data(Qt.ItemDataRole.UserRole)
        if target:
            self.open_requested.emit(target[0], target[1])

    def shutdown(self) -> None:
        self._closed = True
        self._timer.stop()
        if self.search_job is not None and self.search_job.isRunning():
            self.search_job.wait()
        if self.searcher is not None:
            self.searcher.store.close()
        for job in self._picture_jobs:
            job.cancel()
            job.wait()
        if self.scanner is not None and self.scanner.isRunning():
            self.scanner.cancel()
            self.scanner.wait()


def show_in_folder(path: Path) -> None:
    """Open the file manager at the film's folder (selecting the file where the platform can)."""
    if sys.platform == "darwin":
        subprocess.Popen(["open", "-R", str(path)])
    elif sys.platform == "win32":
        subprocess.Popen(["explorer", "/select,", str(path)])
    else:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))
