"""Batch completion summary (docs/pipeline.md#desktop-app, as one dialog instead of message boxes): counts, one row per
job, and the jobs that need a look (stepping, drift, failures)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vsg_core.pipeline import CANCELLED

from .formatting import DRIFT_KINDS, diagnosis_text, status_colour, status_ok
from .queue_model import delay_text, job_title


@dataclass
class BatchCounts:
    successful: int = 0
    with_warnings: int = 0
    failed: int = 0
    cancelled: int = 0
    stepping: list[str] = field(default_factory=list)   # "<job> - Sources: Source 2, …"
    drift: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.successful + self.with_warnings + self.failed + self.cancelled


def count(results: Sequence) -> BatchCounts:
    c = BatchCounts()
    for r in results:
        if r.status == CANCELLED:
            c.cancelled += 1
        elif not status_ok(r.status):   # Failed, an audit that failed, any status that is not a success
            c.failed += 1
        elif r.warnings or (r.audit is not None and not r.audit.ok):
            c.with_warnings += 1
        else:
            c.successful += 1
        stepping = [s.key for s in r.sources if s.diagnosis == "STEPPING"]
        drift = [s.key for s in r.sources if s.diagnosis in DRIFT_KINDS]
        if stepping:
            c.stepping.append(f"{job_title(r)} - Sources: {', '.join(stepping)}")
        if drift:
            c.drift.append(f"{job_title(r)} - Sources: {', '.join(drift)}")
    return c


def summary_lines(results: Sequence) -> list[str]:
    """The log block written when a batch ends."""
    c = count(results)
    lines = ["", "--- Batch Summary ---", f"  - Successful jobs: {c.successful}",
             f"  - Jobs with warnings: {c.with_warnings}", f"  - Failed jobs: {c.failed}"]
    if c.cancelled:
        lines.append(f"  - Cancelled jobs: {c.cancelled}")
    if c.stepping:
        lines.append(f"  Jobs with Stepping Detected ({len(c.stepping)}):")
        lines += [f"  - {s}" for s in c.stepping]
    if c.drift:
        lines.append(f"  Jobs with Drift Detected ({len(c.drift)}):")
        lines += [f"  - {s}" for s in c.drift]
    return lines


def needs_review(r) -> bool:
    """A job the user should look at: not a success, warnings, a failed audit, stepping or drift."""
    return (not status_ok(r.status) or bool(r.warnings) or (r.audit is not None and not r.audit.ok)
            or any(s.diagnosis in ("STEPPING", *DRIFT_KINDS) for s in r.sources))


def review_lines(c: BatchCounts, results: Sequence = ()) -> list[str]:
    lines = []
    for r in results:
        if not status_ok(r.status) and r.status != CANCELLED:
            lines.append(f"{job_title(r)}: {r.status} — {r.error or 'see the log'}")
        if r.audit is not None and not r.audit.ok:
            lines += [f"{job_title(r)}: audit: {issue}" for issue in r.audit.issues]
        lines += [f"{job_title(r)}: {w}" for w in r.warnings
                  if r.audit is None or w not in r.audit.issues]
    if c.stepping:
        lines.append(f"Stepping detected ({len(c.stepping)}):")
        lines += [f"  • {s}" for s in c.stepping]
    if c.drift:
        lines.append(f"Drift detected ({len(c.drift)}):")
        lines += [f"  • {s}" for s in c.drift]
    return lines


def headline(results: Sequence) -> str:
    c = count(results)
    n = len(results)
    if n == 1:
        r = results[0]
        if not status_ok(r.status):
            return f"{job_title(r)}: {r.status}" + (f" — {r.error}" if r.error else "")
        if c.with_warnings or c.stepping or c.drift:
            return f"{job_title(r)}: {r.status}; check the points below."
        return f"{job_title(r)}: {r.status}."
    if c.failed:
        return f"Finished processing {n} job(s) with {c.failed} failure(s)."
    if c.cancelled:
        return f"The batch was cancelled: {n - c.cancelled} of {n} job(s) finished."
    if c.stepping or c.drift:
        return f"Finished processing {n} job(s). Some need review (stepping or drift)."
    if c.with_warnings:
        return f"Finished processing {n} job(s) with warnings."
    return f"All {n} job(s) finished successfully."


class BatchSummaryDialog(QDialog):
    COLUMNS = ("Job", "Status", "Delays", "Diagnosis", "Output / error")

    def __init__(self, results: Sequence, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Batch Complete" if len(results) > 1 else "Job Review")
        self.setMinimumSize(640, 360)
        self.resize(900, 460)
        self.results = list(results)
        c = count(self.results)
        self.counts = c
        title = QLabel(f"<b>{html.escape(headline(self.results))}</b>")
        title.setWordWrap(True)
        counts = QLabel(f"Successful: {c.successful} · With warnings: {c.with_warnings} · Failed: {c.failed}"
                        + (f" · Cancelled: {c.cancelled}" if c.cancelled else ""))
        self.table = QTableWidget(len(self.results), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, r in enumerate(self.results):
            delays = ", ".join(f"{s.key[7:]}: {delay_text(s.delay_ms)}" for s in r.sources) or "—"
            diag = ", ".join(sorted({diagnosis_text(s.diagnosis) for s in r.sources})) or "—"
            detail = str(r.output) if r.output else (r.error or (f"log: {r.log_path}" if r.log_path else ""))
            if r.warnings:
                detail += f"  ({len(r.warnings)} warning(s))"
            for col, text in enumerate((job_title(r), r.status, delays, diag, detail)):
                item = QTableWidgetItem(text)
                colour = status_colour(r.status)
                if col == 1 and colour:
                    item.setForeground(QColor(colour))
                item.setToolTip(text)
                if col == 4 and r.warnings:
                    item.setToolTip("\n".join(r.warnings))
                self.table.setItem(row, col, item)
        self.notes = notes = QPlainTextEdit("\n".join(review_lines(c, self.results)) or "Nothing to review.")
        notes.setReadOnly(True)
        notes.setMaximumHeight(140)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(counts)
        lay.addWidget(self.table, 1)
        lay.addWidget(QLabel("Review:"))
        lay.addWidget(notes)
        lay.addWidget(buttons, alignment=Qt.AlignmentFlag.AlignRight)
