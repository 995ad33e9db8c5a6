"""Results panel and per-chunk delay plot: one point per chunk, rejected chunks apart, the table shows each
source's delay, confidence and diagnosis; the batch summary counts jobs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCharts import QScatterSeries

from vsg_core.pipeline import ANALYZED, CANCELLED, FAILED, MERGED, JobResult, SourceReport
from vsg_qt.batch_summary import BatchSummaryDialog, count, summary_lines
from vsg_qt.results_panel import ResultsPanel


def _chunks(delays: list[float], accepted: list[bool]) -> tuple[dict, ...]:
    return tuple({"index": i + 1, "start_s": 10.0 + 20.0 * i, "delay_ms": round(d), "raw_delay_ms": d,
                  "match_pct": 90.0 if ok else 2.0, "accepted": ok}
                 for i, (d, ok) in enumerate(zip(delays, accepted, strict=True)))


def _source(key: str, delays: list[float], accepted: list[bool], diagnosis: str = "UNIFORM",
            delay: int | None = None) -> SourceReport:
    acc = [d for d, ok in zip(delays, accepted, strict=True) if ok]
    return SourceReport(key=key, path=Path(f"/media/{key}.mkv"), delay_ms=delay, raw_delay_ms=None,
                        diagnosis=diagnosis, drift_ms_per_s=None, accepted_chunks=len(acc),
                        total_chunks=len(delays), mean_match_pct=90.0 if acc else None,
                        chunks=_chunks(delays, accepted))


def test_plot_has_one_point_per_chunk(qtbot) -> None:
    stepping = [312.5, 312.5, 312.4, -1687.5, -1687.6, 812.5, 812.5]
    s2 = _source("Source 2", stepping, [True] * 7, "STEPPING", 313)
    s3 = _source("Source 3", [40.0, 41.0, 900.0, 40.5], [True, True, False, True], "UNIFORM", 40)
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.add_result(JobResult(ANALYZED, "ep1.mkv", Path("/media/ep1.mkv"), sources=[s2, s3]))
    plot = panel.plot
    want = [(c["start_s"], c["raw_delay_ms"]) for c in s2.chunks]
    assert [(t, d) for t, d, _ in plot.points("Source 2")] == want
    assert [ok for _, _, ok in plot.points("Source 3")] == [True, True, False, True]
    assert len(plot.points()) == 11
    assert plot.series_point_count() == 11
    series = {s.name(): s.count() for s in plot.chart().series() if isinstance(s, QScatterSeries)}
    assert series == {"Source 2": 7, "Source 3": 3, "Source 3 (rejected)": 1}
    # the axes include every point
    assert plot.y_axis.min() < -1687.6 and plot.y_axis.max() > 900.0
    assert panel.shown_delays() == {"Source 2": "+313 ms", "Source 3": "+40 ms"}
    assert panel.table.item(0, 5).text() == "Stepping"
    assert panel.table.item(1, 3).text() == "90.0 %"
    assert panel.table.item(1, 4).text() == "3/4"


def test_panel_switches_between_jobs_of_a_batch(qtbot) -> None:
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.add_result(JobResult(ANALYZED, "a.mkv", Path("/a.mkv"), sources=[_source("Source 2", [5.0] * 3,
                                                                                   [True] * 3, delay=5)]))
    panel.add_result(JobResult(ANALYZED, "b.mkv", Path("/b.mkv"), sources=[_source("Source 2", [7.0] * 5,
                                                                                   [True] * 5, delay=7)]))
    assert panel.job_combo.count() == 2 and panel.current().name == "b.mkv"
    assert len(panel.plot.points("Source 2")) == 5
    panel.job_combo.setCurrentIndex(0)
    assert len(panel.plot.points("Source 2")) == 3
    assert panel.shown_delays() == {"Source 2": "+5 ms"}
    panel.clear()
    assert panel.plot.points() == [] and panel.table.rowCount() == 0


def test_batch_summary_counts_and_lists_jobs_to_review(qtbot) -> None:
    ok = JobResult(MERGED, "ok.mkv", Path("/ok.mkv"), output=Path("/out/ok.mkv"),
                   sources=[_source("Source 2", [1.0] * 3, [True] * 3, delay=1)])
    warn = JobResult(MERGED, "warn.mkv", Path("/warn.mkv"), output=Path("/out/warn.mkv"), warnings=["w"],
                     sources=[_source("Source 2", [1.0, 900.0], [True, True], "STEPPING", delay=1)])
    bad = JobResult(FAILED, "bad.mkv", Path("/bad.mkv"), error="Source 2: file not found")
    stop = JobResult(CANCELLED, "stop.mkv", Path("/stop.mkv"), error="the job was cancelled")
    c = count([ok, warn, bad, stop])
    assert (c.successful, c.with_warnings, c.failed, c.cancelled) == (1, 1, 1, 1)
    assert c.stepping == ["warn.mkv + Source 2.mkv - Sources: Source 2"]
    lines = summary_lines([ok, warn, bad, stop])
    assert "--- Batch Summary ---" in lines and "  - Failed jobs: 1" in lines
    dlg = BatchSummaryDialog([ok, warn, bad, stop])
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 4
    assert dlg.table.item(2, 4).text() == "Source 2: file not found"
    assert dlg.table.item(0, 2).text() == "2: +1 ms"
