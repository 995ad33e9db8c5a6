"""Progress bars and messages when a job fails, the failure dialog's text, the review dialog of a single job,
the queue recording main-window jobs and its buttons (offscreen, pytest-qt)."""

from __future__ import annotations

from pathlib import Path

from qt_helpers import JOB_TIMEOUT_MS

from vsg_core.jobs.discovery import JobSpec
from vsg_core.pipeline import ANALYZED, MERGED, AuditReport, JobResult, SourceReport
from vsg_qt.messages import last_message
from vsg_qt.queue_model import JobState, QueuedJob


def _broken(tmp_path: Path, name: str) -> Path:
    p = tmp_path / name
    p.write_bytes(b"this is not a video file\n" * 50)
    return p


def test_failed_job_dialog_shows_the_reason_and_bars_stop_short(qtbot, window, tmp_path: Path) -> None:
    """A job whose file turned bad after the fields were checked: the dialog's main text is the reason, the log
    is behind Show Details, the bar does not reach 100 % and the queue records the job as failed."""
    ref, other = _broken(tmp_path, "ref.mkv"), _broken(tmp_path, "other.mkv")
    window.out_field.setText(str(tmp_path / "out"))
    job = QueuedJob(JobSpec({"Source 1": ref, "Source 2": other}))
    assert window.start_run([(job, None)], analyze_only=True) is not None
    qtbot.waitUntil(lambda: not window.is_running(), timeout=JOB_TIMEOUT_MS)
    result = window.last_results[0]
    assert result.status == "Failed" and result.error
    box = last_message(window)
    assert box is not None and box.isVisible()
    assert box.text() == result.error
    assert "Finished processing" not in box.text()
    assert "ref.mkv" in box.text()
    assert "[FATAL ERROR]" in box.detailedText() and str(result.log_path) in box.detailedText()
    assert window.job_bar.value() < window.job_bar.maximum()
    assert "failed during" in window.job_bar.text()
    assert not window.overall_bar.isVisible()
    assert window.queue_model.find(job.uid) is job and job.state is JobState.FAILED
    box.close()


def _report(key: str = "Source 2", diagnosis: str = "UNIFORM") -> SourceReport:
    chunks = tuple({"index": i + 1, "start_s": 10.0 * i, "delay_ms": 40, "raw_delay_ms": 40.0, "match_pct": 90.0,
                    "accepted": True} for i in range(5))
    return SourceReport(key, Path(f"/m/{key}.mkv"), 40, 40.0, diagnosis, None, 5, 5, 90.0, chunks)


def test_single_job_with_warnings_opens_the_review_dialog(qtbot, window) -> None:
    r = JobResult(MERGED, "ep1.mkv", Path("/m/ep1.mkv"), sources=[_report()],
                  warnings=["Source 2 shows STEPPING: check it"])
    window._finished_all([r])
    dlg = window.summary_dialog
    assert dlg is not None and dlg.isVisible()
    assert dlg.windowTitle() == "Job Review"
    assert "Source 2 shows STEPPING: check it" in dlg.notes.toPlainText()
    dlg.close()


def test_single_job_with_a_failed_audit_opens_the_review_dialog_in_red(qtbot, window) -> None:
    audit = AuditReport(issues=("Source 2 audio is 120.0 ms off",))
    r = JobResult("Audit failed", "ep1.mkv", Path("/m/ep1.mkv"), sources=[_report()], audit=audit,
                  error="the audit found a track out of sync")
    window._finished_all([r])
    dlg = window.summary_dialog
    assert dlg is not None and dlg.isVisible()
    assert "Audit failed" in dlg.windowTitle() or "Audit failed" in dlg.table.item(0, 1).text()
    assert dlg.table.item(0, 1).foreground().color().name() == "#c62828"
    assert "120.0 ms off" in dlg.notes.toPlainText()
    assert dlg.counts.failed == 1
    dlg.close()


def test_clean_single_job_opens_no_dialog(qtbot, window) -> None:
    window.summary_dialog = None
    window._finished_all([JobResult(ANALYZED, "ep1.mkv", Path("/m/ep1.mkv"), sources=[_report()])])
    assert window.summary_dialog is None and last_message(window) is None
    assert window.status_label.text().startswith("Analyzed: ep1.mkv")


def test_add_job_prefills_from_the_main_window_and_buttons_apply(qtbot, window, tmp_path: Path) -> None:
    a, b = tmp_path / "a.mkv", tmp_path / "b.mkv"
    window.ref_field.setText(str(a))
    window.other_fields[0].setText(str(b))
    queue = window.open_queue()
    assert not queue.clear_done_btn.isEnabled()           # nothing finished in an empty queue
    assert not queue.remove_btn.isEnabled() and not queue.up_btn.isEnabled()
    assert not queue.start_btn.isEnabled()
    dlg = queue.open_add_dialog()
    assert [f.text() for f in dlg.fields[:2]] == [str(a), str(b)]
    dlg.reject()
    jobs = [QueuedJob(JobSpec({"Source 1": tmp_path / f"e{i}.mkv"})) for i in (1, 2)]
    window.queue_model.add(jobs)
    queue.select_rows([0])
    assert not queue.up_btn.isEnabled() and queue.down_btn.isEnabled()
    queue.select_rows([1])
    assert queue.up_btn.isEnabled() and not queue.down_btn.isEnabled()
    assert not queue.clear_done_btn.isEnabled()
    jobs[0].state = JobState.DONE
    window.queue_model.refresh(jobs[0].uid)
    assert queue.clear_done_btn.isEnabled()
    queue.close()
