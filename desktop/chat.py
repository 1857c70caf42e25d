"""The chat panel beside the picture: questions, streaming answers, clickable moments, the evidence.

Everything shown is rendered from a list of entries into one QTextBrowser; links carry what a click
does: ``seek:SECONDS`` seeks the player, ``evidence:N`` opens or closes an answer's evidence,
``copy:N`` copies an answer."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.timefmt import clock
from core.turn import Turn

SEEK_SCHEME = "seek"
QUICK_ACTIONS = (("What just happened?", "What just happened?"), ("Who is this?", "Who is this?"))
EMPTY_HINT = (
    "<p style='color:#9aa3b2'>Ask anything about the film: <i>Who is the man in the red coat?</i>, "
    "<i>Why did she leave?</i>, <i>When does the storm start?</i><br><br>"
    "Answers cite moments you can click to jump to. With <b>Spoiler-free</b> on, they only use "
    "what you have watched.</p>"
)


def seek_link(t: float) -> str:
    return f'<a href="{SEEK_SCHEME}:{t:.3f}">{clock(t)}</a>'


def answer_html(text: str, citations, note: str = "") -> str:
    """An answer as HTML, each cited moment a link ``seek:SECONDS`` that the panel turns into a seek."""
    body = html.escape(text).replace("\n", "<br>")
    links = " ".join(f"[{seek_link(t)}]" for t in citations)
    parts = [f"<p>{body}</p>"]
    if links:
        parts.append(f"<p>Moments: {links}</p>")
    if note:
        parts.append(f"<p style='color:#9aa3b2'><i>{html.escape(note)}</i></p>")
    return "".join(parts)


def seek_target(url: str) -> float | None:
    """The time a citation link points at, or None for any other link."""
    scheme, _, rest = url.partition(":")
    if scheme != SEEK_SCHEME:
        return None
    try:
        return float(rest)
    except ValueError:
        return None


def window_text(ranges) -> str:
    """The spoiler-free boundary in the viewer's words."""
    if not ranges:
        return "uses nothing yet: play the film and ask about what you've seen"
    parts = ", ".join(f"{clock(a)}–{clock(b)}" for a, b in ranges[:3])
    more = f" and {len(ranges) - 3} more parts" if len(ranges) > 3 else ""
    return f"uses {parts}{more} that you've watched"


class ChatPanel(QWidget):
    question_asked = Signal(str)
    recap_wanted = Signal()
    stop_wanted = Signal()
    seek_requested = Signal(float)
    spoiler_free_changed = Signal(bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("chat")
        self.entries: list[ChatEntry] = []
        self._busy = False
        # streamed tokens redraw the conversation at most every 50 ms, not once per token
        self._redraw = QTimer(self, singleShot=True, interval=50, timeout=self.redraw)

        self.spoiler_free = QCheckBox("Spoiler-free")
        self.spoiler_free.setChecked(True)
        self.spoiler_free.setToolTip("Answer only from the parts of the film you have watched")
        self.spoiler_free.toggled.connect(self._on_spoiler_toggle)
        self.boundary = QLabel(window_text([]))
        self.boundary.setObjectName("boundary")
        self.boundary.setWordWrap(True)

        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        self.view.setOpenExternalLinks(False)
        self.view.anchorClicked.connect(self._on_link)
        self.view.setPlaceholderText("")

        quick = QHBoxLayout()
        self.quick_buttons = []
        for label, question in QUICK_ACTIONS:
            button = QPushButton(label)
            button.setToolTip(f"Ask: {question}")
            button.clicked.connect(lambda _=False, q=question: self.ask(q))
            quick.addWidget(button)
            self.quick_buttons.append(button)
        self.recap_button = QPushButton("Recap so far")
        self.recap_button.setToolTip("The story up to here, scene by scene")
        self.recap_button.clicked.connect(self.recap_wanted.emit)
        quick.addWidget(self.recap_button)

        self.input = QLineEdit()
        self.input.setPlaceholderText("Ask about the film…")
        self.input.returnPressed.connect(self._send)
        self.send_button = QPushButton("Ask")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self._send)
        self.stop_button = QToolButton(text="Stop")
        self.stop_button.setToolTip("Stop this answer")
        self.stop_button.clicked.connect(self.stop_wanted.emit)
        self.stop_button.setEnabled(False)
        ask_row = QHBoxLayout()
        ask_row.addWidget(self.input, 1)
        ask_row.addWidget(self.send_button)
        ask_row.addWidget(self.stop_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.spoiler_free)
        layout.addWidget(self.boundary)
        layout.addWidget(self.view, 1)
        layout.addLayout(quick)
        layout.addLayout(ask_row)
        self.redraw()

    # asking -----------------------------------------------------------------------------------------
    def ask(self, question: str) -> None:
        question = question.strip()
        if question and not self._busy:
            self.question_asked.emit(question)

    def _send(self) -> None:
        question = self.input.text().strip()
        if question and not self._busy:
            self.input.clear()
            self.question_asked.emit(question)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.stop_button.setEnabled(busy)
        self.send_button.setEnabled(not busy)
        for button in (*self.quick_buttons, self.recap_button):
            button.setEnabled(not busy)

    def _on_spoiler_toggle(self, on: bool) -> None:
        self.boundary.setVisible(on)
        self.spoiler_free_changed.emit(on)

    def set_boundary(self, ranges) -> None:
        self.boundary.setText(window_text(ranges))

    # the conversation ---------------------------------------------------------------------------------
    def set_history(self, turns) -> None:
        self.entries = [ChatEntry(None, t.question, text=t.answer, turn=t) for t in turns]
        self.redraw()

    def begin(self, request_id: int, question: str) -> None:
        self.entries.append(ChatEntry(request_id, question))
        self.set_busy(True)
        self.redraw()

    def _entry(self, request_id: int) -> ChatEntry | None:
        return next((e for e in reversed(self.entries) if e.id == request_id), None)

    def add_token(self, request_id: int, text: str) -> None:
        entry = self._entry(request_id)
        if entry is not None:
            entry.text += text
            if not self._redraw.isActive():
                self._redraw.start()

    def finish(self, request_id: int, turn: Turn) -> None:
        entry = self._entry(request_id)
        if entry is not None:
            entry.text, entry.turn = turn.answer, turn
        self.set_busy(False)
        self.redraw()

    def fail(self, request_id: int, message: str) -> None:
        entry = self._entry(request_id)
        if entry is not None:
            entry.error = message
        else:
            self.entries.append(ChatEntry(request_id, "", error=message))
        self.set_busy(False)
        self.redraw()

    def add_thumbnails(self, request_id: int, images: dict) -> None:
        entry = self._entry(request_id)
        if entry is not None:
            entry.thumbs = images
            self.redraw()

    # rendering ----------------------------------------------------------------------------------------
    def redraw(self) -> None:
        document = self.view.document()
        parts = [EMPTY_HINT] if not self.entries else []
        for n, entry in enumerate(self.entries):
            parts.append(self._entry_html(n, entry, document))
        self.view.setHtml("<hr>".join(parts))
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _entry_html(self, n: int, entry: ChatEntry, document: QTextDocument) -> str:
        out = []
        if entry.question:
            out.append(f"<p><b>{html.escape(entry.question)}</b></p>")
        turn = entry.turn
        if turn is not None:
            out.append(answer_html(turn.answer, turn.citations, turn.note))
            actions = [f'<a href="copy:{n}">Copy</a>']
            if turn.evidence:
                label = "Hide evidence" if entry.expanded else f"Show evidence ({len(turn.evidence)})"
                actions.insert(0, f'<a href="evidence:{n}">{label}</a>')
            out.append(f"<p style='font-size:small'>{' · '.join(actions)}</p>")
            if entry.expanded:
                out.append(self._evidence_html(n, turn.evidence, entry.thumbs, document))
        elif entry.text:
            out.append(f"<p>{html.escape(entry.text)}▍</p>")
        elif not entry.error:
            out.append("<p style='color:#9aa3b2'><i>Looking through the film…</i></p>")
        if entry.error:
            out.append(f"<p style='color:#e57373'>{html.escape(entry.error)}</p>")
        return "".join(out)

    def _evidence_html(self, n: int, evidence, thumbs: dict, document: QTextDocument) -> str:
        rows = []
        for item in evidence:
            image = thumbs.get(item["t"]) or _nearest(thumbs, item["t"])
            picture = ""
            if image is not None:
                url = QUrl(f"thumb:{n}/{item['t']:.3f}")
                document.addResource(QTextDocument.ResourceType.ImageResource, url, image)
                picture = f'<img src="{url.toString()}" width="120"><br>'
            what = {"frame": "seen", "dialogue": "said", "screen_text": "on screen"}.get(item["kind"], item["kind"])
            rows.append(
                f"<tr><td>{picture}{seek_link(item['t'])}</td><td><i>{what}</i>: {html.escape(item['text'])}</td></tr>"
            )
        return "<table cellspacing='4'>" + "".join(rows) + "</table>"

    def _on_link(self, url: QUrl) -> None:
        target = url.toString()
        seconds = seek_target(target)
        if seconds is not None:
            self.seek_requested.emit(seconds)
            return
        scheme, _, rest = target.partition(":")
        if scheme in ("evidence", "copy") and rest.isdigit() and int(rest) < len(self.entries):
            entry = self.entries[int(rest)]
            if scheme == "evidence":
                entry.expanded = not entry.expanded
                self.redraw()
            else:
                QGuiApplication.clipboard().setText(copy_text(entry))


@dataclass
class ChatEntry:
    """One question of the conversation as the panel holds it: streamed ``text`` while it is answered,
    then its ``turn``; or an ``error``."""

    id: int | None
    question: str
    text: str = ""
    turn: Turn | None = None
    error: str = ""
    expanded: bool = False  # its evidence shown
    thumbs: dict = field(default_factory=dict)  # {seconds: QImage}


def copy_text(entry: ChatEntry) -> str:
    answer, citations = (entry.turn.answer, entry.turn.citations) if entry.turn else (entry.text, ())
    moments = ", ".join(clock(t) for t in citations)
    return answer + (f"\n(moments: {moments})" if moments else "")


def _nearest(thumbs: dict, t: float):
    if not thumbs:
        return None
    best = min(thumbs, key=lambda k: abs(k - t))
    return thumbs[best] if abs(best - t) <= 1.0 else None
