"""Audio correction: the generated correction cases themselves, the QA failure paths, keep-original, and what
the analysis makes of a 40-second ad break (real ffmpeg, mkvmerge, rubberband)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from vsg_core.cli import main as vsg_main
from vsg_core.testmedia.cases_correction import QUIET_EDITS

pytestmark = pytest.mark.slow


def _run(args: list[str], capsys) -> tuple[int, dict]:
    code = vsg_main(args)
    out = capsys.readouterr().out
    return code, json.loads(out)


def _settings(tmp_path: Path, values: dict) -> Path:
    p = tmp_path / "settings.json"
    p.write_text(json.dumps(values), encoding="utf-8")
    return p


def test_quiet_edits_lie_in_quiet_passages(media_case) -> None:
    for name, at in QUIET_EDITS.items():
        quiet = media_case(name).truth.raw["programme"]["quiet_passages"]
        assert any(a + 0.5 <= at <= b - 0.5 for a, b in quiet), (name, at, quiet)


def test_qa_failure_fails_the_job_and_writes_nothing(media_case, tmp_path, capsys) -> None:
    ref, files = media_case("ref"), media_case("stepping")
    out = tmp_path / "out.mkv"
    cfg = _settings(tmp_path, {"correction_qa_max_offset_ms": 1e-9, "correction_qa_max_spread_ms": 0.0})
    code, data = _run(["sync", str(ref.reference), str(files.other), "-o", str(out), "--settings", str(cfg),
                       "--json", "-q"], capsys)
    assert code != 0 and data["status"] == "Failed"
    assert "failed QA" in data["error"] and "correction_on_qa_failure" in data["error"]
    assert not out.exists()


def test_qa_failure_can_mux_the_original_with_a_warning(media_case, tmp_path, capsys) -> None:
    ref, files = media_case("ref"), media_case("stepping")
    out = tmp_path / "out.mkv"
    cfg = _settings(tmp_path, {"correction_qa_max_offset_ms": 1e-9, "correction_qa_max_spread_ms": 0.0,
                               "correction_on_qa_failure": "original"})
    code, data = _run(["sync", str(ref.reference), str(files.other), "-o", str(out), "--settings", str(cfg),
                       "--json", "--no-audit", "-q"], capsys)
    assert code == 0 and out.is_file()
    assert data["corrections"][0]["applied"] is False and "QA failed" in data["corrections"][0]["note"]
    assert any("failed QA" in w and "ORIGINAL" in w for w in data["warnings"])
    tracks = json.loads(subprocess.run(["mkvmerge", "-J", str(out)], capture_output=True, check=True,
                                       text=True).stdout)["tracks"]
    assert "AC-3" in [t["codec"] for t in tracks if t["type"] == "audio"][-1]


def test_keep_original_and_names(media_case, tmp_path, capsys) -> None:
    ref, files = media_case("ref"), media_case("drift")
    out = tmp_path / "out.mkv"
    cfg = _settings(tmp_path, {"correction_keep_original": True})
    code, data = _run(["sync", str(ref.reference), str(files.other), "-o", str(out), "--settings", str(cfg),
                       "--json", "--no-audit", "-q"], capsys)
    assert code == 0, data["error"]
    tracks = json.loads(subprocess.run(["mkvmerge", "-J", str(out)], capture_output=True, check=True,
                                       text=True).stdout)["tracks"]
    audio = [t for t in tracks if t["type"] == "audio"]
    names = [t["properties"].get("track_name", "") for t in audio]
    assert len(audio) == 4
    assert names[2].endswith("(Drift Corrected)") and audio[2]["codec"] == "FLAC"
    assert names[3].endswith("(Original)") and audio[3]["codec"] == "E-AC-3"
    assert audio[3]["properties"].get("default_track") is False
    assert audio[2]["properties"].get("minimum_timestamp", 0) >= 0


def test_ad_break_what_the_analysis_sees(media_case, capsys) -> None:
    """A 40 s ad break lies beyond the chunk search's ±15 s; the reach's coarse search (docs/reach.md) places the
    chunks after it, so the source reads STEPPING with both delays (≤ 1 ms) and the boundary within 0.5 s."""
    ref, files = media_case("ref"), media_case("step_adbreak_ac3")
    code, data = _run(["analyze", str(ref.reference), str(files.other), "--json"], capsys)
    src = next(iter(data["sources"].values())) if isinstance(data.get("sources"), dict) else data["sources"][0]
    assert code == 0 and src["diagnosis"] == "STEPPING", src["diagnosis"]
    truth = files.truth.sync.segments
    got = src["segments"]
    assert len(got) == len(truth), got
    for g, w in zip(got, truth, strict=True):
        assert abs(g["raw_delay_ms"] - w.delay_ms) <= 1.0, (g, w)
    for k in range(len(truth) - 1):
        assert abs(got[k]["end_s"] - truth[k].ref_end_s) <= 0.5, (k, got)
