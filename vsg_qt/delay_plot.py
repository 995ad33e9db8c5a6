"""Per-chunk delay against time (QtCharts): one point per correlated chunk, so stepping (plateaus) and drift
(a slope) are visible at a glance. Rejected chunks are drawn hollow."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QChart, QChartView, QScatterSeries, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from vsg_core.pipeline import SourceReport

PALETTE = ("#1565c0", "#e65100", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457")


def chunk_delay(chunk: dict) -> float:
    raw = chunk.get("raw_delay_ms")
    return float(raw if raw is not None else chunk["delay_ms"])


class DelayPlot(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setMargins(QMargins(4, 4, 4, 4))
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.x_axis = QValueAxis()
        self.x_axis.setTitleText("Reference time (s)")
        self.x_axis.setLabelFormat("%.0f")
        self.y_axis = QValueAxis()
        self.y_axis.setTitleText("Chunk delay (ms)")
        self.y_axis.setLabelFormat("%.0f")
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self._points: dict[str, list[tuple[float, float, bool]]] = {}
        self.set_sources([])

    # ---------------------------------------------------------------- data
    def points(self, key: str | None = None) -> list[tuple[float, float, bool]]:
        """``(time s, delay ms, accepted)`` per chunk of ``key`` (all sources when None), in chunk order."""
        if key is not None:
            return list(self._points.get(key, []))
        return [p for pts in self._points.values() for p in pts]

    def series_point_count(self) -> int:
        """Points actually drawn (all series), to check the chart shows what :meth:`points` says."""
        return sum(s.count() for s in self.chart().series() if isinstance(s, QScatterSeries))

    def set_sources(self, sources: Sequence[SourceReport], title: str = "") -> None:
        chart = self.chart()
        chart.removeAllSeries()
        self._points = {}
        xs: list[float] = []
        ys: list[float] = []
        for n, src in enumerate(sources):
            colour = QColor(PALETTE[n % len(PALETTE)])
            pts = [(float(c["start_s"]), chunk_delay(c), bool(c.get("accepted", True))) for c in src.chunks]
            self._points[src.key] = pts
            acc = self._series(f"{src.key}", colour, filled=True)
            rej = self._series(f"{src.key} (rejected)", colour, filled=False)
            for t, d, ok in pts:
                (acc if ok else rej).append(QPointF(t, d))
                xs.append(t)
                ys.append(d)
            for s in (acc, rej):
                if s.count() or s is acc:
                    chart.addSeries(s)
                    s.attachAxis(self.x_axis)
                    s.attachAxis(self.y_axis)
                    s.hovered.connect(lambda p, state, key=src.key: self._hover(key, p, state))
        chart.setTitle(title or ("Per-chunk delay" if sources else "Per-chunk delay (no results yet)"))
        if xs:
            x0, x1 = min(xs), max(xs)
            pad = max(1.0, 0.05 * (x1 - x0))
            self.x_axis.setRange(max(0.0, x0 - pad), x1 + pad)
            y0, y1 = min(ys), max(ys)
            ypad = max(5.0, 0.1 * (y1 - y0))
            self.y_axis.setRange(y0 - ypad, y1 + ypad)
            for axis in (self.x_axis, self.y_axis):
                axis.applyNiceNumbers()
                if axis.tickCount() < 5:  # halve the nice interval: enough grid lines to read a step
                    axis.setTickCount(2 * axis.tickCount() - 1)
        else:
            self.x_axis.setRange(0, 1)
            self.y_axis.setRange(-1, 1)

    @staticmethod
    def _series(name: str, colour: QColor, filled: bool) -> QScatterSeries:
        s = QScatterSeries()
        s.setName(name)
        s.setMarkerSize(9.0 if filled else 8.0)
        s.setPen(QPen(colour, 1.5))
        s.setBrush(QBrush(colour) if filled else QBrush(Qt.BrushStyle.NoBrush))
        return s

    def _hover(self, key: str, p: QPointF, state: bool) -> None:
        if state:
            QToolTip.showText(QCursor.pos(), f"{key}: {p.y():+.1f} ms at {p.x():.1f} s")
