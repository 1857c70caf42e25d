"""Starting the app: ``moviebuddy [FILM]`` opens the window on FILM, or on the sample film."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sqlite3
import sys
import time
from pathlib import Path


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="moviebuddy",
        description="Movie Buddy: watch a film and ask about it. Without a display, use the "
        "commands: moviebuddy index|status|scenes|ask|recap|sample ... (moviebuddy --help-cli lists them).",
    )
    parser.add_argument("film", nargs="?", help="the film to open (default: the sample film)")
    parser.add_argument("--no-index", action="store_true", help="do not index the film in the background")
    # For scripted runs (tests, benchmarks, make run without a display): close after SECONDS of wall time,
    # or once the film has played to SECONDS (--quit-after then bounds the wait), saving a picture first.
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    parser.add_argument("--quit-after-playing", type=float, metavar="SECONDS", help=argparse.SUPPRESS)
    parser.add_argument("--screenshot", metavar="PNG", help=argparse.SUPPRESS)
    # ... and ask QUESTION once the first picture shows (the report gives the time to its answer)
    parser.add_argument("--ask", metavar="QUESTION", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    problem = _display_problem()
    if problem:
        print(
            f"moviebuddy: {problem}: use the command line, e.g. moviebuddy --help-cli, or run under a display",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from core.errors import MovieBuddyError
    from desktop.theme import apply_dark_theme
    from desktop.window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)  # a widgets app: the window needs one
    app.setApplicationName("Movie Buddy")
    app.setOrganizationName("MovieBuddy")
    apply_dark_theme(app)
    headless = os.environ.get("QT_QPA_PLATFORM") == "offscreen"
    try:
        window = MainWindow(
            vo="null" if headless else "libmpv",
            ao="null" if headless else "auto",
            index_automatically=not args.no_index,
        )
    except (MovieBuddyError, sqlite3.Error) as exc:  # a data folder that cannot be used: say why, once
        from core.cli_common import complain

        complain(str(exc))
        if not headless:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "Movie Buddy", f"Movie Buddy cannot open its data folder.\n\n{exc}")
        return 1
    window.show()
    shown_at = time.monotonic()
    timings: dict = {}

    def on_time(position: float) -> None:
        if position > 0 and "first_picture_s" not in timings:
            timings["first_picture_s"] = round(time.monotonic() - shown_at, 2)
            timings["first_picture_at"] = time.time()  # wall clock, for a script that started the process
            if args.ask:
                timings["asked_at"] = time.monotonic()
                timings["request"] = window.ask(args.ask)
        if args.quit_after_playing is not None and position >= args.quit_after_playing and not args.ask:
            _finish(window, args.screenshot, timings)

    def on_answer(request: int, turn) -> None:
        if request == timings.get("request"):
            timings["first_answer_s"] = round(time.monotonic() - timings["asked_at"], 2)
            timings["answer"] = turn.answer
            _finish(window, args.screenshot, timings)

    window.player.time_changed.connect(on_time)
    window.answers.answered.connect(on_answer)
    if args.film:
        QTimer.singleShot(0, lambda: window.open_film(Path(args.film)) or None)
    else:
        QTimer.singleShot(0, window.open_sample)
    if args.quit_after:
        QTimer.singleShot(int(args.quit_after * 1000), lambda: _finish(window, args.screenshot, timings))
    return app.exec()


def _display_problem() -> str | None:
    """Why Qt could not open a window here, or None: on Linux and the BSDs Qt aborts the process when it has
    no X or Wayland display or cannot reach the one named (a DISPLAY left from a closed session or a
    stopped Xvfb). A platform named in QT_QPA_PLATFORM (offscreen for tests and screenshots) is taken."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    x11, wayland = os.environ.get("DISPLAY", ""), os.environ.get("WAYLAND_DISPLAY", "")
    if not x11 and not wayland:
        return "no display"
    if (wayland and _reachable_wayland(wayland)) or (x11 and _reachable_x11(x11)):
        return None
    return f"cannot reach the display {x11 or wayland}"


def _reachable_x11(display: str) -> bool:
    """Whether an X server answers at DISPLAY ("[host]:N[.screen]"): its Unix socket, or TCP 6000 + N."""
    import re
    import socket

    match = re.fullmatch(r"(.*):(\d+)(?:\.\d+)?", display)
    if not match:
        return False
    host, number = match.group(1), int(match.group(2))
    if host in ("", "unix") or host.startswith("/"):
        path = host if host.startswith("/") else f"/tmp/.X11-unix/X{number}"
        candidates = [path, "\0" + path] if sys.platform.startswith("linux") else [path]
        for address in candidates:  # the file, then Linux's abstract socket of the same name
            with socket.socket(socket.AF_UNIX) as sock, contextlib.suppress(OSError):
                sock.settimeout(2)
                sock.connect(address)
                return True
        return False
    with contextlib.suppress(OSError):
        socket.create_connection((host, 6000 + number), timeout=2).close()
        return True
    return False


def _reachable_wayland(display: str) -> bool:
    """Whether a Wayland compositor answers at WAYLAND_DISPLAY (a socket name in XDG_RUNTIME_DIR, or a path)."""
    import socket

    path = display if display.startswith("/") else os.path.join(os.environ.get("XDG_RUNTIME_DIR", ""), display)
    with socket.socket(socket.AF_UNIX) as sock, contextlib.suppress(OSError):
        sock.settimeout(2)
        sock.connect(path)
        return True
    return False


def _finish(window, screenshot: str | None, timings: dict) -> None:
    """For scripted runs (tests, benchmarks): save the window as a picture, with a JSON report beside it
    saying where the picture area is and what was showing, then close."""
    if timings.get("done"):
        return
    timings["done"] = True
    if screenshot:
        window.grab().save(screenshot)
        video = window.video
        top_left = video.mapTo(window, video.rect().topLeft())
        report = {
            "video": [top_left.x(), top_left.y(), video.width(), video.height()],
            "chat_visible": window.chat_dock.isVisible(),
            "chat_width": window.chat_dock.width(),
            "position": window.player.position,
            "film": window.info.title if window.info else None,
            "index": window.index_status.label.text(),
            "dropped": list(window.player.dropped_frames),
            "indexed_s": round(sum(b - a for a, b in window.controls.seekbar.indexed), 1),
            "first_picture_s": timings.get("first_picture_s"),
            "first_picture_at": timings.get("first_picture_at"),
            "first_answer_s": timings.get("first_answer_s"),
            "answer": timings.get("answer"),
            "library_rows": window.library.view.proxy.rowCount(),
        }
        window.library.view.grab().save(str(Path(screenshot).with_name(Path(screenshot).stem + "-library.png")))
        Path(screenshot).with_suffix(".json").write_text(json.dumps(report), encoding="utf-8")
    window.close()
