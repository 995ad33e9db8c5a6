"""Add Job(s) to the queue (docs/pipeline.md#desktop-app): source rows (files → one job, folders → a batch), job
discovery."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from vsg_core.errors import VsgError
from vsg_core.jobs.discovery import JobSpec, discover_jobs

from .messages import show_message
from .path_field import PathField


class AddJobDialog(QDialog):
    def __init__(self, initial: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add Job(s) to Queue")
        self.setMinimumSize(700, 300)
        self.jobs: list[JobSpec] = []
        self.fields: list[PathField] = []
        inner = QWidget()
        self.form = QFormLayout(inner)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.more_btn = QPushButton("Add Another Source")
        self.more_btn.clicked.connect(lambda: self.add_row())
        sb = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(sb.Ok | sb.Cancel)
        self.buttons.button(sb.Ok).setText("Find && Add Jobs")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Files make one job; folders make one job per file of the Source 1 folder, "
                             "matched by file name in the other folders."))
        lay.addWidget(scroll, 1)
        lay.addWidget(self.more_btn)
        lay.addWidget(self.buttons)
        for _ in range(max(2, len(initial))):
            self.add_row()
        for f, path in zip(self.fields, initial, strict=False):
            f.setText(path)

    def add_row(self, path: str = "") -> PathField:
        n = len(self.fields) + 1
        label = "Source 1 (Reference):" if n == 1 else f"Source {n}:"
        f = PathField(label.rstrip(":"))
        f.setText(path)
        self.form.addRow(label, f)
        self.fields.append(f)
        return f

    def sources(self) -> dict[str, str]:
        return {f"Source {i + 1}": f.text() for i, f in enumerate(self.fields) if f.text()}

    def accept(self) -> None:
        sources = self.sources()
        if "Source 1" not in sources:
            show_message(self, "warning", "Input Required", "Source 1 (the reference) is required.")
            return
        try:
            jobs = discover_jobs(sources)
        except VsgError as e:
            show_message(self, "warning", "Error Discovering Jobs", str(e))
            return
        if not jobs:
            show_message(self, "info", "No Jobs Found",
                         "No .mkv/.mp4/.m4v files were found in the Source 1 folder.")
            return
        self.jobs = jobs
        super().accept()
