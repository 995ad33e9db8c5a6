"""Per-chunk delays against time (QtCharts), one small plot per source: each plot draws the chunks' deviation
from that source's own chosen delay, so a 0.5 ms/s drift is as readable next to a PAL source as alone, a
stepping source shows its plateaus with the segment boundaries as dashed lines (and, once a correction
spliced its audio, the splices as solid red lines), and rejected chunks are
hollow (drawn at the plot's edge when they lie outside the accepted chunks' range). No source with chunks:
no plot at all, just a line of text."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QPainter, QPen
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from vsg_core.pipeline import SourceReport

from .formatting import ms_text, segment_field

PALETTE = ("#1565c0", "#e65100", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457")
PLOT_HEIGHT = 150


def chunk_delay(chunk: dict) -> float:
    raw = chunk.get("raw_delay_ms")
    return float(raw if raw is not None else chunk["delay_ms"])


def chosen_delay(src: SourceReport) -> float | None:
    """The delay the deviations are measured from: the source's chosen delay in the chunks' terms, else the
    median of its accepted chunks (None without any)."""
    own = getattr(src, "chunk_delay_ms", None)
    if own is not None:
        return float(own)
    acc = [chunk_delay(c) for c in src.chunks if c.get("accepted", True)]
    return statistics.median(acc) if acc else None


def boundaries(src: SourceReport) -> list[float]:
    """Reference times (s) where one stepping segment ends and the next starts."""
    segs = list(getattr(src, "segments", ()) or ())
    out = []
    for seg in segs[1:]:
        t = segment_field(seg, "start_s")
        if t is not None:
            out.append(float(t))
    return out


def _label_format(span: float) -> str:
    return "%.0f" if span >= 20 else "%.1f" if span >= 2 else "%.2f"


class SourcePlot(QChartView):
    """One source's chunks: deviation (ms) from its chosen delay against reference time (s)."""

    def __init__(self, src: SourceReport, colour: QColor, parent: QWidget | None = None,
                 splices: Sequence[float] = ()) -> None:
        chart = QChart()
        chart.legend().setVisible(False)
        chart.setMargins(QMargins(2, 2, 2, 2))
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(PLOT_HEIGHT)
        self.setMinimumWidth(260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.key = src.key
        self.reference = chosen_delay(src)
        ref = self.reference or 0.0
        self.points = [(float(c["start_s"]), chunk_delay(c), bool(c.get("accepted", True))) for c in src.chunks]
        self.deviations = [(t, d - ref, ok) for t, d, ok in self.points]
        self.boundaries = boundaries(src)
        self.splices = [float(t) for t in splices]   # where the corrected track was spliced (reference s)
        chart.setTitle(f"{src.key}: deviation from {ms_text(self.reference, 1)}")
        chart.setToolTip(f"{src.key}: each chunk's delay minus the chosen delay ({ms_text(self.reference, 3)}); "
                         "dashed lines: segment boundaries; solid red lines: splices of the corrected track; "
                         "hollow: rejected chunks")
        self.x_axis = QValueAxis()
        self.x_axis.setTitleText("Reference time (s)")
        self.y_axis = QValueAxis()
        self.y_axis.setTitleText("ms")
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        acc = _scatter(colour, filled=True)
        rej = _scatter(colour, filled=False)
        xs = [t for t, _, _ in self.deviations] + self.splices or [0.0, 1.0]
        # the accepted chunks set the scale; a rejected outlier must not flatten them (it is drawn at the edge)
        ys = [d for _, d, ok in self.deviations if ok] or [d for _, d, _ in self.deviations] or [0.0]
        x0, x1 = min(xs), max(xs)
        xpad = max(1.0, 0.05 * (x1 - x0))
        y0, y1 = min(ys), max(ys)
        ypad = max(1.0, 0.1 * (y1 - y0))
        self.x_axis.setRange(max(0.0, x0 - xpad), x1 + xpad)
        self.y_axis.setRange(y0 - ypad, y1 + ypad)
        for axis in (self.x_axis, self.y_axis):
            axis.applyNiceNumbers()
            axis.setLabelFormat(_label_format(axis.max() - axis.min()))
        lo, hi = self.y_axis.min(), self.y_axis.max()
        for t, d, ok in self.deviations:
            (acc if ok else rej).append(QPointF(t, d if ok else min(hi, max(lo, d))))
        self.lines: list[QLineSeries] = []
        for b in self.boundaries:
            line = QLineSeries()
            pen = QPen(QColor("#757575"), 1.2, Qt.PenStyle.DashLine)
            line.setPen(pen)
            line.append(QPointF(b, self.y_axis.min()))
            line.append(QPointF(b, self.y_axis.max()))
            self.lines.append(line)
        self.splice_lines: list[QLineSeries] = []
        for b in self.splices:
            line = QLineSeries()
            line.setPen(QPen(QColor("#c62828"), 1.6, Qt.PenStyle.SolidLine))
            line.append(QPointF(b, self.y_axis.min()))
            line.append(QPointF(b, self.y_axis.max()))
            self.splice_lines.append(line)
        for s in (*self.lines, *self.splice_lines, acc, rej):
            if s is rej and not rej.count():
                continue
            chart.addSeries(s)
            s.attachAxis(self.x_axis)
            s.attachAxis(self.y_axis)
        for s in (acc, rej):
            s.hovered.connect(self._hover)

    def scatter_count(self) -> int:
        return sum(s.count() for s in self.chart().series() if isinstance(s, QScatterSeries))

    def _hover(self, p: QPointF, state: bool) -> None:
        if state:
            QToolTip.showText(QCursor.pos(), f"{self.key}: {p.y():+.1f} ms from the chosen delay at {p.x():.1f} s")


def _scatter(colour: QColor, filled: bool) -> QScatterSeries:
    s = QScatterSeries()
    s.setMarkerSize(8.0 if filled else 7.0)
    s.setPen(QPen(colour, 1.5))
    s.setBrush(QBrush(colour) if filled else QBrush(Qt.BrushStyle.NoBrush))
    return s


class DelayPlot(QScrollArea):
    """The plots of one job's sources, stacked (scrolls when they do not fit)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumHeight(120)
        self.plots: list[SourcePlot] = []
        self.empty_label = QLabel("No per-chunk results to plot yet.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.title = ""
        self.set_sources([])

    def set_sources(self, sources: Sequence[SourceReport], title: str = "",
                    splices: Mapping[str, Sequence[float]] | None = None) -> None:
        """``splices``: source key → reference times (s) where its corrected track was spliced."""
        self.title = title
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(0, 0, 0, 0)
        self.plots = []
        for n, src in enumerate(s for s in sources if s.chunks):
            plot = SourcePlot(src, QColor(PALETTE[n % len(PALETTE)]), splices=(splices or {}).get(src.key, ()))
            self.plots.append(plot)
            lay.addWidget(plot)
        if not self.plots:
            self.empty_label = QLabel("No per-chunk results to plot." if sources else
                                      "No per-chunk results to plot yet.")
            self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.empty_label.setWordWrap(True)
            lay.addWidget(self.empty_label)
        if not self.plots:
            lay.addStretch(1)
        self.setWidget(inner)

    # ---------------------------------------------------------------- read back (tests, tooltips)
    def plot_for(self, key: str) -> SourcePlot | None:
        return next((p for p in self.plots if p.key == key), None)

    def points(self, key: str | None = None) -> list[tuple[float, float, bool]]:
        """``(time s, chunk delay ms, accepted)`` per chunk of ``key`` (all sources when None)."""
        plots = self.plots if key is None else [p for p in self.plots if p.key == key]
        return [pt for p in plots for pt in p.points]

    def series_point_count(self) -> int:
        """Chunk markers actually drawn (all plots)."""
        return sum(p.scatter_count() for p in self.plots)
