"""Jobs the window can run: plain callables taking a JobLog, built from the user's inputs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from vsg_core.log import JobLog

JobFn = Callable[[JobLog], Any]


def validate_sources(ref: str, others: list[str]) -> str | None:
    """A message for the user when the inputs can't be analysed, else None."""
    if not ref:
        return "Choose the reference release (Source 1) first."
    if not Path(ref).is_file():
        return f"The reference file does not exist: {ref}"
    if not others:
        return "Add at least one other release (Source 2) to analyse against the reference."
    for i, p in enumerate(others):
        if not Path(p).is_file():
            return f"Source {i + 2} does not exist: {p}"
    return None


def analysis_job(ref: str, others: list[str]) -> JobFn:
    def run(log: JobLog) -> Any:
        from vsg_core.analysis.job import analyze_job

        log.raw(f"=== Starting Job: {Path(ref).name} ===")
        log.section("Analysis Phase")
        result = analyze_job(ref, others, log=log, strict=False, progress=log.progress)
        log.section("Analysis Complete (No Merge)")
        log.raw("=== Job Finished ===")
        return result

    return run


def summarise(result: Any) -> str:
    sources = getattr(result, "sources", None)
    if not sources:
        return "Done"
    parts = []
    for s in sources:
        if s.delay_ms is None:
            parts.append(f"{s.key}: no delay")
        else:
            parts.append(f"{s.key}: {s.delay_ms:+d} ms ({s.diagnosis.kind.value})")
    return "Done — " + "; ".join(parts)
