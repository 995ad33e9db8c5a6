"""The desktop app's main window, driven offscreen with pytest-qt: inputs persist, bad inputs are refused with
a message, and jobs run through the window give exactly what the command line gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from qt_helpers import JOB_TIMEOUT_MS, click, double_click, mkvmerge_tracks, run_cli

from vsg_core.config import Settings
from vsg_qt.main_window import MainWindow
from vsg_qt.queue_model import JobState


def test_paths_persist_between_runs(qtbot, settings_path: Path, ui_state: QSettings, tmp_path: Path) -> None:
    win = MainWindow(Settings.load(settings_path), ui_state)
    qtbot.addWidget(win)
    win.ref_field.setText(str(tmp_path / "Ref ü.mkv"))
    win.other_fields[0].setText(str(tmp_path / "other.mkv"))
    win.other_fields[1].setText(str(tmp_path / "third.mkv"))
    win.out_field.setText(str(tmp_path / "my out"))
    win.archive_box.setChecked(False)
    win.close()
    saved = json.loads(settings_path.read_text(encoding="utf-8"))
    assert saved["last_ref_path"] == str(tmp_path / "Ref ü.mkv")
    assert saved["output_folder"] == str(tmp_path / "my out")
    assert saved["archive_logs"] is False
    again = MainWindow(Settings.load(settings_path), ui_state)
    qtbot.addWidget(again)
    assert again.ref_field.text() == str(tmp_path / "Ref ü.mkv")
    assert again.other_fields[0].text() == str(tmp_path / "other.mkv")
    assert again.other_fields[1].text() == str(tmp_path / "third.mkv")
    assert again.out_field.text() == str(tmp_path / "my out")
    assert not again.archive_box.isChecked()
    assert ui_state.value("main/geometry") is not None


def test_analyze_buttons_need_valid_inputs(qtbot, window, tmp_path: Path) -> None:
    window.ref_field.setText("")
    assert not window.analyze_btn.isEnabled() and not window.merge_btn.isEnabled()
    assert "Source 1" in window.analyze_btn.toolTip()
    window.ref_field.setText(str(tmp_path / "missing.mkv"))
    qtbot.waitUntil(lambda: window.ref_field.state.state == "invalid")
    assert "does not exist" in window.ref_field.status.text() and "missing.mkv" in window.ref_field.status.text()
    assert window.ref_field.status.isVisible()
    assert not window.analyze_btn.isEnabled() and not window.merge_btn.isEnabled()
    assert "does not exist" in window.analyze_btn.toolTip()
    assert not window.is_running()


@pytest.mark.media
def test_analysis_through_the_window_matches_the_cli(qtbot, window, media_case) -> None:
    case = media_case("delay_pos")
    window.ref_field.setText(str(case.reference))
    window.other_fields[0].setText(str(case.other))
    qtbot.waitUntil(window.analyze_btn.isEnabled, timeout=30_000)
    click(qtbot, window.analyze_btn)
    assert window.is_running()
    events: list = []
    bar: list[int] = []
    statuses: list[str] = []
    window.worker.signals.event.connect(events.append)
    window.job_bar.valueChanged.connect(bar.append)
    window.worker.signals.event.connect(lambda _e: statuses.append(window.status_label.text()))
    qtbot.waitUntil(lambda: not window.is_running(), timeout=JOB_TIMEOUT_MS)
    assert len(window.last_results) == 1
    result = window.last_results[0]
    assert result.status == "Analyzed", result.error
    log_text = window.log_view.toPlainText()
    assert "--- Analysis Phase ---" in log_text and "=== Job Finished ===" in log_text
    # progress: per source and per chunk, a bar that only moves forward, 100 % once the job finished
    total = len(result.sources[0].chunks)
    chunk_texts = [t for t in statuses if t.startswith("Analyzing Source 2 — chunk ")]
    assert f"Analyzing Source 2 — chunk {total}/{total}" in chunk_texts
    assert len(set(chunk_texts)) >= 3, chunk_texts
    assert [e.step for e in events if e.steps] == sorted(e.step for e in events if e.steps)
    assert bar == sorted(bar) and bar[-1] == window.job_bar.maximum()
    assert [b for b in bar if b == window.job_bar.maximum()] == [bar[-1]]
    assert not window.overall_bar.isVisible()          # one job: no Overall bar
    # the job is recorded in the queue
    assert [j.state for j in window.queue_model.jobs] == [JobState.DONE]
    assert window.queue_model.jobs[0].spec.sources["Source 2"] == case.other

    cli = run_cli("analyze", str(case.reference), str(case.other))
    cli_delay = cli["sources"][0]["delay_ms"]
    assert window.results.shown_delays() == {"Source 2": f"{cli_delay:+d} ms"}
    assert f"{cli_delay:+d} ms" in window.status_label.text()
    # one plotted point per chunk the CLI reports
    assert len(window.results.plot.points("Source 2")) == len(cli["sources"][0]["chunks"])
    assert window.results.plot.series_point_count() == len(cli["sources"][0]["chunks"])


@pytest.mark.media
def test_whole_job_through_the_ui(qtbot, window, media_case, tmp_path: Path) -> None:
    """Pick sources, choose tracks in Manual Selection, run; the file holds those tracks and the delays shown
    are the ones ``vsg sync --json`` finds."""
    case = media_case("delay_pos")
    out = tmp_path / "gui out"
    window.ref_field.setText(str(case.reference))
    window.other_fields[0].setText(str(case.other))
    window.out_field.setText(str(out))
    qtbot.waitUntil(window.merge_btn.isEnabled, timeout=30_000)
    click(qtbot, window.merge_btn)
    dlg = window.selection_dialog
    assert dlg is not None and dlg.isVisible()

    # the user's layout: reference video, the other release's 5.1 audio (default, renamed), the reference
    # FLAC without its name, the other release's subtitles
    click(qtbot, dlg.clear_btn)
    assert dlg.final_list.count() == 0
    picks = [("Source 1", 0), ("Source 2", 1), ("Source 1", 1), ("Source 2", 2)]
    for source, tid in picks:
        double_click(qtbot, dlg.source_lists[source], dlg.source_item(source, tid))
    assert [(e.source, e.id) for e in dlg.entries()] == picks
    widgets = dlg.widgets()
    click(qtbot, widgets[1].default_box)          # Source 2 audio becomes the default audio …
    assert not widgets[2].entry().is_default       # … so the reference FLAC is not
    click(qtbot, widgets[2].keep_name_box)         # drop the FLAC's name
    settings_dlg = widgets[1].open_settings()
    settings_dlg.name.setText("Main 5.1")
    settings_dlg.lang.setCurrentIndex(settings_dlg.lang.findData("eng"))
    settings_dlg.accept()
    assert dlg.entries()[1].custom_name == "Main 5.1"
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    assert window.is_running()
    qtbot.waitUntil(lambda: not window.is_running(), timeout=JOB_TIMEOUT_MS)

    result = window.last_results[0]
    assert result.status == "Merged", result.error
    output = out / f"{case.reference.stem}.mkv"
    assert result.output == output and output.is_file()
    tracks = mkvmerge_tracks(output)
    ref_audio = {t.track_id: t for t in case.truth.reference.audio}
    other_audio = {t.track_id: t for t in case.truth.target.audio}
    assert [t["type"] for t in tracks] == ["video", "audio", "audio", "subtitles"]
    assert tracks[1]["properties"]["audio_channels"] == other_audio[1].channels == 6
    assert tracks[1]["properties"]["track_name"] == "Main 5.1"
    assert tracks[1]["properties"]["default_track"] is True
    assert tracks[2]["properties"]["codec_id"] == "A_FLAC"
    assert tracks[2]["properties"]["audio_channels"] == ref_audio[1].channels
    assert tracks[2]["properties"]["default_track"] is False
    assert "track_name" not in tracks[2]["properties"]
    assert tracks[3]["properties"]["codec_id"] == "S_TEXT/ASS"

    cli = run_cli("sync", str(case.reference), str(case.other), "-o", str(tmp_path / "cli" / "cli.mkv"))
    assert cli["status"] == "Merged", cli["error"]
    want = {s["key"]: f"{s['delay_ms']:+d} ms" for s in cli["sources"]}
    assert window.results.shown_delays() == want
    assert [s.delay_ms for s in result.sources] == [s["delay_ms"] for s in cli["sources"]]
    assert len(window.results.plot.points("Source 2")) == len(cli["sources"][0]["chunks"])
    # the layout is offered again for the next file with the same track structure
    assert window.last_layout is not None and len(window.last_layout[0].entries) == 4


@pytest.mark.media
def test_cancel_leaves_no_output_and_the_window_stays_responsive(qtbot, window, media_case,
                                                                 tmp_path: Path) -> None:
    case = media_case("delay_neg")
    out = tmp_path / "cancel out"
    window.ref_field.setText(str(case.reference))
    window.other_fields[0].setText(str(case.other))
    window.out_field.setText(str(out))
    qtbot.waitUntil(window.merge_btn.isEnabled, timeout=30_000)
    click(qtbot, window.merge_btn)
    dlg = window.selection_dialog
    dlg.buttons.button(dlg.buttons.StandardButton.Ok).click()
    assert window.is_running()
    qtbot.waitUntil(lambda: "--- Analysis Phase ---" in window.log_view.toPlainText(), timeout=JOB_TIMEOUT_MS)
    assert window.is_running()

    # the event loop keeps running while the job works: timers fire and buttons respond
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=10_000)
    click(qtbot, window.queue_btn)
    assert window.queue_dialog is not None and window.queue_dialog.isVisible()
    window.queue_dialog.close()
    assert not window.analyze_btn.isEnabled() and window.cancel_btn.isEnabled()

    click(qtbot, window.cancel_btn)
    qtbot.waitUntil(lambda: not window.is_running(), timeout=JOB_TIMEOUT_MS)
    timer.stop()
    result = window.last_results[0]
    assert result.status == "Cancelled"
    assert result.output is None
    assert not list(out.glob("*.mkv")) and not list(out.glob(".*")), "cancel left a (partial) output file"
    assert not any(Path(window.settings["temp_root"]).glob("vsg_*")), "the job's temp folder was left behind"
    status = window.status_label.text()
    assert status.startswith("Cancelled during Analyzing"), status   # names the phase it stopped in
    assert window.job_bar.value() < window.job_bar.maximum()          # never 100 % for a cancelled job
    assert "cancelled during Analyzing" in window.job_bar.text()
    assert all(j.state is JobState.CANCELLED for j in window.run_jobs.values())
    # and it is still responsive afterwards: buttons are back and dialogs open
    assert window.analyze_btn.isEnabled() and window.merge_btn.isEnabled()
    assert not window.cancel_btn.isEnabled()
    click(qtbot, window.options_btn)
    assert window.options_dialog is not None and window.options_dialog.isVisible()
    window.options_dialog.reject()
