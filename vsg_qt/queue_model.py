"""Jobs the window runs (single jobs and the queue) and the table model the job queue dialog shows."""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from vsg_core.jobs.discovery import JobSpec
from vsg_core.pipeline import ANALYZED, CANCELLED, MERGED, JobResult
from vsg_core.sources import sort_sources

from .formatting import ms_text
from .track_info import JobTracks, identify_job

_uids = itertools.count(1)


class JobState(str, enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


def state_for(result: JobResult) -> JobState:
    if result.status in (MERGED, ANALYZED):
        return JobState.DONE
    if result.status == CANCELLED:
        return JobState.CANCELLED
    return JobState.FAILED


DEFAULT_LAYOUT = "Default layout"
CUSTOM_LAYOUT = "Custom layout"


@dataclass(eq=False)
class QueuedJob:
    """One job with its state, its cached track listing and, once run, its result."""

    spec: JobSpec
    uid: int = field(default_factory=lambda: next(_uids))
    state: JobState = JobState.PENDING
    layout_note: str = DEFAULT_LAYOUT
    tracks: JobTracks | None = None
    result: JobResult | None = None

    @property
    def name(self) -> str:
        return self.spec.reference.name

    @property
    def sources_text(self) -> str:
        return " + ".join(Path(self.spec.sources[k]).name for k in sort_sources(list(self.spec.sources)))

    @property
    def sources_tooltip(self) -> str:
        return "\n".join(f"{k}: {self.spec.sources[k]}" for k in sort_sources(list(self.spec.sources)))

    def ensure_tracks(self) -> JobTracks:
        """Identify the sources once (``mkvmerge -J``); MediaError when one cannot be read."""
        if self.tracks is None:
            self.tracks = identify_job(self.spec.sources)
        return self.tracks

    @property
    def result_text(self) -> str:
        r = self.result
        if r is None:
            return ""
        delays = ", ".join(f"{s.key}: {delay_text(s.delay_ms)}" for s in r.sources)
        if not r.ok:
            return f"{r.status}: {r.error}" if r.error else (f"{r.status}: {delays}" if delays else r.status)
        return delays or r.status


def delay_text(ms: int | None) -> str:
    return ms_text(ms)


def job_title(result: JobResult) -> str:
    """``ref.mkv`` for a folder batch (same name everywhere), else ``ref.mkv + other.mkv``."""
    names = [result.name] + [s.path.name for s in result.sources if s.path.name != result.name]
    return " + ".join(names)


def natural_key(path: Path | str) -> list[Any]:
    """Digit runs compare as numbers, text case-insensitively ("ep2" < "Ep10")."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", Path(path).name)]


def batch_output_dir(base: Path, jobs: Sequence[JobSpec]) -> Path:
    """One job → ``base``; several → ``base/<folder of the first job's Source 1>`` (docs/pipeline.md#desktop-app)."""
    if len(jobs) <= 1:
        return base
    return base / (jobs[0].reference.parent.name or "batch")


def unique_subfolders(jobs: Sequence[JobSpec]) -> list[str]:
    """Output and log are named after Source 1, so jobs sharing a reference file name would overwrite each
    other: the second and later ones get a subfolder ``"<stem> (2)"`` …; the first and unique ones ``""``."""
    seen: dict[str, int] = {}
    out = []
    for j in jobs:
        key = j.reference.stem.lower()
        seen[key] = seen.get(key, 0) + 1
        out.append("" if seen[key] == 1 else f"{j.reference.stem} ({seen[key]})")
    return out


STATE_COLOURS = {
    JobState.RUNNING: "#1565c0",
    JobState.DONE: "#2e7d32",
    JobState.FAILED: "#c62828",
    JobState.CANCELLED: "#757575",
}


DISPLAY = Qt.ItemDataRole.DisplayRole


class QueueModel(QAbstractTableModel):
    COLUMNS = ("#", "State", "Layout", "Sources", "Result")

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[QueuedJob] = []

    # ---------------------------------------------------------------- Qt model API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.jobs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        job = self.jobs[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(index.row() + 1), job.state.value, job.layout_note, job.sources_text,
                    job.result_text)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 3:
                return job.sources_tooltip
            if col == 4 and job.result is not None:
                return "\n".join([job.result_text, *job.result.warnings])
            return (str(index.row() + 1), job.state.value, job.layout_note, "", "")[col] or None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 0:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 1 and job.state in STATE_COLOURS:
            return QBrush(QColor(STATE_COLOURS[job.state]))
        if role == Qt.ItemDataRole.FontRole and col == 1 and job.state is JobState.RUNNING:
            f = QFont()
            f.setBold(True)
            return f
        return None

    # ---------------------------------------------------------------- edits
    def add(self, jobs: Iterable[QueuedJob]) -> None:
        new = sorted(jobs, key=lambda j: natural_key(j.spec.reference))
        if not new:
            return
        first = len(self.jobs)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self.jobs.extend(new)
        self.endInsertRows()

    def remove_rows(self, rows: Iterable[int]) -> list[QueuedJob]:
        removed = []
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self.jobs):
                self.beginRemoveRows(QModelIndex(), row, row)
                removed.append(self.jobs.pop(row))
                self.endRemoveRows()
        return removed[::-1]

    def move_rows(self, rows: Iterable[int], delta: int) -> list[int]:
        """Move the selected rows up (-1) or down (+1) as a block; returns their new rows."""
        sel = sorted(set(r for r in rows if 0 <= r < len(self.jobs)))
        if not sel or delta not in (-1, 1):
            return sel
        if (delta < 0 and sel[0] == 0) or (delta > 0 and sel[-1] == len(self.jobs) - 1):
            return sel
        picked = [self.jobs[r] for r in sel]
        rest = [j for i, j in enumerate(self.jobs) if i not in set(sel)]
        at = sel[0] + delta
        self.beginResetModel()
        self.jobs = rest[:at] + picked + rest[at:]
        self.endResetModel()
        return list(range(at, at + len(picked)))

    def row_of(self, uid: int) -> int:
        return next((i for i, j in enumerate(self.jobs) if j.uid == uid), -1)

    def find(self, uid: int) -> QueuedJob | None:
        row = self.row_of(uid)
        return self.jobs[row] if row >= 0 else None

    def refresh(self, uid: int | None = None) -> None:
        if uid is None:
            if self.jobs:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.jobs) - 1, len(self.COLUMNS) - 1))
            return
        row = self.row_of(uid)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
