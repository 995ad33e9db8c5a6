"""Screenshots of every window and dialog of the desktop app, with real results, at two screen sizes.

    python tools/screenshots.py OUT_DIR

Builds (or reuses) the generated test media, analyses releases against the reference through the job queue
exactly as a user would (a job with a uniform delay, and a job with a stepping and a drifting source whose
results are shown: one deviation plot per source),
runs a job on a broken file (a failed job), then writes one PNG per window and screen size, the size in the
file name: ``main_window_1366x768.png``, ``main_window_1024x640.png``, … The main window fills the screen;
dialogs open at their own size, shrunk to the screen.

Display: under X11/Wayland the real platform is used. Without a display the script re-runs itself under
``xvfb-run`` when installed, else it renders offscreen (``QT_QPA_PLATFORM=offscreen``); widgets are captured
with ``QWidget.grab()`` in every case. Settings, layouts and logs go to a temp folder; the user's settings
file is not touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD_FLAG = "VSG_SCREENSHOTS_UNDER_XVFB"
JOB_LIMIT_S = 1800


def _ensure_display(argv: list[str]) -> int | None:
    """Re-run under xvfb-run when there is no display; None = go on in this process."""
    if os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    xvfb = shutil.which("xvfb-run")
    if xvfb and not os.environ.get(CHILD_FLAG):
        env = dict(os.environ, **{CHILD_FLAG: "1"})
        script = str(Path(__file__).resolve())
        cmd = [xvfb, "-a", "-s", "-screen 0 1600x1200x24", sys.executable, script, *argv]
        return subprocess.run(cmd, env=env).returncode
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return None


def _wait(cond, what: str, limit_s: float = JOB_LIMIT_S) -> None:
    """Run the event loop until ``cond()`` holds (checked every 100 ms)."""
    from PySide6.QtCore import QDeadlineTimer, QEventLoop, QTimer

    if cond():
        return
    deadline = QDeadlineTimer(int(limit_s * 1000))
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if cond() or deadline.hasExpired() else None)
    timer.start(100)
    loop.exec()
    timer.stop()
    if not cond():
        raise SystemExit(f"screenshots: timed out waiting for {what}")


SIZES = ((1366, 768), (1024, 640))
NAMES = ("main_window", "main_window_running", "results_stepping", "failed_job", "failure_dialog",
         "job_review", "batch_summary", "job_queue", "add_job", "manual_selection", "track_settings", "style_editor",
         "options")


def _save(widget, out: Path, name: str, size: tuple[int, int], app, fill: bool = False,
          area: tuple[int, int] | None = None) -> Path:
    """Show ``widget`` on a screen of ``size`` (``fill``: exactly that size, or ``area`` of it; else its own
    size, at most the screen's)."""
    w, h = size
    if fill:
        widget.resize(*(area or size))
    else:
        hint = widget.size()
        widget.resize(min(hint.width(), w), min(hint.height(), h))
    widget.show()
    widget.raise_()
    for _ in range(8):
        app.processEvents()
    path = out / f"{name}_{w}x{h}.png"
    if not widget.grab().save(str(path)):
        raise SystemExit(f"screenshots: could not write {path}")
    print(f"wrote {path}", flush=True)
    return path


def take(out: Path) -> list[Path]:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from vsg_core.config import Settings
    from vsg_core.jobs.discovery import JobSpec
    from vsg_core.testmedia import build_case
    from vsg_qt.batch_summary import BatchSummaryDialog
    from vsg_qt.main_window import MainWindow
    from vsg_qt.messages import last_message
    from vsg_qt.queue_model import QueuedJob

    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="vsg_screens_"))
    try:
        print("building/reusing the generated media…", flush=True)
        uniform, stepping, drift = build_case("delay_pos"), build_case("stepping"), build_case("drift")
        settings = Settings(path=work / "settings.json")
        settings.set("temp_root", str(work / "temp"))
        settings.set("output_folder", str(work / "output"))
        settings.save()
        os.environ["VSG_SETTINGS"] = str(settings.path)
        app = QApplication.instance() or QApplication([sys.argv[0]])
        app.setApplicationName("Video Sync & Merge")
        win = MainWindow(settings, QSettings(str(work / "ui.ini"), QSettings.Format.IniFormat))
        win.resize(*SIZES[0])
        win.show()
        win.ref_field.setText(str(stepping.reference))
        win.other_fields[0].setText(str(stepping.other))
        win.other_fields[1].setText(str(drift.other))
        _wait(lambda: all(f.is_valid for f in win.fields()), "the source checks", 60)

        queue = win.open_queue()
        jobs = [QueuedJob(JobSpec({"Source 1": uniform.reference, "Source 2": uniform.other})),
                QueuedJob(JobSpec({"Source 1": stepping.reference, "Source 2": stepping.other,
                                   "Source 3": drift.other}))]
        win.queue_model.add(jobs)
        queue.analyze_only_box.setChecked(True)
        queue.hide()
        print("analysing two releases through the job queue…", flush=True)
        queue.start()
        shots = []
        _wait(lambda: "— chunk " in win.status_label.text() or not win.is_running(), "a chunk to be analysed")
        shots.append(_save(win, out, "main_window_running", SIZES[0], app, fill=True))
        _wait(lambda: not win.is_running(), "the batch to finish")
        failed = [r for r in win.last_results if not r.ok]
        if failed:
            raise SystemExit(f"screenshots: a job failed: {failed[0].error}")
        summary = win.summary_dialog
        assert summary is not None
        summary.hide()
        win.results.job_combo.setCurrentIndex(1)   # the stepping job
        step_result = win.last_results[1]
        review = BatchSummaryDialog([step_result], win)
        for size in SIZES:
            shots.append(_save(win, out, "main_window", size, app, fill=True))
            shots.append(_save(summary, out, "batch_summary", size, app))
            summary.hide()
            shots.append(_save(review, out, "job_review", size, app))
            review.hide()
            queue.resize(1000, 520)
            queue.select_rows([1])
            shots.append(_save(queue, out, "job_queue", size, app))
            add = queue.open_add_dialog()
            shots.append(_save(add, out, "add_job", size, app))
            add.reject()
            queue.hide()

        # the stepping job's results on their own, as large as the screen allows
        from vsg_qt.results_panel import ResultsPanel

        for size in SIZES:
            panel = ResultsPanel()
            panel.add_result(step_result)
            shots.append(_save(panel, out, "results_stepping", size, app, fill=True,
                               area=(size[0], size[1] // 2)))
            panel.close()

        sel = queue.configure(jobs[0])
        assert sel is not None
        srt = work / "fansub.en.srt"
        srt.write_text("1\n00:00:01,000 --> 00:00:03,000\nHello.\n", encoding="utf-8")
        sel.add_external(srt)
        widgets = sel.widgets()
        widgets[-1].sync_combo.setCurrentIndex(1)
        other_audio = next(w for w in widgets if w.entry().source == "Source 2" and w.entry().type == "audio")
        other_audio.set_custom("eng", "Surround 5.1")
        for size in SIZES:
            sel.resize(1200, 760)
            shots.append(_save(sel, out, "manual_selection", size, app))
            track_dlg = other_audio.open_settings()
            shots.append(_save(track_dlg, out, "track_settings", size, app))
            track_dlg.reject()
        subs = next(w for w in widgets if w.entry().source == "Source 1" and w.entry().type == "subtitles")
        sub_dlg = subs.open_settings()
        styles = sub_dlg.open_style_editor()
        _wait(lambda: styles.loaded or bool(styles.load_error), "the style editor to read the track", 60)
        styles.render_preview()
        _wait(lambda: not styles.preview_running, "the style preview", 60)
        for size in SIZES:
            styles.resize(900, 560)
            shots.append(_save(styles, out, "style_editor", size, app))
        styles.reject()
        sub_dlg.reject()
        sel.reject()

        for size in SIZES:
            opts = win.open_options()
            opts.resize(980, 720)
            shots.append(_save(opts, out, "options", size, app))
            opts.reject()

        # a failed job: a file that cannot be read
        broken = work / "broken.mkv"
        broken.write_bytes(b"\x1a\x45\xdf\xa3" + b"not a video" * 200)
        print("running a job on a broken file…", flush=True)
        win.start_run([(QueuedJob(JobSpec({"Source 1": stepping.reference, "Source 2": broken})), None)],
                      analyze_only=True)
        _wait(lambda: not win.is_running(), "the failed job")
        box = last_message(win)
        assert box is not None
        box.hide()
        for size in SIZES:
            shots.append(_save(win, out, "failed_job", size, app, fill=True))
            shots.append(_save(box, out, "failure_dialog", size, app))
            box.hide()
        win.close()
        return shots
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path, help="folder the PNG files are written to")
    args = p.parse_args(args_list)
    rc = _ensure_display(args_list)
    if rc is not None:
        return rc
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    shots = take(args.out.resolve())
    print(f"{len(shots)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
