"""The one printer of job results (vsg_core/commands/report.py) and its use by sync, batch and demo.

Expected lines are written out by hand from the records built here."""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path

from vsg_core.commands import report
from vsg_core.pipeline.result import AudioResidual, AuditReport, JobResult, SourceReport

COMMANDS = Path(report.__file__).parent


def _result() -> JobResult:
    s2 = SourceReport("Source 2", Path("/m/b.mkv"), 1235, 1234.567, "UNIFORM", None, 9, 10, 88.5)
    s3 = SourceReport("Source 3", Path("/m/c.mkv"), None, None, "INSUFFICIENT_DATA", None, 1, 10, None)
    audit = AuditReport(issues=("track 2 off",), residuals=(
        AudioResidual(1, "Source 1", 0.25, 90.0, True), AudioResidual(2, "Source 2", None, None, False,
                                                                      reason="no window matched")), track_count=3)
    return JobResult("Audit failed", "a.mkv", Path("/m/a.mkv"), output=Path("/o/a.mkv"), log_path=Path("/o/a.log"),
                     sources=[s2, s3], global_shift_ms=20, warnings=["w1"], error="audit", audit=audit)


def test_print_job_detail_with_and_without_truth() -> None:
    buf = io.StringIO()
    report.print_one(_result(), as_json=False, truth_ms={"Source 2": 1234.5}, file=buf)
    assert buf.getvalue().splitlines() == [
        "Status: Audit failed",
        "  Source 2: +1235 ms (raw +1234.567 ms), truth +1234.500 ms, UNIFORM, 9/10 chunks accepted",
        "  Source 3: -, INSUFFICIENT_DATA, 1/10 chunks accepted",
        "  global shift: +20 ms",
        "  audit: audio track 1 (Source 1) largest residual +0.250 ms, ok",
        "  audit: audio track 2 (Source 2) largest residual not measurable, FAILED: no window matched",
        "  warning: w1",
        "Output: /o/a.mkv",
        "Error: audit",
        "Log: /o/a.log",
    ]


def test_json_forms_round_trip() -> None:
    one, many = io.StringIO(), io.StringIO()
    report.print_one(_result(), as_json=True, file=one)
    report.print_many([_result(), JobResult("Analyzed", "x.mkv", Path("/m/x.mkv"))], as_json=True, file=many)
    assert len(one.getvalue().splitlines()) == 1
    back = JobResult.from_json(json.loads(one.getvalue()))
    assert back.sources[0].raw_delay_ms == 1234.567 and back.audit is not None and not back.audit.ok
    jobs = json.loads(many.getvalue())["jobs"]
    assert [j["status"] for j in jobs] == ["Audit failed", "Analyzed"]


def test_table_rows_and_counts() -> None:
    buf = io.StringIO()
    report.print_many([_result(), JobResult("Analyzed", "x.mkv", Path("/m/x.mkv")),
                       JobResult("Failed", "y.mkv", Path("/m/y.mkv"), error="no audio")], as_json=False, file=buf)
    lines = buf.getvalue().splitlines()
    assert lines[0] == ""
    assert lines[1].split() == ["job", "status", "delays", "(ms)", "result"]
    assert lines[2].startswith("a.mkv") and "2:+1235, 3:-" in lines[2] and lines[2].endswith(
        "/o/a.mkv (1 audit issue(s))")
    assert "no audio" in lines[4]
    assert lines[-1] == "Summary: 1 audit failed, 1 analyzed, 1 failed"


def test_commands_print_through_the_one_printer() -> None:
    """sync, batch and demo call report.print_one / print_many and print no result fields themselves."""
    uses = {}
    for name in ("sync", "batch", "demo"):
        tree = ast.parse((COMMANDS / f"{name}.py").read_text(encoding="utf-8"))
        calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        uses[name] = calls & {"print_one", "print_many"}
        source = (COMMANDS / f"{name}.py").read_text(encoding="utf-8")
        assert "chunks accepted" not in source and "residual" not in source, name
        assert "def print_summary" not in source and "def _print_summary" not in source, name
    assert uses == {"sync": {"print_one"}, "batch": {"print_many"}, "demo": {"print_one"}}
