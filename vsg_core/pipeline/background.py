"""The part of a merge job that needs only the source files, prepared while the audio is analysed
(docs/pipeline.md#prepared-during-the-analysis).

When a merge job starts, :func:`start` queues on one background worker, in the order the steps will ask for
them: opening every source the layout uses (a non-Matroska source is copied into Matroska), extracting the
tracks the extraction step extracts whatever the delays are (text subtitles; every track of a copied source),
the reference video's frame times for the subtitle step, Source 1's chapters (and keyframes when chapters
are snapped) and the fonts of the attachment sources. A step asks with :func:`prepared`: it gets the result
of the same call it would have made, waiting for it when it is not done yet; the call's log lines (``$ …``,
``✓ Successfully extracted …``) are written to the job log at that moment, and its error is raised there,
so the log and the failures read as if the step had done the work itself. A step whose work was not queued
does it itself.

Rules: the worker runs its tools at a lower priority (niceness :data:`NICE`) so the analysis keeps the cores —
until a step first asks for a result: the analysis is over then, and what the worker starts after that runs at
normal priority (a step never waits long for niced work while nothing else needs the cores);
it reports no progress and writes no warnings; it runs under a token linked to the job's cancel token (a
cancelled job kills its tools at once), and :meth:`Background.close` — called by the orchestrator before it
deletes the job's temp folder, whatever the job's outcome — stops what is still running and waits for it.
Setting ``prepare_during_analysis`` off runs every step as before, one after the other.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .. import cancel, progress, runner
from ..chapters.keyframes import probe_keyframes
from ..chapters.process import ChapterOptions, extract_chapters_xml
from ..extraction import OpenedSource, extract_fonts, extract_tracks, open_source
from ..frames.vfr import read_frame_times_ms
from ..jobs.layout import EXTERNAL, LayoutEntry
from ..log import JobLog
from ..models import TrackType
from .context import JobContext

T = TypeVar("T")
NICE = 10   # the background tools' niceness: they take a core only when the analysis leaves it idle

REFERENCE = "Source 1"
TEXT_SUBTITLE_EXTS = (".ass", ".ssa", ".srt", ".vtt")


@dataclass
class _Task:
    future: Future[Any]
    lines: list[str]


class Background:
    """One job's queue of prepared work (one worker thread)."""

    def __init__(self, job_token: cancel.CancelToken | None) -> None:
        self.token = cancel.LinkedToken(job_token)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vsg-prepare")
        self._tasks: dict[str, _Task] = {}
        self._lock = threading.Lock()
        self._waited = False   # a step has asked: the analysis is over, later work runs at normal priority

    def submit(self, key: str, fn: Callable[[JobLog], Any]) -> None:
        """Queue ``fn(log)`` under ``key``; it runs in a copy of the caller's context (the job's media cache)
        with the linked token, without a progress display, its tools niced, its log lines kept."""
        lines: list[str] = []
        ctx = contextvars.copy_context()

        def body() -> Any:
            nice = 0 if self._waited else NICE
            with cancel.cancel_scope(self.token), progress.progress_scope(None), runner.lower_priority(nice):
                self.token.check()
                return fn(JobLog(callbacks=[lines.append]))

        with self._lock:
            self._tasks[key] = _Task(self._pool.submit(ctx.run, body), lines)

    def has(self, key: str) -> bool:
        with self._lock:
            return key in self._tasks

    def take(self, key: str, log: JobLog) -> Any:
        """The result of ``key`` (waiting for it; the job's cancel token is honoured); its log lines go to
        ``log``; its error is raised here. Each key is taken once."""
        with self._lock:
            task = self._tasks.pop(key)
            self._waited = True
        try:
            while True:
                cancel.check()
                try:
                    return task.future.result(timeout=0.1)
                except FutureTimeout:
                    continue
        finally:
            for line in list(task.lines):
                log.raw(line)

    def close(self) -> None:
        """Stop the work still queued or running (its tools are killed) and wait until the worker is idle."""
        self.token.cancel("the job ended before this was needed")
        self._pool.shutdown(wait=True, cancel_futures=True)


def prepared(ctx: JobContext, key: str, fn: Callable[[JobLog], T]) -> T:
    """``fn(ctx.log)``, or the same call's result from the background when it was queued there."""
    bg: Background | None = getattr(ctx, "background", None)
    if bg is not None and bg.has(key):
        return bg.take(key, ctx.log)
    return fn(ctx.log)


# ------------------------------------------------------------------------------------------- what is queued

def extracted_whatever_the_delays(opened: OpenedSource, entry: LayoutEntry) -> bool:
    """Whether the extraction step extracts this track for any analysis result: every track of a source
    read through its Matroska copy, and every text subtitle track (the subtitle step rewrites them)."""
    if opened.remuxed:
        return True
    return entry.type is TrackType.SUBTITLES and entry.codec_id.upper().startswith("S_TEXT")


def muxable_entries(ctx: JobContext) -> list[LayoutEntry]:
    """The layout's entries without video of other sources than Source 1 (the extraction step warns)."""
    assert ctx.layout is not None
    return [e for e in ctx.layout.entries if not (e.type is TrackType.VIDEO and e.source != REFERENCE)]


def needs_frame_grid(ctx: JobContext, entries: list[LayoutEntry]) -> bool:
    """Whether the subtitle step will read the reference video's frame times: a text subtitle track in the
    output, or the video-verified mode."""
    if str(ctx.settings["subtitle_sync_mode"]) == "video-verified":
        return any(e.type is TrackType.SUBTITLES for e in entries)
    for e in entries:
        if e.type is not TrackType.SUBTITLES:
            continue
        if e.source == EXTERNAL:
            if Path(e.external_path or "").suffix.lower() in TEXT_SUBTITLE_EXTS:
                return True
        elif e.codec_id.upper().startswith("S_TEXT"):
            return True
    return False


def start(ctx: JobContext) -> Background | None:
    """Queue the source-only work of a merge job (None: analyse-only job, no layout, or the setting is off)."""
    if not ctx.and_merge or ctx.layout is None or not ctx.settings["prepare_during_analysis"]:
        return None
    bg = Background(cancel.current())
    entries = muxable_entries(ctx)
    opened: dict[str, OpenedSource] = {}
    sources = [s for s in dict.fromkeys(e.source for e in entries if e.source != EXTERNAL)
               if s in ctx.job.sources]
    temp = ctx.temp_dir

    def opener(source: str) -> Callable[[JobLog], OpenedSource]:
        def run(log: JobLog) -> OpenedSource:
            o = open_source(ctx.job.sources[source], temp, source, log)
            opened[source] = o
            return o
        return run

    def extractor(source: str) -> Callable[[JobLog], tuple[list[int], list[Any]]]:
        def run(log: JobLog) -> tuple[list[int], list[Any]]:
            o = opened.get(source)
            if o is None:   # the source could not be opened: the extraction step reports it and stops
                return [], []
            ids = list(dict.fromkeys(e.id for e in entries if e.source == source
                                     and e.id in o.id_map and extracted_whatever_the_delays(o, e)))
            if not ids:
                return [], []
            return ids, extract_tracks(o.original, temp, source, ids, log, opened=o)
        return run

    def reference_mkv() -> Path:
        o = opened.get(REFERENCE)
        return o.matroska_path if o is not None else ctx.job.reference

    for s in sources:
        bg.submit(f"open:{s}", opener(s))
    for s in sources:
        bg.submit(f"extract:{s}", extractor(s))
    if needs_frame_grid(ctx, entries):
        bg.submit("frames", lambda log: read_frame_times_ms(reference_mkv(), log))
    bg.submit("chapters", lambda log: extract_chapters_xml(reference_mkv(), log))
    if ChapterOptions.from_settings(ctx.settings).snap:
        bg.submit("keyframes", lambda log: probe_keyframes(reference_mkv(), log))
    for key in ctx.layout.attachment_sources:
        path = ctx.job.sources.get(key)
        if path is None:
            continue

        def fonts(log: JobLog, key: str = key, path: Path = path) -> list[Path]:
            o = opened.get(key)
            return extract_fonts(path, temp, key, log, info=o.info if o is not None else None)

        bg.submit(f"fonts:{key}", fonts)
    return bg
