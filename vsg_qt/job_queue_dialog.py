"""The job queue (docs/pipeline.md#desktop-app): add jobs, configure their tracks, copy a layout onto jobs with the
same track structure, reorder, remove, start; each job's state is shown live while the batch runs.

Layouts are kept in a :class:`vsg_core.jobs.layout_store.LayoutStore` (``<temp_root>/job_layouts``), one file
per job; a job without one runs with the default layout (as ``vsg batch`` does).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vsg_core.errors import SettingsError, VsgError
from vsg_core.jobs.layout import Layout
from vsg_core.jobs.layout_store import LayoutStore, job_id

from .add_job_dialog import AddJobDialog
from .manual_selection_dialog import ManualSelectionDialog
from .messages import show_message
from .queue_model import CUSTOM_LAYOUT, DEFAULT_LAYOUT, JobState, QueuedJob, QueueModel

RUNNABLE = (JobState.PENDING, JobState.FAILED, JobState.CANCELLED)


class JobQueueDialog(QDialog):
    start_requested = Signal(object, bool)  # list[tuple[QueuedJob, Layout | None]], analyze_only
    log = Signal(str)

    def __init__(self, model: QueueModel, store: LayoutStore, is_running: Callable[[], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Job Queue")
        self.setMinimumSize(760, 420)
        self.resize(1000, 520)
        self.setAcceptDrops(True)
        self.model = model
        self.store = store
        self.is_running = is_running
        self.clipboard: QueuedJob | None = None
        self.selection_dialog: ManualSelectionDialog | None = None
        self.add_dialog: AddJobDialog | None = None
        self.prefill: Callable[[], list[str]] | None = None   # the main window's source paths

        self.table = QTableView()
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setMinimumSectionSize(36)
        for col, width in ((0, 36), (1, 84), (2, 130)):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            hh.resizeSection(col, max(width, hh.sectionSizeHint(col)))
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.configure_selected())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.update_buttons())
        model.modelReset.connect(self.update_buttons)
        model.dataChanged.connect(lambda *_: self.update_buttons())
        model.rowsInserted.connect(lambda *_: self.update_buttons())
        model.rowsRemoved.connect(lambda *_: self.update_buttons())

        self.add_btn = QPushButton("Add Job(s)…")
        self.configure_btn = QPushButton("Configure Tracks…")
        self.copy_btn = QPushButton("Copy Layout")
        self.paste_btn = QPushButton("Paste Layout")
        self.up_btn = QPushButton("Move Up")
        self.down_btn = QPushButton("Move Down")
        self.remove_btn = QPushButton("Remove Selected")
        self.clear_done_btn = QPushButton("Remove Finished")
        self.add_btn.clicked.connect(lambda: self.open_add_dialog())
        self.configure_btn.clicked.connect(self.configure_selected)
        self.copy_btn.clicked.connect(self.copy_layout)
        self.paste_btn.clicked.connect(self.paste_layout)
        self.up_btn.clicked.connect(lambda: self.move_selected(-1))
        self.down_btn.clicked.connect(lambda: self.move_selected(1))
        self.remove_btn.clicked.connect(self.remove_selected)
        self.clear_done_btn.clicked.connect(self.remove_finished)
        side = QVBoxLayout()
        for b in (self.add_btn, self.configure_btn, self.copy_btn, self.paste_btn, self.up_btn, self.down_btn,
                  self.remove_btn, self.clear_done_btn):
            side.addWidget(b)
        side.addStretch(1)

        self.analyze_only_box = QCheckBox("Analyze only (no merge)")
        self.start_btn = QPushButton("Start Queue")
        self.start_btn.setDefault(True)
        self.start_btn.clicked.connect(self.start)
        self.close_btn = QPushButton("Close")
        self.close_btn.clicked.connect(self.accept)
        self.hint = QLabel("Drop files or folders here to add jobs. Jobs without a layout use the default "
                           "one (reference video, audio and subtitles, then every other source's audio and "
                           "subtitles).")
        self.hint.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.analyze_only_box)
        bottom.addStretch(1)
        bottom.addWidget(self.start_btn)
        bottom.addWidget(self.close_btn)
        mid = QHBoxLayout()
        mid.addWidget(self.table, 1)
        mid.addLayout(side)
        lay = QVBoxLayout(self)
        lay.addWidget(self.hint)
        lay.addLayout(mid, 1)
        lay.addLayout(bottom)

        QShortcut(QKeySequence("Ctrl+Up"), self, lambda: self.move_selected(-1))
        QShortcut(QKeySequence("Ctrl+Down"), self, lambda: self.move_selected(1))
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table, self.remove_selected)
        self.update_buttons()

    # ---------------------------------------------------------------- selection
    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.table.selectionModel().selectedRows()})

    def selected_jobs(self) -> list[QueuedJob]:
        return [self.model.jobs[r] for r in self.selected_rows()]

    def select_rows(self, rows: list[int]) -> None:
        sm = self.table.selectionModel()
        sm.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for r in rows:
            sm.select(self.model.index(r, 0), flags)
        if rows:
            sm.setCurrentIndex(self.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)

    def update_buttons(self) -> None:
        jobs = self.selected_jobs()
        running = self.is_running()
        one = len(jobs) == 1
        idle_sel = bool(jobs) and all(j.state is not JobState.RUNNING for j in jobs)
        self.configure_btn.setEnabled(one and jobs[0].state is not JobState.RUNNING)
        self.copy_btn.setEnabled(one and jobs[0].layout_note != DEFAULT_LAYOUT)
        self.paste_btn.setEnabled(self.clipboard is not None and idle_sel)
        rows = self.selected_rows()
        self.up_btn.setEnabled(bool(rows) and rows[0] > 0)
        self.down_btn.setEnabled(bool(rows) and rows[-1] < len(self.model.jobs) - 1)
        self.remove_btn.setEnabled(idle_sel)
        self.clear_done_btn.setEnabled(any(j.state is JobState.DONE for j in self.model.jobs))
        self.start_btn.setEnabled(not running and any(j.state in RUNNABLE for j in self.model.jobs))
        self.start_btn.setText("Running…" if running else "Start Queue")

    # ---------------------------------------------------------------- add
    def open_add_dialog(self, initial: list[str] | None = None) -> AddJobDialog:
        """``initial`` paths (dropped files); else the main window's sources pre-fill the rows."""
        if initial is None and self.prefill is not None:
            initial = self.prefill()
        dlg = AddJobDialog(initial or [], self)
        dlg.accepted.connect(lambda: self.add_specs(dlg.jobs))
        self.add_dialog = dlg
        dlg.open()
        return dlg

    def add_specs(self, specs: list) -> list[QueuedJob]:
        jobs = [QueuedJob(spec) for spec in specs]
        for j in jobs:
            if self.store.path_for(job_id(j.spec.sources)).exists():
                j.layout_note = CUSTOM_LAYOUT
        self.model.add(jobs)
        self.log.emit(f"[Queue] Added {len(jobs)} job(s).")
        return jobs

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.open_add_dialog(paths)

    # ---------------------------------------------------------------- configure
    def configure_selected(self) -> ManualSelectionDialog | None:
        jobs = self.selected_jobs()
        if len(jobs) != 1 or jobs[0].state is JobState.RUNNING:
            return None
        return self.configure(jobs[0])

    def configure(self, job: QueuedJob) -> ManualSelectionDialog | None:
        try:
            tracks = job.ensure_tracks()
            loaded = self.store.load(job.spec.sources)
        except VsgError as e:
            show_message(self, "warning", "Error Analyzing Tracks", str(e))
            return None
        previous = loaded[0] if loaded else None
        info = "Pre-populated with this job's saved layout." if previous else \
            "Pre-populated with the default layout."
        dlg = ManualSelectionDialog(job.spec.sources, tracks, previous, info, self)
        dlg.accepted.connect(lambda: self._save_layout(job, dlg.layout_result))
        self.selection_dialog = dlg
        dlg.open()
        return dlg

    def _save_layout(self, job: QueuedJob, layout: Layout | None) -> None:
        if layout is None or job.tracks is None:
            return
        try:
            self.store.save(job.spec.sources, layout, job.tracks.tracks)
        except OSError as e:
            show_message(self, "error", "Save Failed", f"Could not save the layout of {job.name}: {e}")
            return
        job.layout_note = CUSTOM_LAYOUT
        if job.state is not JobState.RUNNING:
            job.state = JobState.PENDING
        self.model.refresh(job.uid)
        self.log.emit(f"[Queue] Layout saved for {job.name} ({len(layout.entries)} tracks).")

    # ---------------------------------------------------------------- copy / paste
    def copy_layout(self) -> None:
        jobs = self.selected_jobs()
        if len(jobs) != 1 or jobs[0].layout_note == DEFAULT_LAYOUT:
            show_message(self, "info", "Copy Layout", "Select one job that has a layout (configure it).")
            return
        self.clipboard = jobs[0]
        self.log.emit(f"[Queue] Copied layout from {jobs[0].name}.")
        self.update_buttons()

    def paste_layout(self) -> tuple[list[QueuedJob], list[QueuedJob]]:
        """Apply the copied layout to each selected job with the same track structure; (pasted, skipped)."""
        src = self.clipboard
        pasted: list[QueuedJob] = []
        skipped: list[QueuedJob] = []
        if src is None:
            return pasted, skipped
        src_row = self.model.row_of(src.uid) + 1
        for job in self.selected_jobs():
            if job is src or job.state is JobState.RUNNING:
                continue
            try:
                tracks = job.ensure_tracks()
                self.store.copy(src.spec.sources, job.spec.sources, tracks.tracks)
            except VsgError as e:  # a different track structure (SettingsError) or an unreadable source
                skipped.append(job)
                self.log.emit(f"[Queue] Skipped {job.name}: {e}")
                continue
            job.layout_note = f"Copied from #{src_row}" if src_row > 0 else f"Copied from {src.name}"
            if job.state is not JobState.RUNNING:
                job.state = JobState.PENDING
            pasted.append(job)
            self.model.refresh(job.uid)
        text = f"Layout of {src.name} pasted onto {len(pasted)} job(s)."
        if skipped:
            text += (f"\n{len(skipped)} job(s) skipped (a different track structure, see the log): "
                     + ", ".join(j.name for j in skipped))
        self.log.emit(f"[Queue] {text}")
        show_message(self, "info" if not skipped else "warning", "Paste Layout", text)
        return pasted, skipped

    # ---------------------------------------------------------------- order / remove
    def move_selected(self, delta: int) -> None:
        rows = self.selected_rows()
        if rows:
            self.select_rows(self.model.move_rows(rows, delta))

    def remove_selected(self) -> None:
        rows = [r for r in self.selected_rows() if self.model.jobs[r].state is not JobState.RUNNING]
        self._remove(rows)

    def remove_finished(self) -> None:
        self._remove([r for r, j in enumerate(self.model.jobs) if j.state is JobState.DONE])

    def _remove(self, rows: list[int]) -> None:
        removed = self.model.remove_rows(rows)
        left = {job_id(j.spec.sources) for j in self.model.jobs}
        for j in removed:
            jid = job_id(j.spec.sources)
            if jid not in left:
                self.store.path_for(jid).unlink(missing_ok=True)
            if self.clipboard is j:
                self.clipboard = None
        self.update_buttons()

    # ---------------------------------------------------------------- start
    def start(self) -> None:
        if self.is_running():
            return
        todo = [j for j in self.model.jobs if j.state in RUNNABLE]
        if not todo:
            show_message(self, "info", "Nothing to Run", "Every job in the queue has finished; add jobs.")
            return
        plan: list[tuple[QueuedJob, Layout | None]] = []
        for j in todo:
            try:
                loaded = self.store.load(j.spec.sources)
            except SettingsError as e:
                show_message(self, "warning", "Layout Unreadable", str(e))
                return
            plan.append((j, loaded[0] if loaded else None))
        self.start_requested.emit(plan, self.analyze_only_box.isChecked())
        self.update_buttons()

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for text, fn, enabled in (("Configure…", self.configure_selected, self.configure_btn.isEnabled()),
                                  ("Copy Layout", self.copy_layout, self.copy_btn.isEnabled()),
                                  ("Paste Layout", self.paste_layout, self.paste_btn.isEnabled()),
                                  ("Remove from Queue", self.remove_selected, self.remove_btn.isEnabled())):
            act = QAction(text, menu)
            act.setEnabled(enabled)
            act.triggered.connect(lambda _c=False, f=fn: f())
            menu.addAction(act)
        menu.popup(self.table.viewport().mapToGlobal(pos))
