"""mpv's usual keys, as window shortcuts: they work wherever the focus is, except while typing a
question (a text field takes its own keys first)."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

# (key, what it does, method of the window's player or of the window); mpv's defaults.
PLAYER_KEYS = (
    ("Space", "Play / pause", lambda w: w.player.toggle_pause()),
    ("Left", "Back 5 seconds", lambda w: w.player.seek_by(-5)),
    ("Right", "Forward 5 seconds", lambda w: w.player.seek_by(5)),
    ("Down", "Back 1 minute", lambda w: w.player.seek_by(-60)),
    ("Up", "Forward 1 minute", lambda w: w.player.seek_by(60)),
    ("F", "Fullscreen", lambda w: w.toggle_fullscreen()),
    ("Escape", "Leave fullscreen", lambda w: w.set_fullscreen(False)),
    ("M", "Mute", lambda w: w.player.toggle_mute()),
    ("9", "Volume down", lambda w: w.player.change_volume(-2)),
    ("0", "Volume up", lambda w: w.player.change_volume(2)),
    ("[", "Slower", lambda w: w.player.set_speed(w.player.speed / 1.1)),
    ("]", "Faster", lambda w: w.player.set_speed(w.player.speed * 1.1)),
    ("Backspace", "Normal speed", lambda w: w.player.set_speed(1.0)),
    ("J", "Next subtitle track", lambda w: w.player.cycle_subtitles()),
    ("#", "Next audio track", lambda w: w.player.cycle_audio()),
    (".", "Next frame", lambda w: w.player.frame_step(True)),
    (",", "Previous frame", lambda w: w.player.frame_step(False)),
    ("S", "Screenshot", lambda w: w.take_screenshot()),
)


def install_player_keys(window) -> list[QAction]:
    """Adds the keys as actions of ``window`` (listed in Help ▸ Keyboard shortcuts)."""
    actions = []
    for key, text, do in PLAYER_KEYS:
        action = QAction(text, window)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _=False, do=do: do(window))
        window.addAction(action)
        actions.append(action)
    return actions


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td><b>{key}</b></td><td>{text}</td></tr>" for key, text, _ in PLAYER_KEYS)
    return f"<table cellspacing='6'>{rows}</table>"
