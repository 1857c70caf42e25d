"""Finding the films in the library's folders.

A scan walks each folder (links followed, loops and unreadable folders reported, never fatal), keeps the
files whose name says video, and looks at each new or changed one: an empty file or one that is not a
film (no video stream, not media at all) is listed apart with its reason; a film is probed, named from
its file name and tied to its film by content, so that a moved or renamed file keeps its index and its
place in the queue. A file whose size and modification time did not change is not read again, so a
rescan of a large library costs little more than listing its folders."""

from __future__ import annotations

import json
import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import MovieBuddyError
from core.events import CancelToken, Done, Progress
from core.library.titles import FEATURE_MIN_S
from core.store import Store, fingerprint
from core.store.library import LibraryFile

FEATURE_S = FEATURE_MIN_S  # feature length, as titles.extra_kind counts it (40 minutes)
SHORT_S = 10 * 60
IGNORED = "ignored_files"  # library setting: the files the viewer removed from the library (JSON list)
VIDEO_SUFFIXES = {
    ".mkv",
    ".mp4",
    ".m4v",
    ".mov",
    ".avi",
    ".webm",
    ".ts",
    ".m2ts",
    ".mts",
    ".mpg",
    ".mpeg",
    ".wmv",
    ".flv",
    ".ogv",
    ".vob",
    ".divx",
    ".3gp",
    ".mxf",
}


@dataclass
class ScanReport:
    films: int = 0  # films in the scanned folders after the scan (extras not counted)
    extras: int = 0  # samples, trailers and extras
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    moved: int = 0  # files that reappeared under another path or name (their index and queue place kept)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why it is not a film)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (folder, why it could not be read)


def add_folder(store: Store, folder: str | Path) -> str:
    """Add a folder to the library (it is scanned by :func:`scan`); returns its absolute path."""
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise MovieBuddyError(f"{folder}: not a folder")
    store.add_library_folder(str(path))
    return str(path)


def remove_folder(store: Store, folder: str | Path) -> bool:
    """Take a folder out of the library; False when it was not in it."""
    path = str(Path(folder).expanduser().resolve())
    if path not in store.library_folders():
        return False
    store.remove_library_folder(path)
    return True


def ignore(store: Store, paths: list[str]) -> None:
    """Take files out of the library: they stay on disk and keep their index, and a rescan passes them
    by (naming one to ``analyze`` brings it back)."""
    store.set_library_setting(IGNORED, json.dumps(sorted(ignored(store) | set(paths))))
    store.forget_library_files(paths)


def unignore(store: Store, paths: list[str]) -> None:
    kept = ignored(store) - set(paths)
    store.set_library_setting(IGNORED, json.dumps(sorted(kept)) if kept else None)


def ignored(store: Store) -> set[str]:
    return set(json.loads(store.library_setting(IGNORED) or "[]"))


def video_files(folder: Path, problems: list[tuple[str, str]]) -> Iterator[tuple[Path, os.stat_result]]:
    """The files under ``folder`` whose name says video, with their stat; a folder that cannot be read or
    a link that leads back into a folder already walked is reported in ``problems`` and skipped."""
    stack, walked = [folder], set()
    while stack:
        current = stack.pop()
        try:
            st = current.stat()
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            problems.append((str(current), exc.strerror or str(exc)))
            continue
        if (st.st_dev, st.st_ino) in walked:
            problems.append((str(current), "a link back to a folder already scanned (skipped)"))
            continue
        walked.add((st.st_dev, st.st_ino))
        for entry in entries:
            try:
                if entry.is_dir():
                    stack.append(Path(entry.path))
                elif entry.is_file() and Path(entry.name).suffix.lower() in VIDEO_SUFFIXES:
                    yield Path(entry.path), entry.stat()
            except OSError as exc:  # a broken link, a file gone while listing
                problems.append((entry.path, exc.strerror or str(exc)))


def scan(
    store: Store, folders: list[str] | None = None, cancel: CancelToken | None = None
) -> Generator[Progress | Done, None, None]:
    """Scan the library's folders (or some of them); yields Progress, then Done(ScanReport)."""
    report = ScanReport()
    folders = folders if folders is not None else store.library_folders()
    known = {f.path: f for f in store.library_files()}
    passed_by = ignored(store)
    found: list[tuple[str, Path, os.stat_result]] = []
    for folder in sorted(folders, key=len):  # a folder inside another: its files stay with the outer one
        yield Progress("scan", 0, 1, unit="files", message=f"listing {folder}")
        listed = {str(p) for _, p, _ in found}
        found += [
            (folder, p, st)
            for p, st in video_files(Path(folder), report.problems)
            if str(p) not in passed_by and str(p) not in listed
        ]
    seen: set[str] = set()
    fresh: list[LibraryFile] = []
    for i, (folder, path, st) in enumerate(found):
        if cancel is not None and cancel.cancelled:
            break
        key = str(path)
        seen.add(key)
        old = known.get(key)
        if old is not None and old.size == st.st_size and old.mtime == st.st_mtime and old.folder == folder:
            report.unchanged += 1
            current = old
        else:
            yield Progress("scan", i, len(found), unit="files", message=path.name)
            current = look_at(store, folder, path, st)
            fresh.append(current)
            report.new += old is None
            report.changed += old is not None
        if current.kind == "not_a_film":
            report.skipped.append((key, current.problem or "not a film"))
    fresh = beside_a_feature(fresh, store)
    store.save_library_files(fresh)
    if cancel is None or not cancel.cancelled:
        _forget_vanished(store, folders, known, seen, report)
    kinds = [f.kind for f in store.library_files() if f.folder in folders and f.path in seen]
    report.films = kinds.count("film")
    report.extras = len(kinds) - report.films - kinds.count("not_a_film")
    yield Done(report, complete=cancel is None or not cancel.cancelled)


def beside_a_feature(files: list[LibraryFile], store: Store) -> list[LibraryFile]:
    """A short video in the same folder as a feature-length film is one of its extras (a trailer or a
    featurette with a plain name); a short video on its own, or among other short ones, is a film (a short
    film, a clip). Short: under 10 minutes and under a tenth of the feature; feature: 40 minutes or more."""
    folders: dict[str, float] = {}
    for f in [*store.library_files(), *files]:
        if f.kind == "film" and f.duration_s:
            parent = str(Path(f.path).parent)
            folders[parent] = max(folders.get(parent, 0.0), f.duration_s)
    out = []
    for f in files:
        longest = folders.get(str(Path(f.path).parent), 0.0)
        if f.kind == "film" and f.duration_s and longest >= FEATURE_S and f.duration_s < min(SHORT_S, longest / 10):
            f = LibraryFile(f.path, f.folder, f.size, f.mtime, "extra", f.film_id, f.title, f.year, f.duration_s)
        out.append(f)
    return out


def look_at(store: Store, folder: str, path: Path, st: os.stat_result) -> LibraryFile:
    """What one file is: a film (registered in the store by content), an extra, or not a film and why."""
    from core.library.titles import extra_kind, film_name
    from core.media.probe import probe

    name = film_name(path)

    def skipped(problem: str) -> LibraryFile:
        return LibraryFile(str(path), folder, st.st_size, st.st_mtime, "not_a_film", title=name.title, problem=problem)

    if st.st_size == 0:
        return skipped("an empty file")
    try:
        info = probe(path)
    except MovieBuddyError as exc:
        return skipped(_reason(exc, path))
    except OSError as exc:
        return skipped(exc.strerror or str(exc))
    # by name (a feature-length file is a film whatever its name); by shortness only beside a feature
    kind = extra_kind(path, info.duration_s if info.duration_s >= FEATURE_S else None) or "film"
    film = store.ensure_film(fingerprint(info.path), info)
    return LibraryFile(
        str(path),
        folder,
        st.st_size,
        st.st_mtime,
        kind,
        film_id=film.id,
        title=name.title,
        year=name.year,
        duration_s=info.duration_s,
    )


def _forget_vanished(
    store: Store, folders: list[str], known: dict[str, LibraryFile], seen: set[str], report: ScanReport
) -> None:
    """Files of the scanned folders that are gone; one that reappeared elsewhere (the same film) was
    moved: its place in the queue moves with it."""
    gone = [f for f in known.values() if f.folder in folders and f.path not in seen]
    if not gone:
        return
    # where each film appeared for the first time in this scan (a copy that was there before is not it)
    by_film = {
        f.film_id: f.path
        for f in store.library_files()
        if f.film_id is not None and f.path in seen and f.path not in known
    }
    for f in gone:
        new_path = by_film.get(f.film_id) if f.film_id is not None else None
        if new_path is not None:
            report.moved += 1
            store.rename_in_queue(f.path, new_path)
        else:
            report.removed += 1
    store.forget_library_files([f.path for f in gone])


def _reason(exc: Exception, path: Path) -> str:
    """The error's message without the file name it starts with (the list shows the file already)."""
    text = str(exc)
    prefix = f"{path.name}: "
    return text[len(prefix) :] if text.startswith(prefix) else text
