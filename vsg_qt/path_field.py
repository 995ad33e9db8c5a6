"""A line edit with a Browse… button that also accepts a dropped file or folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

MEDIA_FILTER = "Media files (*.mkv *.mka *.mp4 *.m4v *.m2ts *.ts *.avi *.webm);;All files (*)"


class PathField(QWidget):
    """``mode`` is ``"file"``, ``"dir"`` or ``"any"`` (a file, or a folder for batch jobs)."""

    changed = Signal(str)

    def __init__(self, title: str, mode: str = "any", file_filter: str = MEDIA_FILTER,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.mode = mode
        self.file_filter = file_filter
        self.edit = QLineEdit()
        self.edit.setPlaceholderText({"dir": "Drop a folder here or browse…",
                                      "file": "Drop a file here or browse…"}.get(
            mode, "Drop a file (or a folder for a batch) here or browse…"))
        self.edit.textChanged.connect(self.changed)
        self.browse_btn = QPushButton("Browse…")
        self.browse_btn.clicked.connect(self.browse)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.browse_btn)
        self.setAcceptDrops(True)

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, value: str) -> None:
        self.edit.setText(value)

    def start_dir(self) -> str:
        t = self.text()
        if t:
            p = Path(t)
            return str(p if p.is_dir() else p.parent)
        return str(Path.home())

    def browse(self) -> None:
        if self.mode == "dir":
            chosen = QFileDialog.getExistingDirectory(self, self.title, self.start_dir())
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, self.title, self.start_dir(), self.file_filter)
        if chosen:
            self.setText(chosen)

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        urls = [u for u in e.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.setText(urls[0].toLocalFile())
            e.acceptProposedAction()
