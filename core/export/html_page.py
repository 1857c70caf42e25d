"""A summary as one self-contained HTML page, to read on screen, print, or turn into a PDF (the desktop
draws its PDF from this page). Pictures are embedded as data URLs; there is no script and nothing is
fetched from elsewhere. Every piece of the film's text goes through html.escape, since subtitles can hold
markup. Layout is tables and simple CSS, which browsers and Qt's rich-text engine both draw."""

from __future__ import annotations

import base64
from html import escape

from core.export.model import Quote, ReviewSummary, SceneSummary
from core.timefmt import clock

# The named colours of core.colours as swatches.
SWATCHES = {
    "red": "#c62828",
    "orange": "#ef6c00",
    "yellow": "#f9d71c",
    "green": "#2e7d32",
    "cyan": "#00acc1",
    "blue": "#1565c0",
    "purple": "#6a1b9a",
    "pink": "#d81b60",
    "black": "#111111",
    "white": "#f4f4f4",
    "grey": "#8a8a8a",
}

STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; color: #1d1d1d; background: #fff; margin: 0; line-height: 1.5; }
main { max-width: 46em; margin: 2em auto; padding: 0 1.2em; }
h1 { font-size: 2em; margin-bottom: 0.1em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #ccc; margin-top: 1.8em; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 0 0 0.3em 0; }
.scope, .seen, .when, footer { color: #555; }
.scope { font-style: italic; margin-top: 0; }
table { border-collapse: collapse; width: 100%; }
td, th { vertical-align: top; padding: 0.35em 0.5em; text-align: left; }
table.scenes td { border-top: 1px solid #e4e4e4; }
table.scenes td.picture { width: 1%; }
table.scenes img { display: block; width: 12em; height: auto; border-radius: 3px; }
table.motifs td.count { text-align: right; }
blockquote { margin: 0.2em 0 0.2em 1em; padding-left: 0.7em; border-left: 3px solid #ddd; font-style: italic; }
table.palette td.act { width: 12em; white-space: nowrap; }
table.bar td { height: 1.1em; padding: 0; border: 1px solid #d0d0d0; font-size: 0.75em; }
.q { font-weight: bold; margin-bottom: 0.1em; }
.a { margin-top: 0; white-space: pre-wrap; }
footer { font-size: 0.9em; margin: 2.5em 0 3em 0; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; margin: 0; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr, blockquote, .exchange { break-inside: avoid; page-break-inside: avoid; }
  table.scenes img { width: 9em; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@page { margin: 16mm; }
"""


def to_html(summary: ReviewSummary) -> str:
    """The whole page as a string (UTF-8 when written)."""
    e = escape
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="Movie Buddy {e(summary.made_with.version)}">\n'
        f"<title>{e(summary.heading)}: review summary</title>\n<style>{STYLE}</style>\n</head>\n"
    )
    body = [
        "<body>\n<main>",
        f"<header><h1>{e(summary.heading)}</h1>",
        f'<p class="scope">Review summary, {e(summary.scope)}. Running time {clock(summary.duration_s)}.</p></header>',
    ]
    body += _synopsis(summary) + _scenes(summary) + _quotes(summary) + _motifs(summary) + _palette(summary)
    body += _conversation(summary) + _made_with(summary) + ["</main>\n</body>\n</html>\n"]
    return head + "\n".join(body)


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _quote(q: Quote) -> str:
    return f'<blockquote>“{escape(q.one_line())}” <span class="when">{clock(q.start)}</span></blockquote>'


def _synopsis(summary: ReviewSummary) -> list[str]:
    if not summary.synopsis:
        return []
    out = ['<section id="synopsis"><h2>Synopsis</h2>']
    if summary.written:
        out.append(f"<p>{escape(' '.join(summary.written))}</p>")
        out.append(
            f'<p class="scope">Written by {escape(summary.written_by)}; each sentence was checked against '
            "the film's lines. Scene by scene, in the film's own words:</p>"
        )
    out.append("<table>")
    for part in summary.synopsis:
        seen = f'<div class="seen">Seen: {escape(", ".join(part.seen))}</div>' if part.seen else ""
        quotes = "".join(_quote(q) for q in part.lines)
        out.append(f'<tr><td class="when">{clock(part.start)}–{clock(part.end)}</td><td>{seen}{quotes}</td></tr>')
    return [*out, "</table></section>"]


def _scene_row(n: int, scene: SceneSummary) -> str:
    alt = f"The scene at {clock(scene.thumbnail_t)}"
    picture = f'<img src="{data_url(scene.thumbnail)}" alt="{escape(alt)}">' if scene.thumbnail else ""
    seen = f'<div class="seen">Seen: {escape(", ".join(scene.seen))}</div>' if scene.seen else ""
    lines = "".join(_quote(q) for q in scene.lines)
    return (
        f'<tr><td class="picture">{picture}</td>'
        f"<td><h3>{n}. {clock(scene.start)}–{clock(scene.end)}</h3>{seen}{lines}</td></tr>"
    )


def _scenes(summary: ReviewSummary) -> list[str]:
    if not summary.scenes:
        return []
    rows = [_scene_row(n, s) for n, s in enumerate(summary.scenes, 1)]
    return ['<section id="scenes"><h2>Scenes</h2>', '<table class="scenes">', *rows, "</table></section>"]


def _quotes(summary: ReviewSummary) -> list[str]:
    if not summary.quotes:
        return []
    return ['<section id="quotes"><h2>Notable quotes</h2>', *(_quote(q) for q in summary.quotes), "</section>"]


def _motifs(summary: ReviewSummary) -> list[str]:
    if not summary.motifs:
        return []
    rows = [
        f'<tr><td>{escape(m.tag)}</td><td class="count">{m.scenes} scenes</td>'
        f'<td class="when">first at {clock(m.first_t)}</td></tr>'
        for m in summary.motifs
    ]
    return ['<section id="motifs"><h2>Recurring visual motifs</h2><table class="motifs">', *rows, "</table></section>"]


def _palette(summary: ReviewSummary) -> list[str]:
    if not any(act.colours for act in summary.palette):
        return []
    out = ['<section id="palette"><h2>Colour palette</h2>', '<table class="palette">']
    for act in summary.palette:
        label = f'{escape(act.name)}<div class="when">{clock(act.start)}–{clock(act.end)}</div>'
        total = sum(share for _, share in act.colours) or 1.0
        # width and bgcolor as attributes too: Qt's rich text (the desktop's PDF) reads those, not the CSS
        cells = "".join(
            f'<td width="{100 * share / total:.0f}%" bgcolor="{SWATCHES.get(name, "#999999")}" '
            f'style="background-color: {SWATCHES.get(name, "#999999")}; width: {100 * share / total:.1f}%" '
            f'title="{escape(name)} {share:.0%}">&nbsp;</td>'
            for name, share in act.colours
        )
        words = ", ".join(f"{escape(name)} {share:.0%}" for name, share in act.colours) or "no frames indexed"
        bar = f'<table class="bar" width="100%"><tr>{cells}</tr></table>' if cells else ""
        out.append(f'<tr><td class="act">{label}</td><td width="75%">{bar}<div class="seen">{words}</div></td></tr>')
    return [*out, "</table></section>"]


def _conversation(summary: ReviewSummary) -> list[str]:
    if not summary.conversation:
        return []
    out = ['<section id="conversation"><h2>My questions</h2>']
    for ex in summary.conversation:
        out.append(
            f'<div class="exchange"><p class="q">{escape(ex.question)}</p><p class="a">{escape(ex.answer)}</p></div>'
        )
    return [*out, "</section>"]


def _made_with(summary: ReviewSummary) -> list[str]:
    made = summary.made_with
    sources = ", ".join(f"{escape(s)} ({escape(k)}, {n} lines)" for s, k, n in made.dialogue_sources) or "none"
    items = [
        f"Vision encoder: {escape(made.encoder_id or 'none (frames not indexed)')}",
        f"Dialogue sources: {sources}",
        f"Indexed: {made.indexed_text(summary.duration_s)}",
        f"Made with Movie Buddy {escape(made.version)}",
    ]
    return ['<footer id="made"><h2>How it was made</h2><ul>', *(f"<li>{i}</li>" for i in items), "</ul></footer>"]
