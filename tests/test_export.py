"""Review summaries: what a summary holds (only what lies inside the window, extractive), and each format
written from it (HTML escaped and self-contained, Markdown with its pictures beside it, chapters that
players read), for a small generated film whose subtitles hold markup."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pysubs2
import pytest
from PIL import Image

from core.events import CancelToken, Done, Progress
from core.export import ExportError, build_summary, export_summary, to_ffmetadata, to_html, to_webvtt_chapters
from core.export.chapters import ffmetadata_escape, webvtt_escape
from core.export.markdown import md_text
from core.export.model import MadeWith, Quote, ReviewSummary, SceneSummary
from core.indexing import index_film, run
from core.media.writer import Line
from core.spoiler_window import Window
from core.store import Film
from core.turn import Turn

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SHOTS = (((200, 30, 30), "circle"), ((30, 160, 40), "square"), ((30, 40, 200), "stripes"), ((200, 30, 30), "circle"))
# Subtitle files carry markup as character references; the reader turns them back into the text people saw.
LINES = (
    Line(0.5, "The red room has a white ball."),
    Line(2.2, f"{html.escape(SCRIPT)} typed the stranger"),
    Line(4.5, f"{html.escape(IMG)} said Ann; #1"),  # a chapter title: FFmetadata escapes =, ; and #
    Line(6.0, "The green garden hides a box."),
    Line(9.0, "Blue stripes everywhere, said the painter."),
    Line(13.0, "The red ball rolls back at the very end."),
)
BOUNDARY = 8.5  # watched so far: the painter's and the last line, and the last two scenes' pictures, come after
AFTER = ("Blue stripes everywhere", "rolls back at the very end")


def indexed(store, make_film, encoder) -> tuple[Film, Path]:
    path = make_film("The.Test.Film.2001.mkv", shots=SHOTS, lines=LINES)
    film = run(index_film(store, path, encoder=encoder)).film
    texts = [line.text for line in store.lines_in_window(film.id, Window.whole())]
    assert any(SCRIPT in t for t in texts) and any(IMG in t for t in texts)  # the markup reached the store as text
    return film, path


def export(store, film, fmt, out, window=None, **options) -> Done:
    events = list(export_summary(store, film, fmt, out, window or Window.whole(), **options))
    assert all(isinstance(e, Progress) for e in events[:-1]) and isinstance(events[-1], Done)
    return events[-1]


class Page(HTMLParser):
    """Every start tag of a page with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def parse_ffmetadata(text: str) -> tuple[dict, list[dict]]:
    """FFmetadata -> (global tags, chapters), with FFmpeg's backslash escapes undone."""
    lines = text.split("\n")
    assert lines[0] == ";FFMETADATA1"
    entries, k = [], 1
    while k < len(lines):  # join escaped newlines back into their entry
        entry = lines[k]
        while entry.endswith("\\") and not entry.endswith("\\\\") and k + 1 < len(lines):
            k += 1
            entry = entry[:-1] + "\n" + lines[k]
        entries.append(entry)
        k += 1
    header: dict = {}
    chapters: list[dict] = []
    target = header
    for entry in entries:
        if not entry or entry.startswith((";", "#")):
            continue
        if entry == "[CHAPTER]":
            chapters.append({})
            target = chapters[-1]
            continue
        key, value = re.match(r"((?:\\.|[^=\\])*)=(.*)", entry, re.S).groups()
        target[re.sub(r"\\(.)", r"\1", key, flags=re.S)] = re.sub(r"\\(.)", r"\1", value, flags=re.S)
    return header, chapters


def test_html_escapes_the_films_text_and_holds_everything_itself(store, make_film, encoder, tmp_path):
    film, _ = indexed(store, make_film, encoder)
    done = export(store, film, "html", tmp_path / "out" / "summary.html")
    page = Path(done.result).read_text(encoding="utf-8")
    assert SCRIPT not in page and IMG not in page
    assert html.escape(SCRIPT) in page and html.escape(IMG) in page
    assert "http" not in page.lower() and "<script" not in page.lower() and "url(" not in page.lower()
    parser = Page()
    parser.feed(page)
    assert not any(name.startswith("on") for _, attrs in parser.tags for name in attrs)
    assert not any(tag in ("script", "link", "iframe", "object", "embed") for tag, _ in parser.tags)
    sources = [attrs["src"] for tag, attrs in parser.tags if tag == "img"]
    summary = run(build_summary(store, film, Window.whole()))
    assert len(sources) == len(summary.scenes) == 4
    assert all(src.startswith("data:image/png;base64,") for src in sources)
    assert Image.open(io.BytesIO(base64.b64decode(sources[0].split(",", 1)[1]))).format == "PNG"
    assert "@media print" in page and "The Test Film (2001)" in page
    assert summary.title == "The Test Film" and summary.year == 2001 and summary.scope == "whole film"
    assert [round(s.start) for s in summary.scenes] == [0, 4, 8, 12]
    # extractive: every quote is a line of the film, every tag one the frames gave
    said = {line.text for line in store.lines_in_window(film.id, Window.whole())}
    tags = {t for s in summary.scenes for t in s.seen}
    assert summary.synopsis and all(q.text in said for p in summary.synopsis for q in p.lines)
    assert all(t in tags for p in summary.synopsis for t in p.seen)
    assert summary.quotes and all(q.text in said for q in summary.quotes)
    assert summary.motifs and all(m.scenes >= 2 for m in summary.motifs)  # the red room comes back
    assert [a.name for a in summary.palette] == ["First third", "Second third", "Last third"]
    assert summary.palette[0].colours[0][0] == "red" and "green" in dict(summary.palette[1].colours)
    made = summary.made_with
    assert made.encoder_id == encoder.id and made.complete and made.dialogue_sources[0][2] == len(LINES)


def test_markdown_links_its_pictures_in_a_folder_beside_it(store, make_film, encoder, tmp_path):
    film, _ = indexed(store, make_film, encoder)
    out = tmp_path / "My summary.md"
    assert export(store, film, "md", out).result == out
    text = out.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) == 4 and all(link.startswith("My%20summary_files/") for link in links)
    for link in links:
        picture = out.parent / unquote(link)
        assert picture.is_file() and picture.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert sorted(p.name for p in (tmp_path / "My summary_files").iterdir()) == [
        f"scene-00{n}.png" for n in range(1, 5)
    ]
    assert SCRIPT not in text and IMG not in text  # markup stays text in a Markdown viewer
    assert md_text(SCRIPT) in text and text.startswith("# The Test Film (2001)")


def test_a_watched_so_far_summary_holds_nothing_after_the_boundary(store, make_film, encoder, tmp_path):
    film, _ = indexed(store, make_film, encoder)
    conversation = store.start_conversation(film.id)
    store.add_turn(conversation, Turn("What is in the red room?", "A white ball.", (0.5,), (), ((0.0, 8.0),)))
    store.add_turn(conversation, Turn("How does it end?", "The ball rolls back.", (13.0,), (), ((0.0, 16.0),)))
    store.add_turn(conversation, Turn("And the stripes?", "Painted blue.", (9.0,), (), ((0.0, 8.0),)))
    window = Window.until(BOUNDARY)
    summary = run(build_summary(store, film, window, include_conversation=True))
    assert summary.scope == "watched so far: 0:00–0:08" and summary.window_end == BOUNDARY
    assert summary.scenes and all(s.start <= s.end <= BOUNDARY for s in summary.scenes)
    assert all(s.thumbnail_t <= BOUNDARY and s.thumbnail for s in summary.scenes)
    quotes = [q for s in summary.scenes for q in s.lines] + list(summary.quotes)
    quotes += [q for p in summary.synopsis for q in p.lines]
    assert quotes and all(q.start <= BOUNDARY for q in quotes)
    assert all(p.end <= BOUNDARY for p in summary.synopsis)
    assert all(m.first_t <= BOUNDARY for m in summary.motifs)
    assert summary.palette[-1].end <= BOUNDARY
    assert [e.question for e in summary.conversation] == ["What is in the red room?"]
    files = [
        export(store, film, "html", tmp_path / "s.html", window, include_conversation=True).result,
        export(store, film, "md", tmp_path / "s.md", window, include_conversation=True).result,
        export(store, film, "chapters", tmp_path / "s.ffmetadata", window).result,
        tmp_path / "s.vtt",
    ]
    for path in files:
        text = Path(path).read_text(encoding="utf-8")
        assert not any(after in text for after in AFTER), path
        assert "rolls back" not in text and "Painted blue" not in text
    _, chapters = parse_ffmetadata(Path(files[2]).read_text(encoding="utf-8"))
    assert chapters and all(int(c["END"]) <= BOUNDARY * 1000 for c in chapters)
    control = Path(export(store, film, "html", tmp_path / "whole.html", include_conversation=True).result)
    assert all(after in control.read_text(encoding="utf-8") for after in ("Blue stripes", "Painted blue"))


def test_chapters_parse_in_order_inside_the_film_and_as_webvtt(store, make_film, encoder, tmp_path):
    film, _ = indexed(store, make_film, encoder)
    done = export(store, film, "chapters", tmp_path / "film.ffmetadata")
    assert done.info["webvtt"] == str(tmp_path / "film.vtt")
    header, chapters = parse_ffmetadata(Path(done.result).read_text(encoding="utf-8"))
    summary = run(build_summary(store, film, Window.whole()))
    assert header["title"] == "The Test Film (2001)"
    assert [c["title"] for c in chapters] == [s.chapter_title() for s in summary.scenes]
    starts = [int(c["START"]) for c in chapters]
    assert starts == sorted(set(starts)) and starts[0] == 0 and all(c["TIMEBASE"] == "1/1000" for c in chapters)
    assert all(int(c["START"]) < int(c["END"]) <= film.duration_s * 1000 for c in chapters)
    assert any(f"{IMG} said Ann; #1" in c["title"] for c in chapters)  # escaped in the file, read back
    vtt = (tmp_path / "film.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n") and vtt.count(" --> ") == len(summary.scenes)
    assert "<img" not in vtt and "&lt;img src=x onerror=alert(1)&gt; said Ann; #1" in vtt
    cues = pysubs2.SSAFile.from_string(vtt, format_="vtt")
    assert [round(c.start / 1000) for c in cues] == [0, 4, 8, 12]


MPV_SCRIPT = r"""
import json, sys, threading
import mpv
player = mpv.MPV(vo="null", ao="null", config=False, chapters_file=sys.argv[2], pause=True)
loaded = threading.Event()
player.event_callback("file-loaded")(lambda event: loaded.set())
player.play(sys.argv[1])
loaded.wait(30)
print(json.dumps(player.chapter_list))
player.terminate()
"""


def test_mpv_reads_the_chapters(store, make_film, encoder, tmp_path):
    film, path = indexed(store, make_film, encoder)
    chapters_file = Path(export(store, film, "chapters", tmp_path / "film.ffmetadata").result)
    titles = [s.chapter_title() for s in run(build_summary(store, film, Window.whole())).scenes]
    if shutil.which("mpv"):
        shown = "".join(f"TITLE{n}=${{chapter-list/{n}/title}}\n" for n in range(len(titles)))
        result = subprocess.run(
            ["mpv", "--no-config", "--vo=null", "--ao=null", "--frames=1", f"--chapters-file={chapters_file}",
             f"--term-playing-msg=COUNT=${{chapter-list/count}}\n{shown}", str(path)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        said = result.stdout + result.stderr  # where mpv prints its terminal messages depends on its version
        assert f"COUNT={len(titles)}" in said and all(f"TITLE{n}={t}" in said for n, t in enumerate(titles)), said
        return
    try:  # the mpv command is not installed: libmpv, which the app plays films with, through python-mpv
        import mpv  # noqa: F401
    except (ImportError, OSError):
        pytest.skip("neither the mpv command nor libmpv is installed")
    result = subprocess.run(
        [sys.executable, "-c", MPV_SCRIPT, str(path), str(chapters_file)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout.strip().splitlines()[-1])
    assert [c["title"] for c in read] == titles
    assert [round(c["time"]) for c in read] == [0, 4, 8, 12]


def test_a_film_whose_file_is_gone_exports_without_pictures(store, make_film, encoder, tmp_path):
    film, path = indexed(store, make_film, encoder)
    path.unlink()
    page = Path(export(store, film, "html", tmp_path / "gone.html").result).read_text(encoding="utf-8")
    assert "<img" not in page and "1. 0:00–0:04" in page and html.escape(SCRIPT) in page
    md = Path(export(store, film, "md", tmp_path / "gone.md").result)
    assert "![" not in md.read_text(encoding="utf-8") and not (tmp_path / "gone_files").exists()


def test_cancel_stops_the_export_and_writes_nothing(store, make_film, encoder, tmp_path):
    film, _ = indexed(store, make_film, encoder)
    cancel = CancelToken()
    out = tmp_path / "stopped.md"
    events = []
    for event in export_summary(store, film, "md", out, Window.whole(), cancel=cancel):
        events.append(event)
        if isinstance(event, Progress) and event.stage == "pictures" and event.done == 1:
            cancel.cancel()
    assert isinstance(events[-1], Done) and events[-1].result is None and not events[-1].complete
    assert sum(isinstance(e, Progress) and e.stage == "pictures" for e in events) == 2  # stopped at once
    assert list(tmp_path.glob("stopped*")) == []
    early = CancelToken()
    early.cancel()
    assert list(build_summary(store, film, Window.whole(), cancel=early))[-1] == Done(None, complete=False)


def test_pdf_and_unknown_formats_are_refused_before_any_work(store, tmp_path):
    film = Film(1, "v1:0:0", str(tmp_path / "nothing.mkv"), "Nothing", 10.0, 24.0, 320, 180)
    with pytest.raises(ExportError, match="desktop"):
        export_summary(store, film, "pdf", tmp_path / "x.pdf", Window.whole())
    with pytest.raises(ExportError, match="md, html, chapters"):
        export_summary(store, film, "docx", tmp_path / "x.docx", Window.whole())


def test_escapes_and_chapter_times_on_their_own():
    assert ffmetadata_escape("a=b;c#d\\e\nf") == "a\\=b\\;c\\#d\\\\e\\\nf"
    assert webvtt_escape("Tom & <b>Jerry</b>\n-->") == "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt; --&gt;"
    assert md_text("*not* [a](link) <b> & #1") == "\\*not\\* \\[a\\](link) \\<b\\> \\& \\#1"
    made = MadeWith(None, (), (), False, "0")
    scenes = (
        SceneSummary(0.0, 5.0, ("red",), (Quote(1.0, 2.0, "A\nvery long line " * 10),)),
        SceneSummary(4.0, 9.0),  # overlaps the first: the first ends where it starts
        SceneSummary(9.0, 30.0),  # runs past the film's end: cut there
    )
    summary = ReviewSummary("T;=", None, 20.0, "whole film", (), scenes, (), (), (), made)
    header, chapters = parse_ffmetadata(to_ffmetadata(summary))
    assert header["title"] == "T;="
    assert [(c["START"], c["END"]) for c in chapters] == [("0", "4000"), ("4000", "9000"), ("9000", "20000")]
    assert len(chapters[0]["title"]) <= 64 and chapters[0]["title"].endswith("…”")
    assert to_webvtt_chapters(summary).count(" --> ") == 3 and "\n\n\n" not in to_webvtt_chapters(summary)
    assert "<script" not in to_html(ReviewSummary(SCRIPT, None, 20.0, "whole film", (), scenes, (), (), (), made))


class Parrot:
    """An answering model that repeats the film's own lines it was given and adds an invention: what a
    careless model does. Every sentence it writes that the lines do not support must be dropped."""

    id = "parrot"

    def stream(self, messages, cancel=None, max_new_tokens=120):
        prompt = messages[-1]["content"]
        said = re.findall(r"“([^”]+)”", prompt) or re.findall(r"Part \d+: (.+)", prompt)
        yield " ".join(s.rstrip(".!?") + "." for s in said[:2]) + " The dragon ate the moon over Paris."


def test_a_written_synopsis_keeps_only_what_the_lines_support():
    from core.export.model import Quote, SynopsisPart
    from core.export.written import written_synopsis

    parts = [
        SynopsisPart(0.0, 4.0, ("red", "microphone"), (Quote(0.5, 2.0, "The red room has a white ball."),)),
        SynopsisPart(4.0, 8.0, ("green",), (Quote(4.5, 6.0, "The green garden hides a box."),)),
    ]
    overall, acts = written_synopsis(parts, Parrot())
    assert acts == ("The red room has a white ball.", "The green garden hides a box.")
    assert overall == ("The red room has a white ball.", "The green garden hides a box.")
    assert written_synopsis(parts, None) == ((), ())
