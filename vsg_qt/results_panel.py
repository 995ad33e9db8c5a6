"""Results of the finished jobs: one row per source (delay, confidence, chunks, diagnosis, rate) with its
stepping segments as child rows (span, delay and, once a correction ran, what it did to each), a one-line
summary whose status is red for anything but Merged/Analyzed, and one small deviation plot per source."""

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
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vsg_core.pipeline import SourceReport

from .delay_plot import DelayPlot
from .formatting import (
    DRIFT_KINDS,
    RED,
    clock_text,
    diagnosis_colour,
    diagnosis_text,
    ms_text,
    pct_text,
    rate_text,
    segment_extra,
    segment_field,
    span_text,
    status_colour,
)
from .queue_model import job_title

COLUMNS = ("Source", "Delay", "Confidence", "Chunks", "Diagnosis / span", "Rate / details")
MIN_WIDTHS = (96, 70, 80, 56, 96, 110)


def source_segments(s: SourceReport) -> list:
    """The segments to show: the corrected ones when the result carries them, else the diagnosis's."""
    return list(getattr(s, "corrected_segments", None) or getattr(s, "segments", ()) or ())


def source_row(s: SourceReport) -> list[str]:
    segs = source_segments(s)
    if s.diagnosis in DRIFT_KINDS:
        rate = rate_text(s.drift_ms_per_s)
    elif segs:
        rate = f"{len(segs)} segments"
    else:
        rate = ""
    return [s.key, ms_text(s.delay_ms), pct_text(s.mean_match_pct), f"{s.accepted_chunks}/{s.total_chunks}",
            diagnosis_text(s.diagnosis), rate]


def source_corrections(result, key: str) -> list[dict]:
    """The audio corrections the job ran on ``key``'s tracks (``JobResult.corrections``)."""
    return [c for c in (getattr(result, "corrections", None) or []) if isinstance(c, dict) and c.get("source") == key]


def correction_rows(c: dict) -> list[list[str]]:
    """One heading row per corrected track (kind, method, QA) and one row per segment of its edit: kept
    stretches with their reference span and delay, removed and filled stretches with their length."""
    qa = c.get("qa") or {}
    qa_text = f"QA {qa.get('accepted')}/{qa.get('total')}" if qa else ""
    state = "applied" if c.get("applied") else "not applied"
    note = "; ".join(p for p in (f"{c.get('method', '')} {state}".strip(), qa.get("reason", ""), c.get("note", ""))
                     if p)
    rows = [[f"Corrected track {c.get('track_id')}", ms_text(c.get("align_ms")), "", qa_text,
             diagnosis_text(str(c.get("kind", ""))), note]]
    kept = 0
    for seg in c.get("segments") or ():
        action = str(seg.get("action", ""))
        if action == "kept":
            kept += 1
            rows.append([f"  Kept {kept}", ms_text(seg.get("delay_ms")), "", "",
                         span_text(seg.get("reference_start_s"), seg.get("reference_end_s")),
                         f"source {span_text(seg.get('target_start_s'), seg.get('target_end_s'))}"])
        else:
            at = seg.get("reference_start_s", seg.get("target_start_s"))
            where = "reference" if "reference_start_s" in seg else "source"
            extra = "; ".join(f"{k}: {v}" for k, v in (("snap", seg.get("snap")), ("fill", seg.get("fill")))
                              if v)
            rows.append([f"  {action.capitalize()}", "", "", "",
                         f"{ms_text(seg.get('duration_ms'), 1).removeprefix('+')} at {where} {clock_text(at)}",
                         extra])
    return rows


def correction_boundaries(c: dict) -> list[float]:
    """Reference times (s) of the splices of a corrected stepping track: where each kept stretch after the
    first starts."""
    kept = [seg for seg in c.get("segments") or () if seg.get("action") == "kept"]
    return [float(seg["reference_start_s"]) for seg in kept[1:] if seg.get("reference_start_s") is not None]


def segment_rows(s: SourceReport) -> list[list[str]]:
    rows = []
    for n, seg in enumerate(source_segments(s), start=1):
        start, end = segment_field(seg, "start_s"), segment_field(seg, "end_s")
        chunks = [c for c in s.chunks if c.get("accepted", True) and start is not None and end is not None
                  and start <= float(c["start_s"]) < end]
        rows.append([f"Segment {n}", ms_text(segment_field(seg, "delay_ms")), "",
                     f"{len(chunks)}" if chunks else "", span_text(start, end), segment_extra(seg)])
    return rows


class ResultsPanel(QWidget):
    COLUMNS = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results: list = []  # JobResult, in finishing order
        self.job_combo = QComboBox()
        self.job_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.job_combo.setMinimumContentsLength(20)
        self.job_combo.currentIndexChanged.connect(self._show_index)
        # a small read-only text box, not a word-wrapped label: no height-for-width in a scrolling window
        self.summary = QTextBrowser()
        self.summary.setOpenLinks(False)
        self.summary.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.summary.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.summary.setFixedHeight(2 * self.fontMetrics().lineSpacing() + 8)
        self.summary.viewport().setAutoFillBackground(False)
        self.summary.setText("No job has run yet.")
        self.summary_html = ""
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        hh = self.tree.header()
        hh.setStretchLastSection(True)
        hh.setMinimumSectionSize(48)
        fm = hh.fontMetrics()
        self.min_widths = [max(w, fm.horizontalAdvance(COLUMNS[col]) + 24) for col, w in enumerate(MIN_WIDTHS)]
        for col, w in enumerate(self.min_widths):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            hh.resizeSection(col, w)
        self.plot = DelayPlot()
        self.plot.setMinimumWidth(280)

        top = QHBoxLayout()
        top.addWidget(QLabel("Job:"))
        top.addWidget(self.job_combo, 1)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addLayout(top)
        lv.addWidget(self.tree, 1)
        lv.addWidget(self.summary)
        left.setMinimumWidth(300)
        self.splitter = split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.plot)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
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
        self.tree.clear()
        self.plot.set_sources([])
        self.summary.setText("Running…")
        self.summary_html = ""

    def add_result(self, result) -> None:
        self.results.append(result)
        self.job_combo.addItem(f"{job_title(result)} — {result.status}")
        i = len(self.results) - 1
        self.job_combo.setItemData(i, f"{result.reference}\n{result.status}", Qt.ItemDataRole.ToolTipRole)
        self.job_combo.setCurrentIndex(i)
        self._show_index(i)

    def current(self):
        i = self.job_combo.currentIndex()
        return self.results[i] if 0 <= i < len(self.results) else None

    def source_items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def shown_delays(self) -> dict[str, str]:
        """Source → the delay text in the table (what the user reads)."""
        return {it.text(0): it.text(1) for it in self.source_items()}

    def shown_segments(self, key: str) -> list[list[str]]:
        """The child rows (segments) under ``key``'s row, as the texts of their columns."""
        for it in self.source_items():
            if it.text(0) == key:
                return [[it.child(i).text(c) for c in range(len(COLUMNS))] for i in range(it.childCount())]
        return []

    # ---------------------------------------------------------------- display
    def _show_index(self, i: int) -> None:
        if not 0 <= i < len(self.results):
            return
        r = self.results[i]
        self.tree.clear()
        for s in r.sources:
            item = QTreeWidgetItem(source_row(s))
            for col in (1, 2, 3):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            colour = diagnosis_colour(s.diagnosis)
            if colour:
                item.setForeground(4, QColor(colour))
            tip = [f"{s.key}: {s.path}"]
            if s.raw_delay_ms is not None:
                tip.append(f"raw delay {s.raw_delay_ms:+.3f} ms")
            if s.drift_ms_per_s is not None and s.diagnosis in DRIFT_KINDS:
                tip.append(f"drift {rate_text(s.drift_ms_per_s)}")
            for col in range(len(COLUMNS)):
                item.setToolTip(col, "\n".join(tip) if col == 0 else item.text(col))
            for row in segment_rows(s):
                child = QTreeWidgetItem(row)
                for col in (1, 3):
                    child.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                for col in range(len(COLUMNS)):
                    child.setToolTip(col, child.text(col))
                item.addChild(child)
            for c in source_corrections(r, s.key):
                for n, row in enumerate(correction_rows(c)):
                    child = QTreeWidgetItem(row)
                    child.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if n == 0:
                        child.setForeground(0, QColor("#2e7d32" if c.get("applied") else "#c62828"))
                    for col in range(len(COLUMNS)):
                        child.setToolTip(col, child.text(col))
                    item.addChild(child)
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
        self.plot.set_sources(r.sources, title=job_title(r), splices={
            s.key: [b for c in source_corrections(r, s.key) if c.get("applied") for b in correction_boundaries(c)]
            for s in r.sources})
        self.summary_html = self._summary(r)
        self.summary.setHtml(self.summary_html)
        for col in range(len(COLUMNS) - 1):
            self.tree.resizeColumnToContents(col)
            self.tree.setColumnWidth(col, max(self.min_widths[col], self.tree.columnWidth(col)))

    @staticmethod
    def _summary(r) -> str:
        colour = status_colour(r.status)
        status = html.escape(r.status)
        parts = [f"<b style='color:{colour}'>{status}</b>" if colour else f"<b>{status}</b>"]
        if r.error:
            parts.append(f"<span style='color:{RED}'>{html.escape(r.error)}</span>")
        if r.global_shift_ms:
            parts.append(f"global shift +{r.global_shift_ms} ms")
        if r.output:
            parts.append(f"output: {html.escape(str(r.output))}")
        if r.warnings:
            n = len(r.warnings)
            parts.append(f"<span style='color:#b26a00'>{n} warning{'s' if n != 1 else ''}: "
                         f"{html.escape(r.warnings[0])}{' …' if n > 1 else ''}</span>")
        if r.log_path and not r.output:
            parts.append(f"log: {html.escape(str(r.log_path))}")
        for c in getattr(r, "corrections", None) or []:
            if isinstance(c, dict):
                what = f"{c.get('source')} track {c.get('track_id')}: {diagnosis_text(str(c.get('kind', '')))}"
                text = f"corrected {what}" if c.get("applied") else f"not corrected {what}"
                parts.append(html.escape(text) if c.get("applied") else
                             f"<span style='color:{RED}'>{html.escape(text)}</span>")
        audit = r.audit
        if audit is not None:
            measured = [abs(x.residual_ms) for x in audit.residuals if x.residual_ms is not None]
            worst = max(measured, default=None)
            if not audit.ok:
                parts.append(f"<span style='color:{RED}'>audit failed: {html.escape(audit.issues[0])}</span>")
            elif worst is not None:
                parts.append(f"audit: largest residual {worst:.2f} ms")
        return " · ".join(parts)
