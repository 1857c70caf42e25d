"""A summary as Markdown: the .md file, with the scenes' pictures as PNG files in a folder beside it
(``NAME_files/``) linked relatively, so the pair can be moved or zipped together. The film's text is
escaped, so that a subtitle holding markup or HTML stays text in every Markdown viewer."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from core.export.model import Quote, ReviewSummary
from core.timefmt import clock

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that start markup in a line
# (emphasis, code, links, raw HTML, entities, headings, tables, strikethrough).
_MARKUP = re.compile(r"([\\`*_\[\]<>&#|~])")


def md_text(text: str) -> str:
    """Film text as Markdown that shows exactly that text, on one line (breaks become " / ")."""
    one_line = " / ".join(part.strip() for part in text.splitlines() if part.strip())
    return _MARKUP.sub(r"\\\1", one_line)


def pictures_folder(path: Path) -> Path:
    return path.with_name(path.stem + "_files")


def to_markdown(summary: ReviewSummary, path: str | Path) -> Path:
    """Write ``path`` (and its pictures folder when the summary has pictures); returns ``path``."""
    path = Path(path)
    folder = pictures_folder(path)
    links: dict[int, str] = {}
    if summary.has_pictures:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("scene-*.png"):  # pictures of an earlier export under the same name
            old.unlink()
        for n, scene in enumerate(summary.scenes, 1):
            if scene.thumbnail:
                name = f"scene-{n:03d}.png"
                (folder / name).write_bytes(scene.thumbnail)
                links[n] = quote(f"{folder.name}/{name}")
    partial = path.with_name(path.name + ".partial")
    partial.write_text(markdown_text(summary, links), encoding="utf-8")
    partial.replace(path)
    return path


def markdown_text(summary: ReviewSummary, links: dict[int, str] | None = None) -> str:
    """The Markdown page; ``links``: scene number (from 1) -> relative URL of its picture."""
    links = links or {}
    out = [f"# {md_text(summary.heading)}", ""]
    out += [f"*Review summary, {md_text(summary.scope)}. Running time {clock(summary.duration_s)}.*", ""]
    if summary.synopsis:
        out += ["## Synopsis", ""]
        if summary.written:
            out += [md_text(" ".join(summary.written)), ""]
            out += [
                f"*Written by {md_text(summary.written_by)}; each sentence was checked against the film's lines. "
                "Scene by scene, in the film's own words:*",
                "",
            ]
        for part in summary.synopsis:
            seen = f" Seen: {md_text(', '.join(part.seen))}." if part.seen else ""
            quotes = " ".join(f"“{md_text(q.text)}”" for q in part.lines)
            out.append(f"- **{clock(part.start)}–{clock(part.end)}**{seen} {quotes}".rstrip())
        out.append("")
    if summary.scenes:
        out += ["## Scenes", ""]
        for n, scene in enumerate(summary.scenes, 1):
            out += [f"### {n}. {clock(scene.start)}–{clock(scene.end)}", ""]
            if n in links:
                out += [f"![The scene at {clock(scene.thumbnail_t)}]({links[n]})", ""]
            if scene.seen:
                out += [f"Seen: {md_text(', '.join(scene.seen))}", ""]
            out += [_quote_line(q) for q in scene.lines]
            out += [""] if scene.lines else []
    if summary.quotes:
        out += ["## Notable quotes", ""]
        out += [_quote_line(q) for q in summary.quotes] + [""]
    if summary.motifs:
        out += ["## Recurring visual motifs", "", "| Motif | Scenes | First seen |", "|---|---:|---:|"]
        out += [f"| {md_text(m.tag)} | {m.scenes} | {clock(m.first_t)} |" for m in summary.motifs]
        out.append("")
    if any(act.colours for act in summary.palette):
        out += ["## Colour palette", ""]
        for act in summary.palette:
            colours = ", ".join(f"{md_text(c)} {share:.0%}" for c, share in act.colours) or "no frames indexed"
            out.append(f"- **{act.name}** ({clock(act.start)}–{clock(act.end)}): {colours}")
        out.append("")
    if summary.conversation:
        out += ["## My questions", ""]
        for ex in summary.conversation:
            out += [f"**Q:** {md_text(ex.question)}", "", f"**A:** {md_text(ex.answer)}", ""]
    made = summary.made_with
    sources = ", ".join(f"{md_text(s)} ({md_text(k)}, {n} lines)" for s, k, n in made.dialogue_sources) or "none"
    out += ["## How it was made", ""]
    out += [f"- Vision encoder: {md_text(made.encoder_id or 'none (frames not indexed)')}"]
    out += [f"- Dialogue sources: {sources}", f"- Indexed: {made.indexed_text(summary.duration_s)}"]
    out += [f"- Movie Buddy {md_text(made.version)}", ""]
    return "\n".join(out)


def _quote_line(quote: Quote) -> str:
    return f"- “{md_text(quote.text)}” ({clock(quote.start)})"
