"""Structured job progress (vsg_core.progress): phases, per-source and per-chunk events, a fraction that never
goes back and reaches 1.0 only for a finished job; mkvmerge's and ffmpeg's own progress lines parsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from vsg_core.cancel import CancelToken
from vsg_core.jobs.discovery import JobSpec
from vsg_core.pipeline import run_job
from vsg_core.progress import (
    ProgressEvent,
    ProgressReporter,
    mkvtoolnix_fraction,
    phase_key,
)


def test_reporter_text_and_monotonic_fraction() -> None:
    seen: list[ProgressEvent] = []
    r = ProgressReporter(seen.append, analyze_only=False)
    r.enter_phase("Analysis")
    r.enter_source("Source 2", 0, 2)
    assert seen[-1].text == "Analyzing Source 2 (1/2) — decoding audio"
    r.chunks(4, 10)
    assert seen[-1].text == "Analyzing Source 2 (1/2) — chunk 4/10"
    f1 = seen[-1].fraction
    r.enter_source("Source 3", 1, 2)
    r.chunks(0, 10)
    assert seen[-1].text == "Analyzing Source 3 (2/2) — chunk 0/10"
    assert seen[-1].fraction >= f1
    r.chunks(10, 10)
    assert seen[-1].fraction == pytest.approx(0.40)        # analysis ends at 40 % of a merge job
    r.enter_phase("Subtitle Processing")
    assert seen[-1].phase == "preparation"
    r.enter_phase("Mux")
    r.phase_progress(0.5)
    assert seen[-1].text == "Muxing — 50 %"
    assert seen[-1].fraction == pytest.approx(0.825)
    r.job_fraction(0.3)                                     # a late, lower checkpoint never moves it back
    assert seen[-1].fraction == pytest.approx(0.825)
    fractions = [e.fraction for e in seen]
    assert fractions == sorted(fractions) and max(fractions) < 1.0
    r.finish()
    assert seen[-1].fraction == 1.0


def test_phase_names() -> None:
    assert phase_key("Merge Planning") == "preparation"
    assert phase_key("Audio Correction") == "correction"
    assert phase_key("Stepping Correction Phase") == "correction"
    assert phase_key("Something New") is None


def test_tool_progress_lines() -> None:
    assert mkvtoolnix_fraction("#GUI#progress 45%") == pytest.approx(0.45)
    assert mkvtoolnix_fraction("Progress: 45%") is None


@pytest.mark.media
def test_analysis_job_reports_each_chunk_and_finishes_at_one(media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    events: list[ProgressEvent] = []
    fractions: list[float] = []
    result = run_job(JobSpec({"Source 1": case.reference, "Source 2": case.other}), output_dir=tmp_path,
                     analyze_only=True, progress=fractions.append, on_progress=events.append)
    assert result.status == "Analyzed", result.error
    chunk_events = [e for e in events if e.source == "Source 2" and e.steps]
    total = len(result.sources[0].chunks)
    assert chunk_events and chunk_events[-1].step == total and chunk_events[-1].steps == total
    assert [e.step for e in chunk_events] == sorted(e.step for e in chunk_events)
    assert len({e.step for e in chunk_events}) >= 3          # several steps, not one jump
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(f < 1.0 for f in fractions[:-1])


@pytest.mark.media
def test_merge_job_reports_mkvmerge_progress_and_never_one_when_cancelled(media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    events: list[ProgressEvent] = []
    result = run_job(JobSpec({"Source 1": case.reference, "Source 2": case.other}), output_dir=tmp_path / "a",
                     on_progress=events.append)
    assert result.status == "Merged", result.error
    phases = [e.phase for e in events]
    for p in ("analysis", "extraction", "mux", "audit"):
        assert p in phases, p
    mux = [e.phase_fraction for e in events if e.phase == "mux"]
    assert mux[0] == 0.0 and len(mux) >= 2                    # entering the phase, then mkvmerge's lines
    assert max(mux) == pytest.approx(1.0)                     # "#GUI#progress 100%"
    assert events[-1].fraction == 1.0

    token = CancelToken()
    seen: list[ProgressEvent] = []

    def cancel_in_mux(e: ProgressEvent) -> None:
        seen.append(e)
        if e.phase == "mux":
            token.cancel()

    result = run_job(JobSpec({"Source 1": case.reference, "Source 2": case.other}), output_dir=tmp_path / "b",
                     on_progress=cancel_in_mux, cancel_token=token)
    assert result.status == "Cancelled"
    assert seen and max(e.fraction for e in seen) < 1.0 and seen[-1].phase == "mux"


def test_parts_split_a_phase() -> None:
    seen: list[ProgressEvent] = []
    r = ProgressReporter(seen.append)
    r.enter_phase("Extraction")
    r.enter_part(0, 2)
    r.phase_progress(0.5)
    assert seen[-1].phase_fraction == pytest.approx(0.25)
    r.enter_part(1, 2)
    assert seen[-1].phase_fraction == pytest.approx(0.5)
    r.phase_progress(1.0)
    assert seen[-1].phase_fraction == pytest.approx(1.0)
    r.enter_phase("Mux")
    r.phase_progress(0.2)                       # a new phase forgets the parts
    assert seen[-1].phase_fraction == pytest.approx(0.2)


def test_runner_streams_stderr_lines_of_a_binary_command(tmp_path: Path) -> None:
    """Real ffmpeg writing PCM to stdout: the sink gets its stderr lines while it runs; stdout is intact."""
    from vsg_core.runner import run

    lines: list[str] = []
    proc = run(["ffmpeg", "-nostdin", "-hide_banner", "-v", "info", "-f", "lavfi", "-i", "sine=d=30:r=48000",
                "-ac", "1", "-f", "f32le", "-"], binary=True, progress=lines.append)
    assert proc.returncode == 0
    assert len(proc.stdout) == 30 * 48000 * 4
    assert any("Input #0" in ln for ln in lines) and "Input #0" in proc.stderr


def test_runner_streaming_reports_mkvextract_percentages(tmp_path: Path) -> None:
    from vsg_core.runner import run

    src = tmp_path / "a.mka"
    run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=d=60", "-c:a", "flac", str(src)])
    lines: list[str] = []
    proc = run(["mkvextract", "--gui-mode", str(src), "tracks", f"0:{tmp_path / 'a.flac'}"],
               progress=lines.append)
    assert proc.returncode == 0
    got = [f for f in (mkvtoolnix_fraction(ln) for ln in lines) if f is not None]
    assert got and got == sorted(got) and got[-1] == 1.0
