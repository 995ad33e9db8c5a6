"""Results panel and per-chunk delay plot: one point per chunk, rejected chunks apart, the table shows each
source's delay, confidence and diagnosis; the batch summary counts jobs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

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


def test_one_plot_per_source_with_deviations_and_segment_boundaries(qtbot) -> None:
    stepping = [312.5, 312.5, 312.4, -1687.5, -1687.6, 812.5, 812.5]
    segs = ({"start_s": 0.0, "end_s": 60.0, "delay_ms": 313, "raw_delay_ms": 312.5, "cluster_label": 0},
            {"start_s": 60.0, "end_s": 100.0, "delay_ms": -1688, "raw_delay_ms": -1687.5, "cluster_label": 1},
            {"start_s": 100.0, "end_s": 140.0, "delay_ms": 813, "raw_delay_ms": 812.5, "cluster_label": 2})
    s2 = replace(_source("Source 2", stepping, [True] * 7, "STEPPING", 313), segments=segs, chunk_delay_ms=312.5)
    s3 = _source("Source 3", [40.0, 41.0, 900.0, 40.5], [True, True, False, True], "UNIFORM", 40)
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.add_result(JobResult(ANALYZED, "ep1.mkv", Path("/media/ep1.mkv"), sources=[s2, s3]))
    plot = panel.plot
    assert [p.key for p in plot.plots] == ["Source 2", "Source 3"]      # one small plot per source
    want = [(c["start_s"], c["raw_delay_ms"]) for c in s2.chunks]
    assert [(t, d) for t, d, _ in plot.points("Source 2")] == want
    p2, p3 = plot.plot_for("Source 2"), plot.plot_for("Source 3")
    # deviation from the source's own chosen delay: its own scale, the first segment at 0
    assert [round(d, 1) for _, d, _ in p2.deviations] == [0.0, 0.0, -0.1, -2000.0, -2000.1, 500.0, 500.0]
    assert p2.boundaries == [60.0, 100.0] and len(p2.lines) == 2
    assert p3.reference == 40.5                                       # median of the accepted chunks
    assert p3.y_axis.max() - p3.y_axis.min() < 1000 < p2.y_axis.max() - p2.y_axis.min()
    assert p3.scatter_count() == 4                                    # the rejected chunk is drawn too (edge)
    assert [ok for _, _, ok in plot.points("Source 3")] == [True, True, False, True]
    assert plot.series_point_count() == 11
    assert p3.scatter_count() == 4
    # the rows: segments under the stepping source, its span and delay per segment
    assert panel.shown_delays() == {"Source 2": "+313 ms", "Source 3": "+40 ms"}
    rows = panel.shown_segments("Source 2")
    assert [r[0] for r in rows] == ["Segment 1", "Segment 2", "Segment 3"]
    assert [r[1] for r in rows] == ["+313 ms", "-1688 ms", "+813 ms"]
    assert [r[4] for r in rows] == ["0:00 – 1:00", "1:00 – 1:40", "1:40 – 2:20"]
    assert [r[3] for r in rows] == ["3", "2", "2"]
    item = panel.source_items()[0]
    assert item.isExpanded() and item.text(4) == "Stepping" and item.text(5) == "3 segments"
    assert panel.shown_segments("Source 3") == []
    assert panel.source_items()[1].text(2) == "90.0 %" and panel.source_items()[1].text(3) == "3/4"


def test_corrected_segments_show_what_the_correction_did(qtbot) -> None:
    segs = ({"start_s": 0.0, "end_s": 85.0, "delay_ms": 313, "raw_delay_ms": 312.5, "cluster_label": 0,
             "action": "kept"},
            {"start_s": 85.0, "end_s": 142.0, "delay_ms": -1688, "raw_delay_ms": -1687.5, "cluster_label": 1,
             "action": "removed", "removed_ms": 2000.0})
    s2 = replace(_source("Source 2", [312.5, -1687.5], [True, True], "STEPPING", 313), segments=segs)
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.add_result(JobResult(MERGED, "ep1.mkv", Path("/media/ep1.mkv"), sources=[s2]))
    rows = panel.shown_segments("Source 2")
    assert rows[0][5] == "action: kept"
    assert rows[1][5] == "action: removed; removed ms: 2000"


def test_rates_unknown_kinds_and_failed_statuses_are_readable(qtbot) -> None:
    pal = replace(_source("Source 2", [0.0, 400.0, 800.0], [True] * 3, "PAL_DRIFT", 0), drift_ms_per_s=40.959)
    lin = replace(_source("Source 3", [0.0, 5.0, 10.0], [True] * 3, "LINEAR_DRIFT", -250), drift_ms_per_s=0.5)
    flat = replace(_source("Source 4", [5.0, 5.0, 5.0], [True] * 3, "UNIFORM", 5), drift_ms_per_s=-0.00004)
    none = _source("Source 5", [5.0, 900.0], [False, False], "NO_MATCH", None)
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.add_result(JobResult("Audit failed", "ep1.mkv", Path("/media/ep1.mkv"), sources=[pal, lin, flat, none],
                               error="Source 2 audio is 120 ms off after muxing"))
    items = panel.source_items()
    assert items[0].text(5) == "+40.96 ms/s" and items[0].text(4) == "PAL speed-up"
    assert items[1].text(5) == "+0.500 ms/s"
    assert items[2].text(5) == ""                                     # no "-0.000 ms/s" for a uniform delay
    assert items[3].text(4) == "No match" and items[3].foreground(4).color().name() == "#c62828"
    assert items[3].text(1) == "—"
    assert "color:#c62828" in panel.summary_html and "Audit failed" in panel.summary.toPlainText()
    assert "120 ms off" in panel.summary.toPlainText()
    assert "-0.000" not in "".join(it.text(c) for it in items for c in range(6))


def test_empty_results_draw_no_plot(qtbot) -> None:
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    assert panel.plot.plots == [] and panel.plot.series_point_count() == 0
    panel.add_result(JobResult("Failed", "ep1.mkv", Path("/media/ep1.mkv"), error="Source 1: file not found"))
    assert panel.plot.plots == []
    assert panel.plot.empty_label.text().startswith("No per-chunk results")


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
    assert panel.plot.points() == [] and panel.tree.topLevelItemCount() == 0


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


def test_corrected_stepping_track_shows_its_segments_and_splices(qtbot) -> None:
    """A job whose correction spliced Source 2's audio: the table lists the corrected track (QA) and every
    kept/removed/filled stretch of its edit; the plot draws a splice line where each kept stretch after the
    first starts on the reference timeline. The correction report is built by the correction code itself."""
    from vsg_core.correction.apply import CorrectionReport, QaResult, SteppingPlan
    from vsg_core.correction.stepping import AudioSegment, Splice

    sr = 1000
    edl = [AudioSegment(0.0, 60.0, 313, 312.5), AudioSegment(62.0, 100.0, -1688, -1687.5),
           AudioSegment(100.0, 140.0, 813, 812.5)]
    splices = [Splice(312.5, -1687.5, 2000, 0, 60_000, 0.9, 59_000, 61_000, 60_000, "silencedetect"),
               Splice(-1687.5, 812.5, 0, 2500, 100_000, 0.8, 99_000, 101_000, 100_000, "rms")]
    plan = SteppingPlan(splices=splices, edl=edl, align_ms=312.5, search_sr=sr)
    report = CorrectionReport("Source 2", 1, "STEPPING", "stepping", "/tmp/c.flac", 312.5,
                              qa=QaResult(True, 29, 30, 0.1, 0.6), segments=plan.to_json(), applied=True)
    stepping = [312.5, 312.5, 312.4, -1687.5, -1687.6, 812.5, 812.5]
    segs = ({"start_s": 0.0, "end_s": 60.0, "delay_ms": 313, "raw_delay_ms": 312.5, "cluster_label": 0},
            {"start_s": 60.0, "end_s": 100.0, "delay_ms": -1688, "raw_delay_ms": -1687.5, "cluster_label": 1},
            {"start_s": 100.0, "end_s": 140.0, "delay_ms": 813, "raw_delay_ms": 812.5, "cluster_label": 2})
    s2 = replace(_source("Source 2", stepping, [True] * 7, "STEPPING", 313), segments=segs, chunk_delay_ms=312.5)
    result = JobResult(MERGED, "ep1.mkv", Path("/media/ep1.mkv"), sources=[s2],
                       corrections=[report.to_json()])
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.add_result(JobResult.from_json(result.to_json()))      # what a saved/queued result carries
    rows = panel.shown_segments("Source 2")
    assert [r[0] for r in rows[:3]] == ["Segment 1", "Segment 2", "Segment 3"]   # the diagnosis
    corrected = rows[3:]
    assert corrected[0][0] == "Corrected track 1" and corrected[0][3] == "QA 29/30"
    assert "stepping applied" in corrected[0][5] and corrected[0][4] == "Stepping"
    assert [r[0].strip() for r in corrected[1:]] == ["Kept 1", "Removed", "Kept 2", "Filled", "Kept 3"]
    assert corrected[1][1] == "+313 ms" and corrected[3][1] == "-1688 ms"
    assert corrected[2][4] == "2000.0 ms at source 1:00" and "snap: silencedetect" in corrected[2][5]
    assert corrected[4][4].startswith("2500.0 ms at reference")
    # kept stretches on the reference timeline: 62 s − 1.6875 s and 100 s + 0.8125 s
    plot = panel.plot.plot_for("Source 2")
    assert plot is not None
    assert plot.splices == pytest.approx([62.0 - 1.6875, 100.0 + 0.8125])
    drawn = [(s.at(0).x(), s.at(1).x()) for s in plot.splice_lines]
    assert drawn == [(pytest.approx(60.3125), pytest.approx(60.3125)), (pytest.approx(100.8125),
                                                                        pytest.approx(100.8125))]
    assert all(s in plot.chart().series() for s in plot.splice_lines)
    assert "corrected Source 2 track 1: Stepping" in panel.summary.toPlainText()
    assert corrected[2][4] != corrected[4][4]


def test_a_correction_that_was_not_applied_draws_no_splices(qtbot) -> None:
    report = {"source": "Source 2", "track_id": 1, "kind": "PAL_DRIFT", "method": "rubberband", "output": None,
              "align_ms": 0.0, "tempo": 0.959, "applied": False, "note": "QA failed",
              "qa": {"passed": False, "accepted": 3, "total": 30, "median_ms": None, "max_abs_ms": None,
                     "reason": "too few chunks matched"}, "segments": []}
    s2 = _source("Source 2", [0.0, 400.0, 800.0], [True] * 3, "PAL_DRIFT", 0)
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.add_result(JobResult(FAILED, "ep1.mkv", Path("/media/ep1.mkv"), sources=[s2], corrections=[report]))
    rows = panel.shown_segments("Source 2")
    assert len(rows) == 1 and rows[0][3] == "QA 3/30"
    assert "not applied" in rows[0][5] and "too few chunks matched" in rows[0][5]
    assert panel.source_items()[0].child(0).foreground(0).color().name() == "#c62828"
    assert panel.plot.plot_for("Source 2").splices == []
    assert "not corrected Source 2 track 1: PAL speed-up" in panel.summary.toPlainText()
