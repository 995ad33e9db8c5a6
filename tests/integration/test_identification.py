"""One identification per input and job, and a plain sync that copies no track into the temp folder.

Tool invocations are counted through the project's tool runner (``vsg_core.runner.observe``) while the real
ffprobe/mkvmerge/mkvextract run on generated media.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest

from vsg_core import runner
from vsg_core.config import Settings
from vsg_core.jobs.discovery import JobSpec
from vsg_core.pipeline import MERGED, run_job

pytestmark = [pytest.mark.media, pytest.mark.slow]


def _settings(tmp_path: Path) -> Settings:
    s = Settings()
    s.set("temp_root", str(tmp_path / "temp"))
    s.set("output_folder", str(tmp_path / "out"))
    return s


def _tool(args: list[str]) -> str:
    return Path(args[0]).name


def _frame_times(args: list[str]) -> bool:
    """The frame-grid read of vsg_core/frames/vfr.py (every frame's time: mkvextract timestamps_v2 for Matroska,
    else ffprobe's packet list), not an identification."""
    return any("packet=pts" in a for a in args) or "timestamps_v2" in args


@pytest.mark.parametrize("name", ["container_delay", "dub"])
def test_each_input_is_probed_once_by_mkvmerge_and_once_by_ffprobe(name: str, media_case, tmp_path: Path) -> None:
    case = media_case(name)
    sources = {"Source 1": case.reference, "Source 2": case.other}
    calls: list[list[str]] = []
    with runner.observe(calls.append):
        result = run_job(JobSpec(sources), _settings(tmp_path))
    assert result.status == MERGED, result.error
    for key, path in sources.items():
        mkv = [c for c in calls if _tool(c) == "mkvmerge" and "-J" in c and str(path) in c]
        probe = [c for c in calls if _tool(c) == "ffprobe" and str(path) in c and not _frame_times(c)]
        assert len(mkv) == 1, f"{key}: {len(mkv)} mkvmerge -J runs: {mkv}"
        assert len(probe) == 1, f"{key}: {len(probe)} ffprobe runs: {probe}"
    # Not identification: the subtitle step reads the reference video's frame grid (every packet's time) once, to
    # retime text subtitles frame-exactly (docs/identification.md#what-is-not-identification); never another file's.
    grid = [c for c in calls if _tool(c) in ("ffprobe", "mkvextract") and _frame_times(c)]
    assert len(grid) <= 1 and all(str(case.reference) in c for c in grid), grid
    # the muxed output is identified once more, by the audit
    assert len([c for c in calls if _tool(c) == "mkvmerge" and "-J" in c]) == len(sources) + 1


SUBTITLE_FILES = (".ass", ".ssa", ".srt", ".vtt")


def test_plain_sync_copies_no_video_or_audio_into_the_temp_folder(media_case, tmp_path: Path) -> None:
    """Video and audio of a plain (constant-delay) sync are muxed straight from the sources; only the text
    subtitles, which the subtitle step rewrites frame-exactly, go through the temp folder."""
    case = media_case("delay_pos")
    sources = {"Source 1": case.reference, "Source 2": case.other}
    calls: list[list[str]] = []
    temp_at_mux: list[tuple[str, int]] = []

    def watch(args: list[str]) -> None:
        calls.append(args)
        if _tool(args) == "mkvmerge" and any(a.startswith("@") for a in args):  # the mux itself
            opts = Path(next(a for a in args if a.startswith("@"))[1:])
            temp_at_mux.extend((p.name, p.stat().st_size) for p in opts.parent.rglob("*") if p.is_file())

    with runner.observe(watch):
        result = run_job(JobSpec(sources), _settings(tmp_path))
    assert result.status == MERGED, result.error
    assert temp_at_mux, "the mux was not observed"
    extracted = [a.split(":", 1)[1] for c in calls if _tool(c) == "mkvextract" and "tracks" in c
                 for a in c[c.index("tracks") + 1:]]
    assert extracted and all(e.endswith(SUBTITLE_FILES) for e in extracted), extracted
    media = [(n, s) for n, s in temp_at_mux if not n.endswith((".json", ".xml", ".ttf", ".otf", *SUBTITLE_FILES))]
    assert media == [], f"track files in the temp folder at mux time: {media}"
    # the video and audio come straight from the sources, and still play in sync
    assert result.audit is not None and result.audit.residuals
    assert all(r.ok for r in result.audit.residuals), result.audit.residuals


def test_vsg_sync_identifies_each_input_once(media_case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds the default layout and runs the job on one identification of each file."""
    from vsg_core.cli import main

    case = media_case("delay_pos")
    monkeypatch.setenv("VSG_SETTINGS", str(tmp_path / "settings.json"))
    monkeypatch.setenv("VSG_SET_TEMP_ROOT", str(tmp_path / "temp"))
    calls: list[list[str]] = []
    with runner.observe(calls.append):
        code = main(["sync", str(case.reference), str(case.other), "-o", str(tmp_path / "out.mkv"), "-q",
                     "--json"])
    assert code == 0
    for path in (case.reference, case.other):
        assert len([c for c in calls if _tool(c) == "mkvmerge" and "-J" in c and str(path) in c]) == 1
        assert len([c for c in calls if _tool(c) == "ffprobe" and str(path) in c and not _frame_times(c)]) == 1


def test_analysis_without_a_pipeline_identifies_each_input_once(media_case) -> None:
    """``vsg analyze`` opens no pipeline job scope: the analysis opens its own, so the correlation's decoder
    reads the same ffprobe run as the stream selection (it used to run ffprobe twice per file)."""
    from vsg_core.analysis.job import analyze_job

    case = media_case("delay_pos")
    calls: list[list[str]] = []
    with runner.observe(calls.append):
        job = analyze_job(case.reference, [case.other], strict=False)
    assert job.sources[0].delay_ms is not None
    for path in (case.reference, case.other):
        assert len([c for c in calls if _tool(c) == "ffprobe" and str(path) in c]) == 1, path
        assert len([c for c in calls if _tool(c) == "mkvmerge" and "-J" in c and str(path) in c]) == 1, path


def test_frame_grid_from_mkvextract_equals_ffprobes(media_case, tmp_path: Path) -> None:
    """The frame grid read from a Matroska file's block headers (mkvextract timestamps_v2) is the list read from
    ffprobe's packets, on a generated release (CFR, B-frames) and on a VFR remux made by mkvmerge from a
    timestamps file (two rates alternating every 100 frames), last frame's end included."""
    from vsg_core.frames.vfr import _ffprobe_frame_times_ms, _matroska_frame_times_ms, read_frame_times_ms

    case = media_case("delay_pos")
    tc = tmp_path / "tc.txt"
    t, lines = 0.0, ["# timestamp format v2"]
    for i in range(8000):          # at least one per frame (mkvmerge aborts on too few)
        lines.append(f"{t:.3f}")
        t += 41.708 if (i // 100) % 2 == 0 else 33.367
    tc.write_text("\n".join(lines) + "\n")
    vfr = tmp_path / "vfr.mkv"
    subprocess.run(["mkvmerge", "-q", "-o", str(vfr), "--timestamps", f"0:{tc}", "-A", "-S", str(case.reference)],
                   check=True)
    for path in (case.reference, vfr):
        fast = _matroska_frame_times_ms(Path(path), None)
        assert fast is not None, path
        assert fast == _ffprobe_frame_times_ms(path) == read_frame_times_ms(path), path
    steps = {b - a for a, b in itertools.pairwise(fast)}
    assert {33, 34} & steps and {41, 42} & steps, sorted(steps)   # the VFR file really has two rates
