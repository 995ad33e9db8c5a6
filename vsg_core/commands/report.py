"""Job results on the command line: the one printer of ``vsg sync``, ``vsg batch`` and ``vsg demo``.

Two forms of the same ``JobResult``:

* JSON (``--json``): one job → ``JobResult.to_json()``; several → ``{"jobs": [...]}``. One line on stdout.
* Human: ``print_job`` shows one job in detail (status, per source the delay, raw delay, diagnosis and accepted
  chunks — with the true delay next to it when one is known, as in the demo —, the global shift, the audit's
  residuals, warnings, output, error and log); ``print_table`` shows one row per job and the counts per status.

``print_one`` (sync, demo) and ``print_many`` (batch) choose the form, so each command only says what it ran.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..pipeline.result import JobResult, SourceReport


def job_json(result: JobResult) -> dict[str, object]:
    """The JSON object of one job (what ``JobResult.from_json`` reads back)."""
    return result.to_json()


def _delay(ms: int | None) -> str:
    return "-" if ms is None else f"{ms:+d} ms"


def _source_line(s: SourceReport, truth_ms: float | None) -> str:
    raw = "" if s.raw_delay_ms is None else f" (raw {s.raw_delay_ms:+.3f} ms)"
    truth = "" if truth_ms is None else f", truth {truth_ms:+.3f} ms"
    return (f"  {s.key}: {_delay(s.delay_ms)}{raw}{truth}, {s.diagnosis}, "
            f"{s.accepted_chunks}/{s.total_chunks} chunks accepted")


def print_job(result: JobResult, truth_ms: Mapping[str, float] | None = None, file: TextIO | None = None) -> None:
    """One job in detail. ``truth_ms``: the true delay per source key, when known (generated media)."""
    out = file or sys.stdout
    truth_ms = truth_ms or {}
    print(f"Status: {result.status}", file=out)
    for s in result.sources:
        print(_source_line(s, truth_ms.get(s.key)), file=out)
    if result.global_shift_ms:
        print(f"  global shift: +{result.global_shift_ms} ms", file=out)
    if result.audit is not None:
        for r in result.audit.residuals:
            v = "not measurable" if r.residual_ms is None else f"{r.residual_ms:+.3f} ms"
            verdict = "ok" if r.ok else f"FAILED: {r.reason}"
            print(f"  audit: audio track {r.track_index} ({r.source}) largest residual {v}, {verdict}", file=out)
    for w in result.warnings:
        print(f"  warning: {w}", file=out)
    if result.output:
        print(f"Output: {result.output}", file=out)
    if result.error:
        print(f"Error: {result.error}", file=out)
    if result.log_path:
        print(f"Log: {result.log_path}", file=out)


def print_table(results: Sequence[JobResult], file: TextIO | None = None) -> None:
    """One row per job (name, status, delays, output or error) and the number of jobs per status."""
    out = file or sys.stdout
    print(file=out)
    print(f"{'job':<28} {'status':<10} {'delays (ms)':<30} result", file=out)
    for r in results:
        delays = ", ".join(f"{s.key[7:]}:{s.delay_ms:+d}" if s.delay_ms is not None else f"{s.key[7:]}:-"
                           for s in r.sources) or "-"
        detail = str(r.output) if r.output else (r.error or "")
        if r.worker is not None:
            detail += f" [worker {r.worker}]"
        issues = f" ({len(r.audit.issues)} audit issue(s))" if r.audit and r.audit.issues else ""
        print(f"{r.name[:28]:<28} {r.status:<10} {delays[:30]:<30} {detail}{issues}", file=out)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    print("Summary: " + ", ".join(f"{n} {s.lower()}" for s, n in counts.items()), file=out)


def print_one(result: JobResult, *, as_json: bool, truth_ms: Mapping[str, float] | None = None,
              file: TextIO | None = None) -> None:
    """One job: its JSON object, or the detailed report."""
    if as_json:
        print(json.dumps(job_json(result), ensure_ascii=False), file=file or sys.stdout)
    else:
        print_job(result, truth_ms, file)


def print_many(results: Sequence[JobResult], *, as_json: bool, file: TextIO | None = None) -> None:
    """Several jobs: ``{"jobs": [...]}``, or the table."""
    if as_json:
        print(json.dumps({"jobs": [job_json(r) for r in results]}, ensure_ascii=False), file=file or sys.stdout)
    else:
        print_table(results, file)
