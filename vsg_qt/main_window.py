"""The main window: sources, output folder, actions, live log and progress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QThreadPool, Slot
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from . import jobs
from .worker import JobWorker

MEDIA_FILTER = "Media files (*.mkv *.mka *.mp4 *.m4v *.m2ts *.ts *.avi *.webm);;All files (*)"


class PathField(QWidget):
    """A line edit with a Browse button that accepts a dropped file or folder."""

    def __init__(self, label: str, folder: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.label = label
        self.edit = QLineEdit()
        what = "folder" if folder else "file"
        self.edit.setPlaceholderText(f"Drop a {what} here or browse…")
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._browse)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.browse)
        self.setAcceptDrops(True)

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, value: str) -> None:
        self.edit.setText(value)

    def _browse(self) -> None:
        start = self.text() or str(Path.home())
        if self.folder:
            chosen = QFileDialog.getExistingDirectory(self, self.label, start)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, self.label, start, MEDIA_FILTER)
        if chosen:
            self.setText(chosen)

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        urls = e.mimeData().urls()
        if urls:
            self.setText(urls[0].toLocalFile())


class MainWindow(QMainWindow):
    MAX_OTHERS = 4

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setWindowTitle("vsg — Video Sync GUI")
        self.settings = settings or QSettings("vsg", "vsg")
        self.pool = QThreadPool.globalInstance()
        self.worker: JobWorker | None = None
        self.last_result: Any = None

        central = QWidget()
        root = QVBoxLayout(central)

        src_box = QGroupBox("Sources")
        form = QFormLayout(src_box)
        self.ref_field = PathField("Reference (Source 1)")
        form.addRow("Reference (Source 1):", self.ref_field)
        self.other_fields: list[PathField] = []
        for i in range(self.MAX_OTHERS):
            f = PathField(f"Source {i + 2}")
            self.other_fields.append(f)
            form.addRow(f"Source {i + 2}:", f)
        self.out_field = PathField("Output folder", folder=True)
        form.addRow("Output folder:", self.out_field)
        root.addWidget(src_box)

        actions = QHBoxLayout()
        self.analyze_btn = QPushButton("Analyze Only")
        self.analyze_btn.clicked.connect(self.start_analysis)
        self.archive_box = QCheckBox("Archive logs after batch")
        actions.addWidget(self.analyze_btn)
        actions.addStretch(1)
        actions.addWidget(self.archive_box)
        root.addLayout(actions)

        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        root.addWidget(self.progress)

        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.log_view.setFont(mono)
        root.addWidget(self.log_view, 1)

        self.setCentralWidget(central)
        self.statusBar().showMessage("Ready")
        self.resize(900, 700)
        self._load_settings()

    # ---------------------------------------------------------------- settings
    def _load_settings(self) -> None:
        self.ref_field.setText(str(self.settings.value("paths/ref", "")))
        for i, f in enumerate(self.other_fields):
            f.setText(str(self.settings.value(f"paths/source{i + 2}", "")))
        self.out_field.setText(str(self.settings.value("paths/output", str(Path.home() / "vsg_output"))))
        self.archive_box.setChecked(self.settings.value("ui/archive_logs", False, type=bool))

    def save_settings(self) -> None:
        self.settings.setValue("paths/ref", self.ref_field.text())
        for i, f in enumerate(self.other_fields):
            self.settings.setValue(f"paths/source{i + 2}", f.text())
        self.settings.setValue("paths/output", self.out_field.text())
        self.settings.setValue("ui/archive_logs", self.archive_box.isChecked())
        self.settings.sync()

    def closeEvent(self, e: Any) -> None:
        self.save_settings()
        super().closeEvent(e)

    # ---------------------------------------------------------------- jobs
    def sources(self) -> tuple[str, list[str]]:
        return self.ref_field.text(), [f.text() for f in self.other_fields if f.text()]

    def is_running(self) -> bool:
        return self.worker is not None

    @Slot()
    def start_analysis(self) -> None:
        ref, others = self.sources()
        problem = jobs.validate_sources(ref, others)
        if problem:
            QMessageBox.warning(self, "vsg", problem)
            return
        self.save_settings()
        self._start(jobs.analysis_job(ref, others), "Analyzing…")

    def _start(self, job: jobs.JobFn, status: str) -> None:
        self.log_view.clear()
        self.progress.setValue(0)
        self.last_result = None
        self.worker = JobWorker(job)
        self.worker.signals.log.connect(self._append_log, Qt.ConnectionType.QueuedConnection)
        self.worker.signals.progress.connect(self._set_progress, Qt.ConnectionType.QueuedConnection)
        self.worker.signals.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        self.worker.signals.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.analyze_btn.setEnabled(False)
        self.statusBar().showMessage(status)
        self.pool.start(self.worker)

    @Slot(str)
    def _append_log(self, line: str) -> None:
        self.log_view.appendPlainText(line)
        sb = self.log_view.verticalScrollBar()
        sb.setValue(sb.maximum())

    @Slot(float)
    def _set_progress(self, fraction: float) -> None:
        """Job progress arrives as a fraction 0.0–1.0 (the pipeline's convention)."""
        self.progress.setValue(round(100.0 * max(0.0, min(1.0, fraction))))

    @Slot(object)
    def _finished(self, result: Any) -> None:
        self.last_result = result
        self.progress.setValue(100)
        self.statusBar().showMessage(jobs.summarise(result))
        self._done()

    @Slot(str)
    def _failed(self, message: str) -> None:
        self.statusBar().showMessage(f"Failed: {message}")
        self._done()

    def _done(self) -> None:
        self.worker = None
        self.analyze_btn.setEnabled(True)
