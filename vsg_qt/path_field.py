"""A line edit with a Browse… button that also accepts a dropped file or folder and, when given a check,
checks its path as it is filled: a line under the field shows what was found (e.g. the tracks ``mkvmerge -J``
lists) or, in red, why the path cannot be used. Checks that run external programs run in the thread pool."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from .elided_label import ElidedLabel
from .formatting import RED
from .source_check import EMPTY, INVALID, PENDING, VALID, Check

MEDIA_FILTER = "Media files (*.mkv *.mka *.mp4 *.m4v *.m2ts *.ts *.avi *.webm);;All files (*)"
DEBOUNCE_MS = 250


class _CheckSignals(QObject):
    done = Signal(int, object)  # generation, Check


class _CheckTask(QRunnable):
    def __init__(self, fn: Callable[[str], Check], text: str, gen: int, signals: _CheckSignals) -> None:
        super().__init__()
        self.fn, self.text, self.gen, self.signals = fn, text, gen, signals

    def run(self) -> None:
        try:
            result = self.fn(self.text)
        except Exception as e:  # a check must never take the app down; show why instead
            result = Check(INVALID, f"could not be checked: {e}")
        try:
            self.signals.done.emit(self.gen, result)
        except RuntimeError:  # the window was closed meanwhile
            pass


class PathField(QWidget):
    """``mode`` is ``"file"``, ``"dir"`` or ``"any"`` (a file, or a folder for batch jobs)."""

    changed = Signal(str)
    checked = Signal(object)   # Check, whenever the state changes

    def __init__(self, title: str, mode: str = "any", file_filter: str = MEDIA_FILTER,
                 parent: QWidget | None = None, check: Callable[[str], Check] | None = None,
                 background: bool = True) -> None:
        super().__init__(parent)
        self.title = title
        self.mode = mode
        self.file_filter = file_filter
        self.check_fn = check
        self.background = background
        self.state = Check(EMPTY)
        self._gen = 0
        self._signals = _CheckSignals()
        self._signals.done.connect(self._check_done)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._run_check)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText({"dir": "Drop a folder here or browse…",
                                      "file": "Drop a file here or browse…"}.get(
            mode, "Drop a file (or a folder for a batch) here or browse…"))
        self.edit.textChanged.connect(self.changed)
        self.edit.textChanged.connect(self._text_changed)
        self.browse_btn = QPushButton("Browse…")
        self.browse_btn.clicked.connect(self.browse)
        self.status = ElidedLabel("")
        self.status.setVisible(False)
        self.status.setStyleSheet("color: #616161")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.browse_btn)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(1)
        lay.addLayout(row)
        lay.addWidget(self.status)
        self.setAcceptDrops(True)

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, value: str) -> None:
        self.edit.setText(value)

    # ---------------------------------------------------------------- checking
    def _text_changed(self, _t: str) -> None:
        if self.check_fn is None:
            return
        self._gen += 1
        if not self.text():
            self._timer.stop()
            self._apply(Check(EMPTY))
            return
        if not self.background:   # a quick check (no external program): at once
            self._check_done(self._gen, self.check_fn(self.text()))
            return
        self._apply(Check(PENDING, "checking…"))
        self._timer.start()

    def recheck(self) -> None:
        """Check the current text again now (e.g. the file was replaced)."""
        if self.check_fn is None:
            return
        self._gen += 1
        self._timer.stop()
        if not self.text():
            self._apply(Check(EMPTY))
            return
        self._apply(Check(PENDING, "checking…"))
        self._run_check()

    def _run_check(self) -> None:
        if self.check_fn is None:
            return
        if self.background:
            QThreadPool.globalInstance().start(_CheckTask(self.check_fn, self.text(), self._gen, self._signals))
        else:
            self._check_done(self._gen, self.check_fn(self.text()))

    def _check_done(self, gen: int, result: Check) -> None:
        if gen == self._gen:
            self._apply(result)

    def _apply(self, result: Check) -> None:
        self.state = result
        colour = {INVALID: RED, VALID: "#2e7d32"}.get(result.state, "#616161")
        self.status.setText(result.text)
        self.status.setStyleSheet(f"color: {colour}")
        self.status.setVisible(bool(result.text))
        self.edit.setStyleSheet(f"QLineEdit {{ border: 1px solid {RED}; }}" if result.state == INVALID else "")
        self.edit.setToolTip(result.text if result.state == INVALID else self.text())
        self.checked.emit(result)

    @property
    def is_valid(self) -> bool:
        return self.state.state == VALID

    @property
    def is_pending(self) -> bool:
        return self.state.state == PENDING

    # ---------------------------------------------------------------- input
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
