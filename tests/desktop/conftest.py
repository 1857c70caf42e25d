"""Qt tests run offscreen with mpv's null outputs; a test that leaves a thread running fails."""

from __future__ import annotations

import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """Fails a test that leaves one of our QThreads, or a Python thread, running."""
    from desktop.threads import running_threads

    before = set(threading.enumerate())
    yield
    for thread in running_threads():
        thread.wait(60_000)  # a thread that is finishing gets time to, also on a loaded machine
    assert not running_threads(), f"worker threads left running: {running_threads()}"
    leftover = [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not t.daemon and not t.name.startswith(("QDBus", "mpv"))
    ]
    assert not leftover, f"threads left running: {leftover}"


@pytest.fixture
def open_window(qtbot, isolated_home, tmp_path):
    """open_window(index=False) -> MainWindow; every window made is closed after the test."""
    from PySide6.QtCore import QSettings

    from desktop.window import MainWindow

    made = []

    def make(index: bool = False) -> MainWindow:
        qsettings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(home=isolated_home, vo="null", ao="null", qsettings=qsettings, index_automatically=index)
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()
