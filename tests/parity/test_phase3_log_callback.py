"""Rust code logs through a Python callback: the lines the Rust selection and diagnosis hand to ``log=`` are
exactly the lines the Python reference produces (shared formats). Tolerance: exact string equality."""

from __future__ import annotations

import vsg_core_rs  # a missing extension must fail loudly, not skip
from vsg_core.analysis.drift import DriftConfig, diagnose
from vsg_core.analysis.records import ChunkResult
from vsg_core.analysis.selection import MODE_MOST_COMMON, select_delay


def _steps() -> list[ChunkResult]:
    raws = [312.5, 312.4, 312.6, 312.5, -1687.5, -1687.4, -1687.6, 812.5, 812.4, 812.6]
    return [ChunkResult(i + 1, 10.0 + 19.3 * i, round(r), r, 99.0, True) for i, r in enumerate(raws)]


def test_selection_lines_reach_the_callback() -> None:
    chunks = _steps()
    got: list[str] = []
    out = vsg_core_rs.select_delay(chunks, MODE_MOST_COMMON, 3, True, 3, "Source 2", log=got.append)
    py = select_delay(chunks, MODE_MOST_COMMON, source_key="Source 2", backend="python")
    assert out is not None and py is not None
    assert got == out.lines == list(py.lines)
    assert got and any("delay determined" in line for line in got)


def test_diagnosis_lines_reach_the_callback() -> None:
    chunks = _steps()
    got: list[str] = []
    out = vsg_core_rs.diagnose_drift(chunks, DriftConfig().to_dict(), 23.976, 23.976, "A_AC3", 210.0,
                                     log=got.append)
    py = diagnose(chunks, DriftConfig(), ref_fps=23.976, target_fps=23.976, codec_id="A_AC3",
                  ref_duration_s=210.0, backend="python")
    assert out.kind == py.kind.value == "STEPPING"
    assert got == out.lines == list(py.lines)
    assert any(line.startswith("[Stepping Detection]") for line in got)


def test_no_callback_is_fine() -> None:
    assert vsg_core_rs.select_delay(_steps(), MODE_MOST_COMMON, 3, True, 3, "Source 2") is not None
