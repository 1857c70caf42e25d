"""Hardening of the moviebuddy command (issue 13): absurd argument values, names too long, unreadable
subtitle files, a full disk, `--subs` replacing earlier subtitles, control characters, no display."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main
from core.cli_common import store_failure
from core.media.subtitles import DialogueLine, DialogueSource

CONTROLS = ("\x1b", "\x07", "\x00", "\x08", "\x9b")


def one_error_line(capsys) -> str:
    """The single "moviebuddy: ..." line the command wrote on stderr (and nothing on stdout)."""
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("moviebuddy: "), captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    return lines[0]


@pytest.mark.parametrize("fps", ["nan", "inf", "-inf", "0", "-2", "1e9", "30.5", "abc"])
def test_absurd_frame_rates_are_usage_errors(fps, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["index", "film.mkv", "--fps", fps])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith("moviebuddy index: error: argument --fps: "), err
    if fps in ("1e9", "30.5"):
        assert "at most 30 frames per second" in errors[0]


def test_a_sane_frame_rate_is_accepted():
    from core.cli import build_parser

    assert build_parser().parse_args(["index", "f.mkv", "--fps", "30"]).fps == 30.0
    assert build_parser().parse_args(["index", "f.mkv", "--fps", "0.25"]).fps == 0.25


UNTIL = [["--until", "nan"], ["--until", "inf"], ["--until", "1e999"], ["--until=-5"], ["--until", "garbage"]]
WATCHED = [["--watched", "5-3"], ["--watched", "nan-2"], ["--watched", "a-b"], ["--watched", "0-inf"]]
WATCHED += [["--watched", "12"], ["--watched", ","]]


@pytest.mark.parametrize(
    "args",
    [["ask", "a question", *o] for o in UNTIL + WATCHED] + [["recap", *o] for o in UNTIL],
    ids=lambda args: f"{args[0]} {' '.join(args[-2:] if args[0] == 'recap' else args[2:])}",
)
def test_bad_times_are_usage_errors(args, tmp_path, capsys):
    args = [args[0], str(tmp_path / "missing.mkv"), *args[1:]]
    assert main(args) == 2  # the times are refused before the film is even looked at
    line = one_error_line(capsys)
    assert "missing.mkv" not in line and ("time" in line or "range" in line), line


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_an_empty_question_is_a_usage_error(question, tmp_path, capsys):
    assert main(["ask", str(tmp_path / "missing.mkv"), question]) == 2
    assert one_error_line(capsys) == "moviebuddy: the question is empty"


@pytest.mark.parametrize(
    "name",
    ["a" * 300 + ".mkv", "/".join(["b" * 200] * 25) + ".mkv"],  # a name over 255 bytes, a path over 4096
    ids=["long-name", "long-path"],
)
@pytest.mark.parametrize("command", [["index"], ["status"], ["ask", "what happens?"]])
def test_names_too_long_exit_3_with_one_short_line(command, name, tmp_path, capsys):
    path = tmp_path / name
    assert main([command[0], str(path), *command[1:]]) == 3
    line = one_error_line(capsys)
    assert "too long" in line and len(line) < 300, line


def test_a_folder_given_as_subs_exits_3(make_film, tmp_path, capsys):
    folder = tmp_path / "x.srt"
    folder.mkdir()
    assert main(["index", str(make_film()), "--subs", str(folder)]) == 3
    assert "x.srt: is a folder, not a subtitle file" in one_error_line(capsys)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_subs_file_exits_3(make_film, tmp_path, capsys):
    locked = tmp_path / "locked.srt"
    locked.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello\n")
    locked.chmod(0)
    assert main(["index", str(make_film()), "--subs", str(locked)]) == 3
    assert "locked.srt" in one_error_line(capsys)


@pytest.mark.timeout(300)
def test_a_full_disk_while_indexing_keeps_what_was_indexed(store, make_film, encoder):
    from core.indexing import index_film

    film = make_film()
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 8}")  # room for a few frames, not twelve
    with pytest.raises(sqlite3.Error) as err:
        for _ in index_film(store, film, encoder=encoder, batch_size=4):
            pass
    line = store_failure(err.value, store.path)
    assert line.startswith(f"the disk is full ({store.path}): what was indexed is kept"), line
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.conn.execute("PRAGMA max_page_count = 1073741823")  # space again: the run goes on where it stopped
    *_, done = index_film(store, film, encoder=encoder, batch_size=4)
    result = done.result
    assert result.complete and result.frames == 12 and 0 < result.added < 12


@pytest.mark.timeout(300)
def test_a_full_disk_is_one_line_from_the_command(make_film, isolated_home, monkeypatch, capsys):
    from core.store import open_store

    def small_store():
        store = open_store()
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + 8}")
        return store

    monkeypatch.setattr("core.cli.default_store", small_store)
    film = make_film()
    assert main(["index", str(film)]) == 1
    captured = capsys.readouterr()  # the progress lines, then the error
    [line] = [line for line in captured.err.splitlines() if line.startswith("moviebuddy:")]
    assert "Traceback" not in captured.err and captured.out == ""
    assert line.startswith(f"moviebuddy: the disk is full ({isolated_home / 'moviebuddy.db'}): what was indexed")
    with sqlite3.connect(isolated_home / "moviebuddy.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_other_database_errors_are_one_line_too(tmp_path):
    line = store_failure(sqlite3.OperationalError("database is locked"), tmp_path / "m.db")
    assert line == f"the database failed ({tmp_path / 'm.db'}): database is locked"


@pytest.mark.timeout(300)
def test_subs_replaces_the_text_subtitles_indexed_before(make_film, tmp_path, isolated_home, capsys):
    film = make_film()
    (tmp_path / "film.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nFrom the file beside.\n")
    assert main(["index", str(film), "--fps", "0.5"]) == 0
    from core.media.probe import probe
    from core.store import fingerprint, open_store

    with open_store(isolated_home) as store:  # speech recognised earlier stays, whatever the subtitles
        film_id = store.film_by_fingerprint(fingerprint(probe(film).path)).id
        store.replace_dialogue(film_id, DialogueSource("asr:test", "asr", "en"), [DialogueLine(3, 4, "Heard.")])
    other = tmp_path / "other.srt"
    other.write_text("1\n00:00:05,000 --> 00:00:06,000\nFrom the other file.\n")
    assert main(["index", str(film), "--fps", "0.5", "--subs", str(other)]) == 0
    capsys.readouterr()
    assert main(["status", str(film), "--json"]) == 0
    sources = {s["source"]: s for s in json.loads(capsys.readouterr().out)["dialogue_sources"]}
    assert sources["sidecar:other.srt"]["used"] and sources["sidecar:other.srt"]["chosen"]
    assert sources["sidecar:other.srt"]["lines"] == 1
    assert sources["asr:test"]["lines"] == 1
    text = [s for s in sources.values() if s["kind"] in ("sidecar", "embedded")]
    assert {s["source"] for s in text} >= {"sidecar:film.srt", "sidecar:other.srt"}
    assert [s["source"] for s in text if s["lines"]] == ["sidecar:other.srt"]
    assert main(["index", str(film), "--fps", "0.5"]) == 0  # indexing again keeps the viewer's file
    capsys.readouterr()
    assert main(["status", str(film), "--json"]) == 0
    sources = {s["source"]: s for s in json.loads(capsys.readouterr().out)["dialogue_sources"]}
    assert sources["sidecar:other.srt"]["used"] and not sources["sidecar:film.srt"]["lines"]


@pytest.mark.timeout(300)
def test_control_characters_never_reach_the_terminal(make_film, tmp_path, isolated_home, capsys):
    film = make_film(title="Evil\x1b[2J\x07 Title")
    subs = tmp_path / "evil.srt"
    subs.write_text(
        "1\n00:00:00,500 --> 00:00:03,000\nThe \x1b[31mred\x1b[0m room\x07 has a white\x00 ball\x08.\n\n"
        "2\n00:00:04,500 --> 00:00:07,000\nThe green \x1b]0;pwned\x07garden \x9b2Jhides a box.\n",
        encoding="utf-8",
    )
    assert main(["index", str(film), "--fps", "0.5", "--subs", str(subs)]) == 0
    from core.media.probe import probe
    from core.spoiler_window import Window
    from core.store import fingerprint, open_store

    with open_store(isolated_home) as store:
        film_id = store.film_by_fingerprint(fingerprint(probe(film).path)).id
        stored = [line.text for line in store.lines_in_window(film_id, Window.whole())]
    assert stored == ["The red room has a white ball.", "The green garden hides a box."]
    printed = capsys.readouterr().out
    for command in (["ask", str(film), "what is in the red room?"], ["recap", str(film)], ["status", str(film)]):
        assert main(command) == 0
        printed += capsys.readouterr().out
    assert "red room" in printed and "Evil Title" in printed
    assert not [c for c in CONTROLS if c in printed], repr(printed)


@pytest.mark.parametrize(
    ("display", "said"),
    [(None, "no display"), (":987", "cannot reach the display :987"), ("nohost.invalid:3", "cannot reach the display")],
)
def test_the_app_without_a_display_says_so_instead_of_aborting(tmp_path, display, said):
    """No display, or a DISPLAY that names a server no longer there (a closed session, a stopped Xvfb): one
    line and exit 2, where Qt aborted the process (exit 134)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["MOVIEBUDDY_HOME"] = str(tmp_path)
    if display:
        env["DISPLAY"] = display
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-m", "desktop.launch"], capture_output=True, text=True, timeout=120, env=env, cwd=root
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"moviebuddy: {said}") and len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.strip().endswith(": use the command line, e.g. moviebuddy --help-cli, or run under a display")
    assert proc.stdout == ""


def test_ctrl_c_after_the_command_has_answered_keeps_its_exit_code(tmp_path):
    """A Ctrl+C that comes once the command has said its result (a script stopping it, a viewer's late
    keypress) arrived while Python shut down and killed it by the signal: exit -2 and, at times, a traceback.
    Now it exits with its code, or 130 when the Ctrl+C came before it had quite finished."""
    env = dict(os.environ, MOVIEBUDDY_HOME=str(tmp_path))
    codes = []
    for _ in range(10):
        proc = subprocess.Popen(
            [sys.executable, "-m", "core", "--version"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout.readline().startswith(b"moviebuddy ")  # it has answered
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert b"Traceback" not in err, err
        codes.append(proc.returncode)
    assert set(codes) <= {0, 130}, codes


def test_a_line_break_in_a_file_name_stays_inside_its_one_line_message(tmp_path, capsys):
    """File names may hold a line break or a tab: the message naming one stays one line (shown as \\n)."""
    broken = tmp_path / "two\nlines\tname.mkv"
    broken.write_text("not a film")
    assert main(["index", str(broken)]) == 3
    line = one_error_line(capsys)
    assert "two\\nlines\\tname.mkv" in line
    assert main(["status", str(tmp_path / "gone\nfilm.mkv")]) in (1, 3)
    assert "gone\\nfilm.mkv" in one_error_line(capsys)
