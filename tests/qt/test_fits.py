"""The desktop app fits a laptop screen: at 1366×768 and 1024×640 the main window needs no scrolling, column
headers and queue columns are not cut, long status text is elided with the full text as tooltip, plot tick
labels are distinct, and no log line shows a symbol the fonts lack."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from vsg_core.jobs.discovery import JobSpec
from vsg_core.pipeline import SourceReport
from vsg_qt.delay_plot import SourcePlot
from vsg_qt.queue_model import JobState, QueuedJob


@pytest.mark.parametrize("size", [(1366, 768), (1024, 640)])
def test_main_window_fits_without_scrolling(qtbot, window, size: tuple[int, int]) -> None:
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0])
    QApplication.processEvents()
    assert window.scroll.verticalScrollBar().maximum() == 0
    assert window.scroll.horizontalScrollBar().maximum() == 0
    header = window.results.tree.header()
    fm = header.fontMetrics()
    for col in range(header.count() - 1):
        text = window.results.tree.headerItem().text(col)
        assert header.sectionSize(col) >= fm.horizontalAdvance(text) + 8, text


def test_default_size_fits_the_screen(qtbot, window) -> None:
    avail = window.screen().availableGeometry()
    assert window.width() <= avail.width() and window.height() <= avail.height()


def test_long_status_is_elided_with_a_tooltip(qtbot, window) -> None:
    window.resize(1024, 640)
    long = "Failed: " + "a very long reason " * 30
    window._set_status(long)
    QApplication.processEvents()
    assert window.status_label.is_elided() and window.status_label.toolTip() == long


def test_queue_columns_show_their_text(qtbot, window, tmp_path: Path) -> None:
    window.resize(1024, 640)
    queue = window.open_queue()
    queue.resize(760, 420)                       # its minimum, smaller than the screen
    job = QueuedJob(JobSpec({"Source 1": tmp_path / "e1.mkv"}))
    job.state, job.layout_note = JobState.CANCELLED, "Copied from #12"
    window.queue_model.add([job])
    QApplication.processEvents()
    for col in (1, 2):
        need = queue.table.sizeHintForColumn(col)
        assert queue.table.columnWidth(col) >= need, (col, queue.table.columnWidth(col), need)
    queue.close()


def test_small_deviation_ranges_get_distinct_tick_labels(qtbot) -> None:
    chunks = tuple({"start_s": 20.0 * i, "delay_ms": 40, "raw_delay_ms": 40.0 + 0.1 * (i % 3), "accepted": True}
                   for i in range(8))
    src = SourceReport("Source 2", Path("/m/b.mkv"), 40, 40.1, "UNIFORM", 0.0, 8, 8, 90.0, chunks)
    plot = SourcePlot(src, QColor("#1565c0"))
    qtbot.addWidget(plot)
    ax = plot.y_axis
    n = ax.tickCount()
    labels = [ax.labelFormat() % (ax.min() + i * (ax.max() - ax.min()) / (n - 1)) for i in range(n)]
    assert len(set(labels)) == n, labels


def test_log_replaces_symbols_the_fonts_lack(qtbot, window) -> None:
    window.log_view.append_line("[12:00:00] \u2705 FINAL AUDIT PASSED - NO ISSUES FOUND")
    text = window.log_view.toPlainText()
    assert "\u2705" not in text and "[OK] FINAL AUDIT PASSED" in text
    assert window.log_view.compact.rows()[-1].endswith("[OK] FINAL AUDIT PASSED - NO ISSUES FOUND")
