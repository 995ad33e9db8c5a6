"""Running many clip jobs with N worker threads; one failure never stops the others."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .. import cancel as _cancel
from .jobs_file import JobEntry
from .run import Clipper, ClipResult

# (index of the job, fraction done of that job)
BatchProgress = Callable[[int, float], None]


def run_batch(clipper: Clipper, entries: list[JobEntry], output_dir: Path, workers: int,
              progress: BatchProgress | None = None, token: _cancel.CancelToken | None = None
              ) -> list[ClipResult]:
    """Results in job order. Entries that could not be read are failed results without running anything."""
    results: list[ClipResult | None] = [None] * len(entries)
    tok = token or _cancel.CancelToken()
    lock = threading.Lock()

    def work(i: int) -> None:
        e = entries[i]
        assert e.job is not None
        with _cancel.cancel_scope(tok):
            if tok.cancelled:
                return
            r = clipper.run(e.job, output_dir, (lambda f: progress(i, f)) if progress else None)
        with lock:
            results[i] = r

    from .run import ClipJob

    for i, e in enumerate(entries):
        if e.job is None:
            results[i] = ClipResult(ClipJob(e.label or "?", ""), ok=False, error=e.error)
            clipper.log.error(e.error or "unreadable job")
    runnable = [i for i, e in enumerate(entries) if e.job is not None]
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="vsg-clip")
    try:
        futures = [pool.submit(work, i) for i in runnable]
        for f in futures:
            f.result()
    except BaseException:
        tok.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        clipper.cleanup()
        raise
    pool.shutdown(wait=True)
    return [r if r is not None else ClipResult(ClipJob("?", ""), ok=False, error="not run") for r in results]
