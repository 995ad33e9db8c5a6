"""The main window (spec §13.2): sources, output folder, Analyze Only / Analyze & Merge, the job queue,
progress per job and overall, results with the per-chunk delay plot, and the live log."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QThreadPool, Slot
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from vsg_core.config import Settings
from vsg_core.errors import SettingsError, VsgError
from vsg_core.jobs.discovery import JobSpec, discover_jobs
from vsg_core.jobs.layout import Layout, compatible
from vsg_core.jobs.layout_store import LayoutStore
from vsg_core.pipeline import CANCELLED, FAILED, JobResult

from .batch_summary import BatchSummaryDialog, headline, summary_lines
from .job_queue_dialog import JobQueueDialog
from .log_view import LogView
from .manual_selection_dialog import ManualSelectionDialog
from .messages import show_message
from .options_dialog import OptionsDialog
from .path_field import PathField
from .queue_model import (
    CUSTOM_LAYOUT,
    JobState,
    QueuedJob,
    QueueModel,
    batch_output_dir,
    state_for,
    unique_subfolders,
)
from .results_panel import ResultsPanel
from .track_info import identify_job
from .worker import BatchWorker, RunItem

TITLE = "vsg — Video Sync & Merge"
PATH_KEYS = ("last_ref_path", "last_sec_path", "last_ter_path")


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, ui_state: QSettings | None = None) -> None:
        super().__init__()
        self.setWindowTitle(TITLE)
        self.settings = settings if settings is not None else Settings.load(recover=True)
        self.ui_state = ui_state if ui_state is not None else QSettings("vsg", "vsg")
        self.pool = QThreadPool.globalInstance()
        self.worker: BatchWorker | None = None
        self.run_jobs: dict[int, QueuedJob] = {}
        self.last_results: list[JobResult] = []
        self.last_layout: tuple[Layout, dict] | None = None
        self.queue_model = QueueModel()
        self.store = LayoutStore(Path(self.settings["temp_root"]) / "job_layouts")
        self.queue_dialog: JobQueueDialog | None = None
        self.selection_dialog: ManualSelectionDialog | None = None
        self.options_dialog: OptionsDialog | None = None
        self.summary_dialog: BatchSummaryDialog | None = None
        self.setAcceptDrops(True)
        self._build()
        self._load_state()
        for w in self.settings.warnings:
            self.log_view.append_line(w)

    # ================================================================ layout
    def _build(self) -> None:
        central = QWidget()
        root = QVBoxLayout(central)

        top = QHBoxLayout()
        self.options_btn = QPushButton("Settings…")
        self.options_btn.clicked.connect(self.open_options)
        self.queue_btn = QPushButton("Open Job Queue…")
        f = QFont(self.queue_btn.font())
        f.setPointSizeF(f.pointSizeF() * 1.15)
        f.setBold(True)
        self.queue_btn.setFont(f)
        self.queue_btn.clicked.connect(self.open_queue)
        self.archive_box = QCheckBox("Archive logs to a zip file on batch completion")
        top.addWidget(self.queue_btn)
        top.addWidget(self.archive_box)
        top.addStretch(1)
        top.addWidget(self.options_btn)
        root.addLayout(top)

        src_box = QGroupBox("Sources")
        form = QFormLayout(src_box)
        self.ref_field = PathField("Source 1 (Reference)")
        form.addRow("Source 1 (Reference):", self.ref_field)
        self.other_fields: list[PathField] = []
        for n in (2, 3):
            fld = PathField(f"Source {n}")
            self.other_fields.append(fld)
            form.addRow(f"Source {n}:", fld)
        self.out_field = PathField("Output folder", mode="dir")
        form.addRow("Output folder:", self.out_field)
        actions = QHBoxLayout()
        self.analyze_btn = QPushButton("Analyze Only")
        self.analyze_btn.setToolTip("Measure each source's delay against the reference (writes only logs).")
        self.analyze_btn.clicked.connect(self.start_analysis)
        self.merge_btn = QPushButton("Analyze && Merge…")
        self.merge_btn.setToolTip("Choose the output's tracks, then analyse and mux them into one MKV.")
        self.merge_btn.clicked.connect(self.start_merge)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.cancel)
        actions.addStretch(1)
        for b in (self.analyze_btn, self.merge_btn, self.cancel_btn):
            actions.addWidget(b)
        form.addRow(actions)
        root.addWidget(src_box)

        status = QHBoxLayout()
        status.addWidget(QLabel("Status:"))
        self.status_label = QLabel("Ready")
        self.status_label.setMinimumWidth(260)
        status.addWidget(self.status_label, 1)
        status.addWidget(QLabel("Job:"))
        self.job_bar = QProgressBar()
        self.job_bar.setRange(0, 100)
        status.addWidget(self.job_bar, 1)
        status.addWidget(QLabel("Overall:"))
        self.overall_bar = QProgressBar()
        self.overall_bar.setRange(0, 100)
        status.addWidget(self.overall_bar, 1)
        root.addLayout(status)

        self.results = ResultsPanel()
        res_box = QGroupBox("Latest Job Results")
        QVBoxLayout(res_box).addWidget(self.results)
        self.log_view = LogView()
        log_box = QGroupBox("Log")
        QVBoxLayout(log_box).addWidget(self.log_view)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(res_box)
        self.splitter.addWidget(log_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        root.addWidget(self.splitter, 1)

        self.setCentralWidget(central)
        self.statusBar().showMessage("Ready")
        self.resize(1150, 860)

    # ================================================================ persisted state
    def _load_state(self) -> None:
        s = self.settings
        self.ref_field.setText(s["last_ref_path"])
        for fld, key in zip(self.other_fields, PATH_KEYS[1:], strict=True):
            fld.setText(s[key])
        self.out_field.setText(s["output_folder"])
        self.archive_box.setChecked(bool(s["archive_logs"]))
        self.log_view.autoscroll = bool(s["log_autoscroll"])
        geo = self.ui_state.value("main/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        split = self.ui_state.value("main/splitter")
        if split is not None:
            self.splitter.restoreState(split)

    def save_state(self) -> None:
        """Inputs into the settings file (as the original did); window geometry into QSettings."""
        try:
            self.settings.set("last_ref_path", self.ref_field.text())
            for fld, key in zip(self.other_fields, PATH_KEYS[1:], strict=True):
                self.settings.set(key, fld.text())
            if self.out_field.text():
                self.settings.set("output_folder", self.out_field.text())
            self.settings.set("archive_logs", self.archive_box.isChecked())
            self.settings.save()
        except (SettingsError, OSError) as e:
            self.log_view.append_line(f"[WARNING] Could not save the settings file {self.settings.path}: {e}")
        self.ui_state.setValue("main/geometry", self.saveGeometry())
        self.ui_state.setValue("main/splitter", self.splitter.saveState())
        self.ui_state.sync()

    def closeEvent(self, e: QCloseEvent) -> None:
        if self.worker is not None:
            self.log_view.append_line("[SHUTDOWN] Cancelling background tasks...")
            self.worker.cancel()
            self.pool.waitForDone(60_000)  # the pipeline stops within moments and removes its partial files
        self.save_state()
        self.store.clear()
        for dlg in (self.queue_dialog, self.selection_dialog, self.options_dialog, self.summary_dialog):
            if dlg is not None:
                dlg.close()
        super().closeEvent(e)

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        """Files dropped on the window fill Source 1, 2, 3 in order."""
        paths = [u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()]
        for fld, p in zip([self.ref_field, *self.other_fields], paths, strict=False):
            fld.setText(p)

    # ================================================================ inputs → jobs
    def source_inputs(self) -> dict[str, str]:
        out = {"Source 1": self.ref_field.text()}
        for n, fld in enumerate(self.other_fields, start=2):
            if fld.text():
                out[f"Source {n}"] = fld.text()
        return out

    def _discover(self, need_others: bool) -> list[JobSpec] | None:
        inputs = self.source_inputs()
        if not inputs["Source 1"]:
            show_message(self, "warning", "Input Required", "Choose the reference release (Source 1) first.")
            return None
        if need_others and len(inputs) < 2:
            show_message(self, "warning", "Input Required",
                         "Add at least one other release (Source 2) to analyse against the reference.")
            return None
        try:
            jobs = discover_jobs(inputs)
        except VsgError as e:
            show_message(self, "warning", "Job Discovery Error", str(e))
            return None
        if not jobs:
            show_message(self, "info", "No Jobs Found", "No .mkv/.mp4/.m4v files in the Source 1 folder.")
            return None
        if need_others and all(len(j.sources) < 2 for j in jobs):
            show_message(self, "warning", "No Matching Files",
                         "None of the other sources has a file matching the reference; nothing to analyse.")
            return None
        return jobs

    def output_base(self) -> Path | None:
        text = self.out_field.text()
        if not text:
            show_message(self, "warning", "Output Folder Required", "Choose the output folder first.")
            return None
        return Path(text)

    # ================================================================ actions
    @Slot()
    def start_analysis(self) -> None:
        if self.is_running():
            return
        jobs = self._discover(need_others=True)
        if jobs is None or self.output_base() is None:
            return
        self.start_run([(QueuedJob(spec), None) for spec in jobs], analyze_only=True)

    @Slot()
    def start_merge(self) -> ManualSelectionDialog | None:
        """One job: choose its tracks, then run. Several (folders): they go to the job queue."""
        if self.is_running():
            return None
        jobs = self._discover(need_others=False)
        if jobs is None or self.output_base() is None:
            return None
        if len(jobs) > 1:
            dlg = self.open_queue()
            dlg.add_specs(jobs)
            self.log_view.append_line(f"[Queue] {len(jobs)} jobs found; configure their tracks in the queue, "
                                      "then Start Queue.")
            return None
        return self.choose_tracks(jobs[0])

    def choose_tracks(self, spec: JobSpec) -> ManualSelectionDialog | None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            tracks = identify_job(spec.sources)
        except VsgError as e:
            show_message(self, "warning", "Error Analyzing Tracks", str(e))
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        structure = tracks.structure()
        previous = None
        info = "Pre-populated with the default layout; double-click tracks to add, drag to reorder."
        if self.last_layout is not None and compatible(self.last_layout[1], structure):
            previous = self.last_layout[0]
            info = "✅ Pre-populated with the layout from the previous file."
        dlg = ManualSelectionDialog(spec.sources, tracks, previous, info, self)
        job = QueuedJob(spec, tracks=tracks, layout_note=CUSTOM_LAYOUT)

        def accepted() -> None:
            layout = dlg.layout_result
            if layout is None:
                return
            self.last_layout = (layout, structure)
            self.start_run([(job, layout)], analyze_only=False)

        dlg.accepted.connect(accepted)
        self.selection_dialog = dlg
        dlg.open()
        return dlg

    @Slot()
    def open_queue(self) -> JobQueueDialog:
        if self.queue_dialog is None:
            self.queue_dialog = JobQueueDialog(self.queue_model, self.store, self.is_running, self)
            self.queue_dialog.start_requested.connect(self.start_run)
            self.queue_dialog.log.connect(self.log_view.append_line)
        self.save_state()
        self.queue_dialog.show()
        self.queue_dialog.raise_()
        self.queue_dialog.update_buttons()
        return self.queue_dialog

    @Slot()
    def open_options(self) -> OptionsDialog:
        dlg = OptionsDialog(self.settings, self)
        dlg.saved.connect(self._options_saved)
        self.options_dialog = dlg
        dlg.open()
        return dlg

    def _options_saved(self) -> None:
        self.out_field.setText(self.settings["output_folder"])
        self.archive_box.setChecked(bool(self.settings["archive_logs"]))
        self.log_view.autoscroll = bool(self.settings["log_autoscroll"])
        self.log_view.append_line("Settings saved.")

    @Slot()
    def cancel(self) -> None:
        if self.worker is None:
            return
        self.worker.cancel()
        self.cancel_btn.setEnabled(False)
        self._set_status("Cancelling…")
        self.log_view.append_line("[WORKER] Cancel requested; stopping the running job…")

    def is_running(self) -> bool:
        return self.worker is not None

    # ================================================================ running
    def start_run(self, plan: list[tuple[QueuedJob, Layout | None]], analyze_only: bool
                  ) -> BatchWorker | None:
        if self.is_running() or not plan:
            return None
        base = self.output_base()
        if base is None:
            return None
        self.save_state()
        specs = [j.spec for j, _ in plan]
        out_dir = batch_output_dir(base, specs)
        self.run_jobs = {j.uid: j for j, _ in plan}
        for j, _ in plan:
            j.state = JobState.PENDING
            j.result = None
            self.queue_model.refresh(j.uid)
        items = [RunItem(j.uid, j.spec, layout, analyze_only, sub)
                 for (j, layout), sub in zip(plan, unique_subfolders(specs), strict=True)]
        self.log_view.clear()
        self.results.clear()
        self.last_results = []
        self.job_bar.setValue(0)
        self.overall_bar.setValue(0)
        n = len(items)
        self._set_status(f"Starting batch of {n} job{'s' if n != 1 else ''}…")
        what = "Analysis only" if analyze_only else "Analyze & Merge"
        self.log_view.append_line(f"[WORKER] {what}: {n} job(s) → {out_dir}")
        worker = BatchWorker(items, self.settings, out_dir,
                             archive=self.archive_box.isChecked() and not analyze_only)
        sig = worker.signals
        sig.log.connect(self.log_view.append_line)
        sig.progress.connect(self._job_progress)
        sig.overall.connect(self._overall_progress)
        sig.status.connect(self._set_status)
        sig.job_started.connect(self._job_started)
        sig.job_finished.connect(self._job_finished)
        sig.finished_all.connect(self._finished_all)
        self.worker = worker
        self._set_running(True)
        self.pool.start(worker)
        return worker

    def _set_running(self, running: bool) -> None:
        for w in (self.analyze_btn, self.merge_btn):
            w.setEnabled(not running)
        self.cancel_btn.setEnabled(running)
        if self.queue_dialog is not None:
            self.queue_dialog.update_buttons()

    @Slot(str)
    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)
        self.statusBar().showMessage(text)

    @Slot(float)
    def _job_progress(self, f: float) -> None:
        self.job_bar.setValue(round(100 * max(0.0, min(1.0, f))))

    @Slot(float)
    def _overall_progress(self, f: float) -> None:
        self.overall_bar.setValue(round(100 * max(0.0, min(1.0, f))))

    @Slot(int)
    def _job_started(self, uid: int) -> None:
        job = self.run_jobs.get(uid)
        if job is not None:
            job.state = JobState.RUNNING
            self.queue_model.refresh(uid)

    @Slot(int, object)
    def _job_finished(self, uid: int, result: JobResult) -> None:
        job = self.run_jobs.get(uid)
        if job is not None:
            job.result = result
            job.state = state_for(result)
            self.queue_model.refresh(uid)
        self.last_results.append(result)
        self.results.add_result(result)
        self.log_view.append_line(f"--- Job Summary for {result.name}: {result.status.upper()} ---")

    @Slot(object)
    def _finished_all(self, results: list[JobResult]) -> None:
        self.worker = None
        self._set_running(False)
        n = len(results)
        cancelled = any(r.status == CANCELLED for r in results) or n < len(self.run_jobs)
        if n > 1 or cancelled:
            for line in summary_lines(results):
                self.log_view.append_line(line)
        if cancelled:
            self._set_status(f"Cancelled after {n} of {len(self.run_jobs)} job(s); no partial output kept.")
        else:
            self._set_status(f"All {n} jobs finished." if n > 1 else self._one_line(results))
            self.job_bar.setValue(100)
            self.overall_bar.setValue(100)
        if n > 1:
            self.summary_dialog = BatchSummaryDialog(results, self)
            self.summary_dialog.open()
        elif n == 1 and results[0].status == FAILED:
            show_message(self, "error", "Job Failed", headline(results), details=results[0].error or "")
        if self.queue_dialog is not None:
            self.queue_dialog.update_buttons()

    @staticmethod
    def _one_line(results: list[JobResult]) -> str:
        if not results:
            return "Ready"
        r = results[0]
        delays = "; ".join(f"{s.key}: {'—' if s.delay_ms is None else f'{s.delay_ms:+d} ms'} ({s.diagnosis})"
                           for s in r.sources)
        text = f"{r.status}: {r.name}" + (f" — {delays}" if delays else "")
        return text + (f" — {r.error}" if r.error else "")
