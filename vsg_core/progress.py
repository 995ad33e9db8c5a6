"""Structured progress of one job: which phase runs, which source and chunk, and how far the whole job is.

The orchestrator creates a :class:`ProgressReporter` for the job and installs it with :func:`progress_scope`
(like :mod:`vsg_core.cancel`); code deep in the job reports what it is doing through the module functions
(:func:`report_phase`, :func:`report_source`, :func:`report_chunks`, :func:`report_fraction`), which do
nothing when no reporter is installed. Each report becomes a :class:`ProgressEvent` handed to the caller's
callback (the desktop app turns it into its status text and bars). No Qt here.

How the job's 0–1 fraction is split between phases is described in docs/progress.md. The fraction never goes
backwards, and only :meth:`ProgressReporter.finish` (a job that really finished) reaches 1.0.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# phase key → (start, end) of the job's fraction. A merge job's analysis ends at 40 %, the mux phase is the
# longest external command; the spans match the checkpoints the orchestrator has always reported.
MERGE_SPANS: dict[str, tuple[float, float]] = {
    "analysis": (0.0, 0.40),
    "correction": (0.40, 0.45),
    "extraction": (0.45, 0.55),
    "preparation": (0.55, 0.75),
    "mux": (0.75, 0.90),
    "audit": (0.90, 1.0),
}
ANALYZE_SPANS: dict[str, tuple[float, float]] = {"analysis": (0.0, 0.999)}
LABELS = {"analysis": "Analyzing", "correction": "Correcting audio", "extraction": "Extracting tracks",
          "preparation": "Preparing the merge", "mux": "Muxing", "audit": "Auditing the output"}
# the orchestrator's phase names (log sections) → phase key
PHASE_OF = {"analysis": "analysis", "extraction": "extraction", "subtitle processing": "preparation",
            "chapters": "preparation", "attachments": "preparation", "merge planning": "preparation",
            "mux": "mux", "audit": "audit"}
CHUNK_START = 0.1   # share of a source's analysis before its first chunk is correlated (probe and decode)


def phase_key(name: str) -> str | None:
    """The phase key of an orchestrator phase name (``"Merge Planning"`` → ``preparation``); None if unknown.

    Any name containing "correct" is the correction phase, whatever the correction step calls itself."""
    low = name.strip().lower()
    if low in PHASE_OF:
        return PHASE_OF[low]
    if "correct" in low:
        return "correction"
    return None


@dataclass(frozen=True)
class ProgressEvent:
    phase: str                 # analysis, correction, extraction, preparation, mux, audit
    fraction: float            # the whole job, 0–1
    phase_fraction: float      # the current phase, 0–1
    source: str | None = None  # "Source 2" while a source is analysed
    source_index: int = 0      # 1-based position of ``source`` among the analysed sources
    source_count: int = 0
    step: int | None = None    # chunks correlated so far
    steps: int | None = None   # chunks in all

    @property
    def label(self) -> str:
        return LABELS.get(self.phase, self.phase.capitalize())

    @property
    def text(self) -> str:
        """``Analyzing Source 2 — chunk 4/10``, ``Muxing — 45 %``, …"""
        if self.phase == "analysis" and self.source:
            where = f" ({self.source_index}/{self.source_count})" if self.source_count > 1 else ""
            if self.steps:
                return f"Analyzing {self.source}{where} — chunk {self.step}/{self.steps}"
            return f"Analyzing {self.source}{where} — decoding audio"
        if self.phase_fraction > 0.0:
            return f"{self.label} — {self.phase_fraction * 100:.0f} %"
        return self.label


class ProgressReporter:
    """Turns reports into :class:`ProgressEvent`s and a monotonic job fraction."""

    def __init__(self, on_event: Callable[[ProgressEvent], None] | None = None,
                 on_fraction: Callable[[float], None] | None = None, analyze_only: bool = False) -> None:
        self.on_event = on_event
        self.on_fraction = on_fraction
        self.spans = ANALYZE_SPANS if analyze_only else MERGE_SPANS
        self.phase = "analysis"
        self.fraction = 0.0
        self.phase_fraction = 0.0
        self.source: str | None = None
        self.source_index = 0
        self.source_count = 0
        self.step: int | None = None
        self.steps: int | None = None
        self.part: tuple[int, int] | None = None   # (index, count): the phase's work is split in equal parts
        self.events: list[ProgressEvent] = []   # every event of the job, for the log and tests
        self.finished = False

    # ---------------------------------------------------------------- reports
    def enter_phase(self, name: str) -> None:
        key = phase_key(name)
        if key is None or key not in self.spans:
            return
        if key != self.phase:
            self.phase, self.phase_fraction = key, 0.0
            self.source, self.step, self.steps, self.part = None, None, None, None
        self._emit(self._job_fraction(0.0) if key != "analysis" else self.fraction)

    def enter_source(self, key: str, index: int, count: int) -> None:
        """``index`` is 0-based; ``count`` the number of sources analysed against the reference."""
        self.source, self.source_index, self.source_count = key, index + 1, max(1, count)
        self.step, self.steps = None, None
        self._set_phase_fraction(index / self.source_count)

    def chunks(self, done: int, total: int) -> None:
        if total <= 0:
            return
        self.step, self.steps = max(0, min(done, total)), total
        within = CHUNK_START + (1.0 - CHUNK_START) * self.step / total
        if self.source is not None and self.source_count:
            self._set_phase_fraction((self.source_index - 1 + within) / self.source_count)
        else:
            self.phase_progress(within)

    def enter_part(self, index: int, count: int) -> None:
        """The phase's work is ``count`` equal parts (e.g. one per file) and part ``index`` (0-based) starts:
        later fractions (a tool's percentage, chunks) move the bar within that part."""
        self.part = (max(0, index), max(1, count))
        self._set_phase_fraction(self.part[0] / self.part[1])

    def phase_progress(self, f: float) -> None:
        """The current phase (or part of it) is ``f`` done (e.g. mkvmerge's own percentage)."""
        if self.part is not None:
            i, n = self.part
            f = (i + _clamp(f)) / n
        self._set_phase_fraction(f)

    def job_fraction(self, f: float) -> None:
        """A checkpoint of the whole job (the orchestrator's plain float progress)."""
        f = _clamp(f)
        if f >= 1.0:
            self.finish()
        elif f > self.fraction:
            self._emit(f)

    def finish(self) -> None:
        """The job really finished: the only way the fraction reaches 1.0."""
        self.finished = True
        self.phase_fraction = 1.0
        self._emit(1.0, force=True)

    # ---------------------------------------------------------------- internals
    def _job_fraction(self, within: float) -> float:
        a, b = self.spans.get(self.phase, (self.fraction, self.fraction))
        return a + (b - a) * _clamp(within)

    def _set_phase_fraction(self, f: float) -> None:
        self.phase_fraction = max(self.phase_fraction, _clamp(f))
        self._emit(self._job_fraction(self.phase_fraction))

    def _emit(self, f: float, force: bool = False) -> None:
        f = _clamp(f)
        if not force:
            f = min(f, 0.999)
        self.fraction = max(self.fraction, f)
        ev = ProgressEvent(self.phase, self.fraction, self.phase_fraction, self.source, self.source_index,
                           self.source_count, self.step, self.steps)
        if self.events and ev == self.events[-1] and not force:
            return  # nothing new to show
        self.events.append(ev)
        if self.on_fraction is not None:
            self.on_fraction(self.fraction)
        if self.on_event is not None:
            self.on_event(ev)


def _clamp(f: float) -> float:
    f = float(f)
    return 0.0 if f != f else min(1.0, max(0.0, f))  # NaN → 0


_current: contextvars.ContextVar[ProgressReporter | None] = contextvars.ContextVar("vsg_progress", default=None)


def current() -> ProgressReporter | None:
    return _current.get()


@contextlib.contextmanager
def progress_scope(reporter: ProgressReporter | None) -> Iterator[ProgressReporter | None]:
    reset = _current.set(reporter)
    try:
        yield reporter
    finally:
        _current.reset(reset)


def report_phase(name: str) -> None:
    r = _current.get()
    if r is not None:
        r.enter_phase(name)


def report_source(key: str, index: int, count: int) -> None:
    r = _current.get()
    if r is not None:
        r.enter_source(key, index, count)


def report_chunks(done: int, total: int) -> None:
    r = _current.get()
    if r is not None:
        r.chunks(done, total)


def report_part(index: int, count: int) -> None:
    r = _current.get()
    if r is not None:
        r.enter_part(index, count)


def report_fraction(f: float) -> None:
    r = _current.get()
    if r is not None:
        r.phase_progress(f)


# ---------------------------------------------------------------- external tools' progress output
_MKV_PROGRESS = re.compile(r"^#GUI#progress\s+(\d{1,3})%")


def mkvtoolnix_fraction(line: str) -> float | None:
    """``#GUI#progress 45%`` (mkvmerge/mkvextract ``--gui-mode``) → 0.45; None for other lines."""
    m = _MKV_PROGRESS.match(line.strip())
    return None if m is None else _clamp(int(m.group(1)) / 100.0)


def tool_progress_sink(parse: Callable[[str], float | None]) -> Callable[[str], None]:
    """A line sink for :func:`vsg_core.runner.run` that reports each parsed fraction as phase progress.

    The job's reporter is looked up here, in the job's thread: the runner calls the sink from its reader
    threads, which do not see the job's context."""
    reporter = _current.get()

    def sink(line: str) -> None:
        f = parse(line)
        if f is not None and reporter is not None:
            reporter.phase_progress(f)

    return sink
