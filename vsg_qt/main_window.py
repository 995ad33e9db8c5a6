"""The main window: sources (checked as they are filled), output folder, Analyze Only / Analyze & Merge, the
job queue, progress of the running job (phase, source, chunk) and of a batch, results with one deviation plot
per source, and the live log (compact or full). Fits 1024×640: the content scrolls when the window is smaller
than its minimum layout."""

from __future__ import annotations

import dataclasses
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
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from vsg_core.config import Settings
from vsg_core.errors import SettingsError, VsgError
from vsg_core.jobs.discovery import JobSpec, discover_jobs
from vsg_core.jobs.layout import Layout, compatible
from vsg_core.jobs.layout_store import LayoutStore
from vsg_core.pipeline import CANCELLED, JobResult
from vsg_core.pipeline.output_policy import existing_output
from vsg_core.progress import ProgressEvent

from .batch_summary import BatchSummaryDialog, needs_review, summary_lines
from .elided_label import ElidedLabel
from .formatting import diagnosis_text, ms_text, status_ok
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
from .source_check import check_output_folder, check_source
from .track_info import identify_job
from .worker import BatchWorker, RunItem

TITLE = "vsg — Video Sync & Merge"
PATH_KEYS = ("last_ref_path", "last_sec_path", "last_ter_path")
DEFAULT_SIZE = (1150, 720)
BAR_STEPS = 1000


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
        self.last_event: ProgressEvent | None = None
        self.job_index = 0
        self.setAcceptDrops(True)
        self._build()
        self._load_state()
        for w in self.settings.warnings:
            self.log_view.append_line(w)

    # ================================================================ layout
    def _build(self) -> None:
        content = QWidget()
        root = QVBoxLayout(content)
        root.setContentsMargins(8, 6, 8, 6)
        root.setSpacing(6)

        top = QHBoxLayout()
        self.options_btn = QPushButton("Settings…")
        self.options_btn.clicked.connect(self.open_options)
        self.queue_btn = QPushButton("Open Job Queue…")
        f = QFont(self.queue_btn.font())
        f.setBold(True)
        self.queue_btn.setFont(f)
        self.queue_btn.clicked.connect(self.open_queue)
        self.archive_box = QCheckBox("Archive logs to a zip file when a batch ends")
        top.addWidget(self.queue_btn)
        top.addWidget(self.archive_box)
        top.addStretch(1)
        top.addWidget(self.options_btn)
        root.addLayout(top)

        src_box = QGroupBox("Sources")
        form = QFormLayout(src_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(4)
        self.ref_field = PathField("Source 1 (Reference)", check=check_source)
        form.addRow("Source 1 (Reference):", self.ref_field)
        self.other_fields: list[PathField] = []
        for n in (2, 3):
            fld = PathField(f"Source {n}", check=check_source)
            self.other_fields.append(fld)
            form.addRow(f"Source {n}:", fld)
        self.out_field = PathField("Output folder", mode="dir", check=check_output_folder, background=False)
        form.addRow("Output folder:", self.out_field)
        for fld in self.fields():
            fld.checked.connect(lambda _c: self.update_actions())
        actions = QHBoxLayout()
        self.inputs_hint = ElidedLabel("")
        self.inputs_hint.setStyleSheet("color: #616161")
        self.analyze_btn = QPushButton("Analyze Only")
        self.analyze_btn.clicked.connect(self.start_analysis)
        self.merge_btn = QPushButton("Analyze && Merge…")
        self.merge_btn.clicked.connect(self.start_merge)
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.cancel)
        actions.addWidget(self.inputs_hint, 1)
        for b in (self.analyze_btn, self.merge_btn, self.cancel_btn):
            actions.addWidget(b)
        form.addRow(actions)
        root.addWidget(src_box)

        bars = QHBoxLayout()
        bars.setSpacing(6)
        self.job_label = QLabel("Job:")
        self.job_bar = QProgressBar()
        self.job_bar.setRange(0, BAR_STEPS)
        self.job_bar.setValue(0)
        self.overall_label = QLabel("Overall:")
        self.overall_bar = QProgressBar()
        self.overall_bar.setRange(0, BAR_STEPS)
        bars.addWidget(self.job_label)
        bars.addWidget(self.job_bar, 1)
        bars.addWidget(self.overall_label)
        bars.addWidget(self.overall_bar, 1)
        root.addLayout(bars)
        status_row = QHBoxLayout()
        status_row.setSpacing(6)
        status_row.addWidget(QLabel("Status:"))
        self.status_label = ElidedLabel("Ready")
        status_row.addWidget(self.status_label, 1)
        root.addLayout(status_row)
        self._show_overall(False)

        self.results = ResultsPanel()
        res_box = QGroupBox("Latest Job Results")
        rl = QVBoxLayout(res_box)
        rl.setContentsMargins(6, 4, 6, 6)
        rl.addWidget(self.results)
        self.log_view = LogView()
        # the log's Show Full Log button sits at the end of the status line: one row less for small screens
        self.log_view.show_hint = False
        self.log_view.hint.hide()
        self.log_view.compact.setToolTip("Commands and error output are folded: click the arrow before a line "
                                         "to expand it. Show Full Log lists every line.")
        status_row.addWidget(self.log_view.toggle_btn)
        log_box = QGroupBox("Log")
        ll = QVBoxLayout(log_box)
        ll.setContentsMargins(6, 4, 6, 6)
        ll.addWidget(self.log_view)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(res_box)
        self.splitter.addWidget(log_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([650, 350])
        self.splitter.setChildrenCollapsible(False)
        root.addWidget(self.splitter, 1)

        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(content)
        content.setMinimumSize(760, 600)
        self.setCentralWidget(self.scroll)
        self._fit_to_screen()
        self.update_actions()

    def _fit_to_screen(self) -> None:
        """The default size, shrunk to the screen's available area (a 768-pixel-high laptop included)."""
        w, h = DEFAULT_SIZE
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            avail = screen.availableGeometry()
            w, h = min(w, avail.width() - 20), min(h, avail.height() - 40)
        self.resize(max(640, w), max(480, h))

    def fields(self) -> list[PathField]:
        return [self.ref_field, *self.other_fields, self.out_field]

    def _show_overall(self, show: bool) -> None:
        self.overall_label.setVisible(show)
        self.overall_bar.setVisible(show)

    # ================================================================ validation
    def input_problem(self, need_others: bool) -> str | None:
        """Why the inputs cannot run yet (None: they can)."""
        ref = self.ref_field
        if not ref.text():
            return "Choose the reference release (Source 1)."
        pending = [f for f in self.fields() if f.is_pending]
        if pending:
            return "Checking the inputs…"
        if not ref.is_valid:
            return f"Source 1: {ref.state.text}"
        for n, fld in enumerate(self.other_fields, start=2):
            if fld.text() and not fld.is_valid:
                return f"Source {n}: {fld.state.text}"
        if need_others and not any(f.text() and f.is_valid for f in self.other_fields):
            return "Add another release (Source 2) to analyse against the reference."
        if not self.out_field.is_valid:
            return f"Output folder: {self.out_field.state.text}"
        return None

    def update_actions(self) -> None:
        running = self.is_running()
        analyze = self.input_problem(need_others=True)
        merge = self.input_problem(need_others=False)
        self.analyze_btn.setEnabled(not running and analyze is None)
        self.merge_btn.setEnabled(not running and merge is None)
        self.analyze_btn.setToolTip(analyze or "Measure each source's delay against the reference "
                                               "(writes only logs).")
        self.merge_btn.setToolTip(merge or "Choose the output's tracks, then analyse and mux them into one MKV.")
        self.inputs_hint.setText("" if running else (analyze if merge is None and analyze else merge or ""))

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
            self._keep_on_screen()
        split = self.ui_state.value("main/splitter")
        if split is not None:
            self.splitter.restoreState(split)

    def _keep_on_screen(self) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        if self.width() > avail.width() or self.height() > avail.height():
            self.resize(min(self.width(), avail.width() - 20), min(self.height(), avail.height() - 40))

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
            info = "Pre-populated with the layout from the previous file."
        dlg = ManualSelectionDialog(spec.sources, tracks, previous, info, self)
        job = QueuedJob(spec, tracks=tracks, layout_note=CUSTOM_LAYOUT)

        def accepted() -> None:
            layout = dlg.layout_result
            if layout is None:
                return
            self.last_layout = (layout, structure)
            try:  # the queue re-runs this job with the same layout
                self.store.save(spec.sources, layout, tracks.tracks)
            except OSError as e:
                self.log_view.append_line(f"[WARNING] Could not keep the layout for the queue: {e}")
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
            self.queue_dialog.prefill = lambda: [f.text() for f in (self.ref_field, *self.other_fields)
                                                 if f.text()]
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
        phase = self.last_event.label if self.last_event is not None else "the job"
        self._set_status(f"Cancelling ({phase})…")
        self.log_view.append_line(f"[WORKER] Cancel requested during {phase}; stopping the running job…")

    def is_running(self) -> bool:
        return self.worker is not None

    def confirm_overwrite(self, files: list[Path]) -> bool:
        """Ask before replacing existing outputs (each is replaced only after its new file passed the audit)."""
        shown = "\n".join(str(f) for f in files[:10]) + (f"\n… and {len(files) - 10} more" if len(files) > 10 else "")
        answer = QMessageBox.question(
            self, "Replace existing output?",
            f"{len(files)} output file(s) already exist:\n{shown}\n\nReplace them? Each is replaced only after "
            "the new file has passed its audit; otherwise it is kept unchanged.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

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
        new = [j for j, _ in plan if self.queue_model.row_of(j.uid) < 0]
        if new:  # jobs started from the main window are recorded in the queue too
            self.queue_model.add(new)
        for j, _ in plan:
            j.state = JobState.PENDING
            j.result = None
            self.queue_model.refresh(j.uid)
        items = [RunItem(j.uid, j.spec, layout, analyze_only, sub)
                 for (j, layout), sub in zip(plan, unique_subfolders(specs), strict=True)]
        if not analyze_only:
            existing = [(i, f) for i, it in enumerate(items)
                        if (f := existing_output(it.spec.reference, it.spec.sources,
                                                 output_dir=out_dir / it.subfolder if it.subfolder else out_dir))]
            if existing:
                if not self.confirm_overwrite([f for _, f in existing]):
                    self._set_status("Not started: the output files exist and were kept")
                    return None
                for i, _ in existing:
                    items[i] = dataclasses.replace(items[i], overwrite=True)
        self.log_view.clear()
        self.results.clear()
        self.last_results = []
        self.last_event = None
        self.job_index = 0
        self.job_bar.setValue(0)
        self.job_bar.setFormat("%p%")
        self.overall_bar.setValue(0)
        n = len(items)
        self._show_overall(n > 1)
        self._set_status(f"Starting {n} job{'s' if n != 1 else ''}…")
        what = "Analysis only" if analyze_only else "Analyze & Merge"
        self.log_view.append_line(f"[WORKER] {what}: {n} job(s) → {out_dir}")
        worker = BatchWorker(items, self.settings, out_dir,
                             archive=self.archive_box.isChecked() and not analyze_only)
        sig = worker.signals
        sig.log.connect(self.log_view.append_line)
        sig.progress.connect(self._job_progress)
        sig.overall.connect(self._overall_progress)
        sig.event.connect(self._progress_event)
        sig.job_started.connect(self._job_started)
        sig.job_finished.connect(self._job_finished)
        sig.finished_all.connect(self._finished_all)
        self.worker = worker
        self._set_running(True)
        self.pool.start(worker)
        return worker

    def _set_running(self, running: bool) -> None:
        self.cancel_btn.setEnabled(running)
        self.update_actions()
        if self.queue_dialog is not None:
            self.queue_dialog.update_buttons()

    @Slot(str)
    def _set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def _job_prefix(self) -> str:
        n = len(self.run_jobs)
        return f"Job {self.job_index}/{n} · " if n > 1 else ""

    @Slot(object)
    def _progress_event(self, e: ProgressEvent) -> None:
        if self.worker is None:
            return
        self.last_event = e
        self._set_status(self._job_prefix() + e.text)

    @Slot(float)
    def _job_progress(self, f: float) -> None:
        if self.worker is None:
            return
        self.job_bar.setValue(round(BAR_STEPS * max(0.0, min(1.0, f))))

    @Slot(float)
    def _overall_progress(self, f: float) -> None:
        self.overall_bar.setValue(round(BAR_STEPS * max(0.0, min(1.0, f))))

    @Slot(int)
    def _job_started(self, uid: int) -> None:
        self.job_index += 1
        self.last_event = None
        self.job_bar.setValue(0)
        self.job_bar.setFormat("%p%")
        job = self.run_jobs.get(uid)
        if job is not None:
            job.state = JobState.RUNNING
            self.queue_model.refresh(uid)
            self._set_status(self._job_prefix() + f"Starting {job.name}…")

    @Slot(int, object)
    def _job_finished(self, uid: int, result: JobResult) -> None:
        job = self.run_jobs.get(uid)
        if job is not None:
            job.result = result
            job.state = state_for(result)
            self.queue_model.refresh(uid)
        self.last_results.append(result)
        self.results.add_result(result)
        if not result.ok:
            phase = self.last_event.label if self.last_event is not None else "the start"
            word = "cancelled" if result.status == CANCELLED else "failed"
            self.job_bar.setFormat(f"{word} during {phase} (%p%)")
        self.log_view.append_line(f"--- Job Summary for {result.name}: {result.status.upper()} ---")

    @Slot(object)
    def _finished_all(self, results: list[JobResult]) -> None:
        last_event = self.last_event
        self.worker = None
        self._set_running(False)
        n = len(results)
        cancelled = any(r.status == CANCELLED for r in results) or n < len(self.run_jobs)
        if n > 1 or cancelled:
            for line in summary_lines(results):
                self.log_view.append_line(line)
        if cancelled:
            phase = last_event.label if last_event is not None else "the start"
            where = f"job {n} of {len(self.run_jobs)}" if len(self.run_jobs) > 1 else "the job"
            self._set_status(f"Cancelled during {phase} ({where}); no partial output kept.")
        else:
            self._set_status(f"All {n} jobs finished: {sum(r.ok for r in results)} succeeded."
                             if n > 1 else self._one_line(results))
        if n > 1:
            self.summary_dialog = BatchSummaryDialog(results, self)
            self.summary_dialog.open()
        elif n == 1:
            r = results[0]
            audit_failed = r.audit is not None and not r.audit.ok
            if not r.ok and r.status != CANCELLED and not audit_failed:
                show_message(self, "error", "Job Failed", r.error or f"The job ended with status {r.status}.",
                             details=self._failure_details(r))
            elif r.status != CANCELLED and needs_review(r):
                self.summary_dialog = BatchSummaryDialog(results, self)
                self.summary_dialog.open()
        if self.queue_dialog is not None:
            self.queue_dialog.update_buttons()

    def _failure_details(self, r: JobResult) -> str:
        """The end of the job's log (file when it exists, else the log pane)."""
        text = ""
        if r.log_path is not None:
            try:
                text = Path(r.log_path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
        lines = (text or self.log_view.toPlainText()).splitlines()[-80:]
        head = f"Log: {r.log_path}\n\n" if r.log_path else ""
        return head + "\n".join(lines)

    @staticmethod
    def _one_line(results: list[JobResult]) -> str:
        if not results:
            return "Ready"
        r = results[0]
        delays = "; ".join(f"{s.key}: {ms_text(s.delay_ms)} ({diagnosis_text(s.diagnosis)})" for s in r.sources)
        text = f"{r.status}: {r.name}" + (f" — {delays}" if delays else "")
        if not status_ok(r.status) and r.error:
            text += f" — {r.error}"
        return text
