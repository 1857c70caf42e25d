"""The library's films as a table for Qt views: title, year, length, watched, analysis status."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from core.library.catalog import LibraryEntry
from core.timefmt import clock

COLUMNS = ("Title", "Year", "Length", "Watched", "Status")
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


def status_text(entry: LibraryEntry, progress: float | None = None) -> str:
    """How the status column says it: "analysing 42%", "failed: no video stream", ..."""
    if entry.status == "analysing":
        return f"analysing {(progress if progress is not None else entry.progress):.0%}"
    if entry.status == "failed" and entry.problem:
        return f"failed: {entry.problem}"
    if entry.status == "new" and entry.progress > 0:
        return f"analysed {entry.progress:.0%}"
    return entry.status


class LibraryModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.entries: list[LibraryEntry] = []
        self.live: dict[str, float] = {}  # path -> share analysed, while the queue works on it

    def set_entries(self, entries: list[LibraryEntry]) -> None:
        self.beginResetModel()
        self.entries = entries
        self.endResetModel()

    def set_progress(self, path: str, fraction: float) -> None:
        self.live[path] = fraction
        for row, entry in enumerate(self.entries):
            if entry.path == path:
                cell = self.index(row, COLUMNS.index("Status"))
                self.dataChanged.emit(cell, cell)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry = self.entries[index.row()]
        column = COLUMNS[index.column()]
        if role == PATH_ROLE:
            return entry.path
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.path + (f"\n{entry.problem}" if entry.problem else "")
        if role == SORT_ROLE:
            return {
                "Title": entry.title.lower(),
                "Year": entry.year or 0,
                "Length": entry.duration_s or 0.0,
                "Watched": entry.watched_s,
                "Status": entry.status,
            }[column]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == "Title":
            return entry.title + (f"  [{entry.kind}]" if entry.kind != "film" else "")
        if column == "Year":
            return str(entry.year or "")
        if column == "Length":
            return clock(entry.duration_s) if entry.duration_s else ""
        if column == "Watched":
            if not entry.watched_s or not entry.duration_s:
                return ""
            return f"{min(1.0, entry.watched_s / entry.duration_s):.0%}"
        return status_text(entry, self.live.get(entry.path))


class LibraryFilter(QSortFilterProxyModel):
    """Sorts by each column's value and keeps the films whose title or path contains the typed text."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
