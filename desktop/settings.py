"""The settings dialog: vision encoder, answering model, sampling rate, data folder, and whether speech is
recognised also in films that have subtitles.

These live in the core's settings file (core.config), which the CLI reads too; window state (geometry,
recent films, the spoiler-free switch, volume) lives in QSettings."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.config import Settings, platform_home

ANSWER_MODELS = (
    ("Quotes from the film (built-in, fastest)", "extractive"),
    ("SmolLM2 135M (built-in, writes answers)", "smollm2"),
)
LLM_HELP = (
    "Or type a Hugging Face model id (Qwen/Qwen2.5-0.5B-Instruct), the path of a .gguf file, or an "
    "OpenAI-compatible server as URL#MODEL (http://localhost:11434/v1#llama3.2)."
)


def always_also(settings: Settings) -> tuple[str, ...]:
    """The slow dialogue sources every film's indexing runs too (core.protocol.ALSO_SOURCES)."""
    return ("asr",) if settings.speech_with_subtitles else ()


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, vision_names, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Movie Buddy settings")
        self.setMinimumWidth(520)

        self.vision = QComboBox()
        self.vision.setEditable(True)
        self.vision.addItems(list(vision_names))
        self.vision.setCurrentText(settings.vision or "efficientnet-lite0")
        self.vision.setToolTip(
            "How frames are understood. A CLIP or SigLIP Hugging Face id also works "
            "(openai/clip-vit-base-patch32); a new encoder re-indexes films."
        )

        self.llm = QComboBox()
        self.llm.setEditable(True)
        for label, value in ANSWER_MODELS:
            self.llm.addItem(label, value)
        self._set_llm(settings.llm or "extractive")
        self.llm.setToolTip(LLM_HELP)
        gguf = QPushButton("GGUF file…")
        gguf.clicked.connect(self._pick_gguf)
        llm_row = QHBoxLayout()
        llm_row.addWidget(self.llm, 1)
        llm_row.addWidget(gguf)

        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.1, 5.0)
        self.fps.setSingleStep(0.25)
        self.fps.setDecimals(2)
        self.fps.setSuffix(" frames per second")
        self.fps.setValue(settings.fps)
        self.fps.setToolTip("More frames catch short moments; fewer index faster and take less space")

        self.data_folder = QLineEdit(settings.data_folder or "")
        self.data_folder.setPlaceholderText(str(platform_home()))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._pick_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.data_folder, 1)
        folder_row.addWidget(browse)

        self.speech = QCheckBox("Recognise speech in films that have subtitles")
        self.speech.setChecked(settings.speech_with_subtitles)
        self.speech.setToolTip(
            "Slow: the film's sound is transcribed after its picture is indexed. Answers keep reading the "
            "subtitles; choose the recognised speech in Index ▸ Dialogue Source."
        )

        form = QFormLayout()
        form.addRow("Vision encoder", self.vision)
        form.addRow("Answering model", _wrap(llm_row))
        form.addRow("", _note(LLM_HELP))
        form.addRow("Sampling rate", self.fps)
        form.addRow("Data folder", _wrap(folder_row))
        form.addRow("Speech", self.speech)
        form.addRow(
            "",
            _note(
                "The encoder, sampling rate, speech and data folder apply to the next film you open "
                "(the data folder after a restart); the answering model applies at once."
            ),
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _set_llm(self, value: str) -> None:
        index = self.llm.findData(value)
        if index >= 0:
            self.llm.setCurrentIndex(index)
        else:
            self.llm.setEditText(value)

    def _pick_gguf(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Answering model", "", "GGUF models (*.gguf)")
        if path:
            self.llm.setEditText(path)

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Data folder", self.data_folder.text())
        if folder:
            self.data_folder.setText(folder)

    def chosen_llm(self) -> str:
        text = self.llm.currentText().strip()
        index = self.llm.findText(text)
        return self.llm.itemData(index) if index >= 0 else text

    def settings(self) -> Settings:
        vision = self.vision.currentText().strip()
        llm = self.chosen_llm()
        return Settings(
            vision=None if vision in ("", "efficientnet-lite0") else vision,
            llm=None if llm in ("", "extractive") else llm,
            fps=float(self.fps.value()),
            data_folder=self.data_folder.text().strip() or None,
            speech_with_subtitles=self.speech.isChecked(),
        )


def _wrap(layout) -> QWidget:
    widget = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(layout)
    return widget


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("note")
    return label
