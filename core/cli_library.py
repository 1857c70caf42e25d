"""The library's commands: ``library add|remove|list|scan|queue|pause|resume``, ``analyze``, ``search``
and ``export``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from core.cli_common import EXIT_CANCELLED, EXIT_INPUT, EXIT_OK, UsageError, default_store, one_line, say, window_of
from core.errors import MovieBuddyError
from core.events import CancelToken
from core.progress_bar import ProgressBar, follow

EXPORT_FORMATS = ("md", "html", "pdf", "chapters")


def add_parsers(sub) -> None:
    p = sub.add_parser("library", help="the folders of films you keep: add, remove, list, scan, the queue")
    lib = p.add_subparsers(dest="library_command", metavar="ACTION", required=True)
    q = lib.add_parser("add", help="add a folder (scanned at once)")
    q.add_argument("folder", type=Path)
    q = lib.add_parser("remove", help="take a folder out (the films' indexes are kept)")
    q.add_argument("folder", type=Path)
    q = lib.add_parser("list", help="the films with their analysis status")
    q.add_argument("--all", action="store_true", help="also files that are not films, with the reason")
    q.add_argument("--json", action="store_true")
    lib.add_parser("scan", help="look for new, moved, changed and deleted files")
    q = lib.add_parser("queue", help="the analysis queue")
    q.add_argument("--json", action="store_true")
    lib.add_parser("pause", help="pause the analysis queue (before its next film)")
    lib.add_parser("resume", help="let the analysis queue go on")

    p = sub.add_parser("analyze", help="analyse films or folders of films, one at a time (resumable)")
    p.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    p.add_argument("--queue-only", action="store_true", help="only queue them (the app or a later run analyses)")

    p = sub.add_parser("search", help="search every analysed film for what is said and what is seen")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--spoiler-free", action="store_true", help="in films you started, only what you watched")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", help="write a review summary of a film")
    p.add_argument("movie", type=Path)
    p.add_argument("--format", choices=EXPORT_FORMATS, default="html")
    p.add_argument("--until", help="spoiler-free: only the film up to this time")
    p.add_argument("--watched", action="store_true", help="spoiler-free: only what you watched")
    p.add_argument("--conversation", action="store_true", help="include your questions and their answers")
    p.add_argument(
        "--llm",
        help="also write a synopsis with this answering model (default: the settings' model; "
        "extractive: none), each sentence checked against the film's lines",
    )
    p.add_argument("-o", "--output", type=Path, required=True)


def cmd_library(args) -> int:
    from core.library import analysis, catalog, scan

    with default_store() as store:
        action = args.library_command
        if action in ("add", "scan"):
            if action == "add":
                print(f"Added {scan.add_folder(store, args.folder)}", file=sys.stderr)
            return _scan(store, [str(Path(args.folder).expanduser().resolve())] if action == "add" else None)
        if action == "remove":
            if not scan.remove_folder(store, args.folder):
                raise UsageError(f"{args.folder} is not in the library")
            return EXIT_OK
        if action in ("pause", "resume"):
            analysis.set_paused(store, action == "pause")
            return EXIT_OK
        if action == "queue":
            items = store.queue_items()
            if args.json:
                print(json.dumps([{"path": i.path, "state": i.state, "problem": i.problem} for i in items]))
            for i in [] if args.json else items:
                say(f"{i.state:<10} {i.path}" + (f"  ({i.problem})" if i.problem else ""))
            return EXIT_OK
        entries = catalog.entries(store, include_skipped=args.all)
    if args.json:
        keys = ("path", "title", "year", "duration_s", "status", "progress", "kind", "problem", "watched_s")
        print(json.dumps([{k: e.as_json()[k] for k in keys} for e in entries]))
        return EXIT_OK
    from core.timefmt import clock

    for e in entries:
        length = clock(e.duration_s) if e.duration_s else "?"
        status = f"analysing {e.progress:.0%}" if e.status == "analysing" else e.status
        extra = f" [{e.kind}]" if e.kind != "film" else ""
        say(f"{e.display_title}{extra}  {length}  {status}" + (f" ({e.problem})" if e.problem else ""))
    return EXIT_OK


def _scan(store, folders) -> int:
    from core.library import scan

    with ProgressBar("Scanning") as bar:
        report = follow(scan.scan(store, folders), bar)
    assert report is not None
    print(
        f"{report.films} films, {report.extras} extras ({report.new} new, {report.changed} changed, "
        f"{report.moved} moved, {report.removed} gone)",
        file=sys.stderr,
    )
    for path, why in report.skipped:
        say(one_line(f"  not a film: {path} ({why})"), file=sys.stderr)
    for path, why in report.problems:
        say(one_line(f"  could not read: {path} ({why})"), file=sys.stderr)
    return EXIT_OK


def cmd_analyze(args) -> int:
    from core.config import load_settings
    from core.library import analysis

    with default_store() as store:
        queued, skipped = analysis.analyze(store, args.paths)
        for path, why in skipped:
            say(one_line(f"moviebuddy: skipped {path}: {why}"), file=sys.stderr)
        if not queued:
            print("moviebuddy: no film to analyse", file=sys.stderr)
            return EXIT_INPUT
        print(f"Queued {len(queued)} film(s)", file=sys.stderr)
        if args.queue_only:
            return EXIT_OK
        settings = load_settings()
        cancel = CancelToken()
        run = None
        with ProgressBar("Analysing") as bar:
            job = analysis.run_queue(store, cancel, vision=settings.vision, fps=settings.fps)
            try:
                run = follow(job, bar)
            except KeyboardInterrupt:
                job.close()
                for item in store.queue_items(("analysing",)):  # every stored batch is kept: it waits again
                    store.set_queue_state(item.path, "queued")
                print("moviebuddy: cancelled; run `moviebuddy analyze` again to continue", file=sys.stderr)
                return EXIT_CANCELLED
        failed = [(i.path, i.problem or "") for i in store.queue_items(("failed",)) if i.path in set(queued)]
    assert run is not None
    print(f"{run.analysed} analysed, {run.failed} failed" + ("; the queue is paused" if run.stopped else ""))
    for path, why in failed:
        say(one_line(f"  failed: {path}: {why}"), file=sys.stderr)
    return EXIT_OK


def cmd_search(args) -> int:
    from core.library.search import LibrarySearch

    with default_store() as store:
        hits = LibrarySearch(store).search(args.query, limit=args.limit, spoiler_free=args.spoiler_free)
    if args.json:
        print(json.dumps([{k: h.as_json()[k] for k in ("film", "path", "t", "kind", "text")} for h in hits]))
        return EXIT_OK
    from core.timefmt import clock

    for h in hits:
        say(f"{h.film}  [{clock(h.t)}]  {'said' if h.kind == 'dialogue' else 'seen'}: {h.text}")
    if not hits:
        print("Nothing found in the analysed films.", file=sys.stderr)
    return EXIT_OK


def cmd_export(args) -> int:
    from core import export, session
    from core.answering import create_model
    from core.config import load_settings

    with default_store() as store:
        film = session.indexed_film(store, args.movie)
        # chapters print no synopsis: no model to load for them
        model = create_model(args.llm or load_settings().llm, store.home) if args.format != "chapters" else None
        if args.watched:
            from core.spoiler_window import Window

            window = Window.watched(store.watched(film.id))
        else:
            window = window_of(args)
        if args.format == "pdf":
            try:
                from desktop.pdf import export_pdf
            except ImportError as exc:
                raise MovieBuddyError(f"PDF export needs the desktop app's Qt: {exc}") from None
            job = export_pdf(store, film, args.output, window, include_conversation=args.conversation, model=model)
        else:
            job = export.export_summary(
                store, film, args.format, args.output, window, include_conversation=args.conversation, model=model
            )
        with ProgressBar("Writing the summary") as bar:
            written = follow(job, bar)
    print(written or args.output)
    return EXIT_OK


COMMANDS = {"library": cmd_library, "analyze": cmd_analyze, "search": cmd_search, "export": cmd_export}
