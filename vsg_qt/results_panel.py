"""Results of the finished jobs: per source delay, confidence and diagnosis, and the per-chunk delay plot."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vsg_core.pipeline import SourceReport

from .delay_plot import DelayPlot
from .queue_model import delay_text, job_title

DIAGNOSIS_TEXT = {
    "UNIFORM": "Uniform",
    "STEPPING": "Stepping",
    "PAL_DRIFT": "PAL speed-up",
    "LINEAR_DRIFT": "Linear drift",
    "INSUFFICIENT_DATA": "Insufficient data",
}
DIAGNOSIS_COLOUR = {"STEPPING": "#b26a00", "PAL_DRIFT": "#b26a00", "LINEAR_DRIFT": "#b26a00",
                    "INSUFFICIENT_DATA": "#c62828"}


def confidence_text(s: SourceReport) -> str:
    return "—" if s.mean_match_pct is None else f"{s.mean_match_pct:.1f} %"


def source_row(s: SourceReport) -> list[str]:
    raw = "—" if s.raw_delay_ms is None else f"{s.raw_delay_ms:+.3f} ms"
    drift = "" if not s.drift_ms_per_s else f"{s.drift_ms_per_s:+.3f} ms/s"
    return [s.key, delay_text(s.delay_ms), raw, confidence_text(s), f"{s.accepted_chunks}/{s.total_chunks}",
            DIAGNOSIS_TEXT.get(s.diagnosis, s.diagnosis), drift]


class ResultsPanel(QWidget):
    COLUMNS = ("Source", "Delay", "Raw delay", "Confidence", "Chunks", "Diagnosis", "Drift")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results: list = []  # JobResult, in finishing order
        self.job_combo = QComboBox()
        self.job_combo.currentIndexChanged.connect(self._show_index)
        self.summary = QLabel("No job has run yet.")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.plot = DelayPlot()
        self.plot.setMinimumWidth(380)

        top = QHBoxLayout()
        top.addWidget(QLabel("Job:"))
        top.addWidget(self.job_combo, 1)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addLayout(top)
        lv.addWidget(self.table, 1)
        lv.addWidget(self.summary)
        self.splitter = split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.plot)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([560, 560])
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)

    # ---------------------------------------------------------------- API
    def clear(self) -> None:
        self.results = []
        self.job_combo.blockSignals(True)
        self.job_combo.clear()
        self.job_combo.blockSignals(False)
        self.table.setRowCount(0)
        self.plot.set_sources([])
        self.summary.setText("Running…")

    def add_result(self, result) -> None:
        self.results.append(result)
        self.job_combo.addItem(f"{job_title(result)} — {result.status}")
        self.job_combo.setCurrentIndex(len(self.results) - 1)
        self._show_index(len(self.results) - 1)

    def current(self):
        i = self.job_combo.currentIndex()
        return self.results[i] if 0 <= i < len(self.results) else None

    def shown_delays(self) -> dict[str, str]:
        """Source → the delay text in the table (what the user reads)."""
        t = self.table
        return {t.item(r, 0).text(): t.item(r, 1).text() for r in range(t.rowCount())}

    # ---------------------------------------------------------------- display
    def _show_index(self, i: int) -> None:
        if not 0 <= i < len(self.results):
            return
        r = self.results[i]
        self.table.setRowCount(len(r.sources))
        for row, s in enumerate(r.sources):
            for col, text in enumerate(source_row(s)):
                item = QTableWidgetItem(text)
                if col in (1, 2, 3, 4, 6):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if col == 5 and s.diagnosis in DIAGNOSIS_COLOUR:
                    item.setForeground(QColor(DIAGNOSIS_COLOUR[s.diagnosis]))
                self.table.setItem(row, col, item)
        self.plot.set_sources(r.sources, title=f"Per-chunk delay — {job_title(r)}")
        self.summary.setText(self._summary(r))

    @staticmethod
    def _summary(r) -> str:
        parts = [f"<b>{r.status}</b>"]
        if r.global_shift_ms:
            parts.append(f"global shift +{r.global_shift_ms} ms")
        if r.output:
            parts.append(f"output: {html.escape(str(r.output))}")
        if r.error:
            parts.append(f"<span style='color:#c62828'>{html.escape(r.error)}</span>")
        if r.warnings:
            parts.append(f"{len(r.warnings)} warning(s)")
        if r.log_path and not r.output:
            parts.append(f"log: {html.escape(str(r.log_path))}")
        if r.audit is not None and r.audit.residuals:
            measured = [abs(x.residual_ms) for x in r.audit.residuals if x.residual_ms is not None]
            worst = max(measured, default=None)
            if worst is not None:
                parts.append(f"audit: largest residual {worst:.2f} ms")
        return " · ".join(parts)
