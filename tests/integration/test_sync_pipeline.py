"""The main job end to end on generated releases: vsg sync's output plays in sync, sources stay untouched, and a
failed or cancelled job leaves nothing under the output name."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from vsg_core.cancel import CancelToken
from vsg_core.config import Settings
from vsg_core.jobs.discovery import JobSpec
from vsg_core.pipeline import CANCELLED, FAILED, MERGED, run_job

pytestmark = pytest.mark.media

CONSTANT_CASES = ["delay_pos", "delay_neg", "dub", "noisy", "container_delay"]


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _settings(tmp_path: Path) -> Settings:
    s = Settings()
    s.set("temp_root", str(tmp_path / "temp"))
    s.set("output_folder", str(tmp_path / "out"))
    return s


def _subtitle_packets(path: Path, ordinal: int) -> list[float]:
    """Start times (ms) of the subtitle blocks of subtitle stream ``ordinal``, read from the container."""
    proc = subprocess.run(["ffprobe", "-v", "error", "-select_streams", f"s:{ordinal}", "-show_entries",
                           "packet=pts_time", "-of", "json", str(path)], capture_output=True, text=True, check=True)
    return [float(p["pts_time"]) * 1000 for p in json.loads(proc.stdout)["packets"]]


@pytest.mark.parametrize("name", CONSTANT_CASES)
def test_constant_delay_case_is_muxed_in_sync(name: str, media_case, tmp_path: Path) -> None:
    case = media_case(name)
    truth = case.truth
    sources = {"Source 1": case.reference, "Source 2": case.other}
    before = {k: _sha(p) for k, p in sources.items()}
    result = run_job(JobSpec(sources), _settings(tmp_path))
    assert result.status == MERGED, result.error
    assert result.output is not None and result.output.is_file()
    assert {k: _sha(p) for k, p in sources.items()} == before, "a source file was modified"
    assert not list((tmp_path / "temp").iterdir()), "the job temp folder was not removed"
    assert not list(result.output.parent.glob(".*partial*")), "a partial output was left behind"

    # every muxed audio track plays in sync with the reference audio (decoded on the presentation timeline)
    assert result.audit is not None and result.audit.residuals
    target_codecs = {a.codec_key for a in truth.target.audio}
    limit = 1.5 if any(c.startswith("opus") for c in target_codecs) else 1.0
    for r in result.audit.residuals:
        assert r.residual_ms is not None, f"{name}: track {r.track_index} could not be measured"
        assert abs(r.residual_ms) <= limit, f"{name}: track {r.track_index} ({r.source}) off by {r.residual_ms} ms"

    # the other release's subtitle events sit within 10 ms of their true times
    shift = result.global_shift_ms
    true_delay = truth.sync.delay_ms
    ref_subs = len(truth.reference.subtitles)
    for k, sub in enumerate(truth.target.subtitles):
        got = _subtitle_packets(result.output, ref_subs + k)
        want = [e.start_s * 1000 + true_delay + shift for e in sub.events]
        assert len(got) == len(want), f"{name}: {len(got)} subtitle events muxed, {len(want)} expected"
        worst = max(abs(g - w) for g, w in zip(sorted(got), sorted(want), strict=True))
        assert worst <= 10.0, f"{name}: subtitle events off by up to {worst:.2f} ms"
    # and the reference's own subtitles moved only by the global shift
    got = _subtitle_packets(result.output, 0)
    want = [e.start_s * 1000 + shift for e in truth.reference.subtitles[0].events]
    assert max(abs(g - w) for g, w in zip(sorted(got), sorted(want), strict=True)) <= 10.0


def test_sync_cli_json(media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    out = tmp_path / "Ausgabe ü.mkv"
    proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", "sync", str(case.reference), str(case.other),
                           "-o", str(out), "--json", "-q", "--track", "1:0", "--track", "2:1",
                           "--name", "2:1=Englisch (Quelle 2)", "--default", "2:1"],
                          capture_output=True, text=True, env={**_env(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout)
    assert res["status"] == MERGED and Path(res["output"]) == out and out.is_file()
    assert res["sources"][0]["delay_ms"] == round(case.truth.sync.delay_ms)
    info = json.loads(subprocess.run(["mkvmerge", "-J", str(out)], capture_output=True, text=True,
                                     check=True).stdout)
    assert [t["type"] for t in info["tracks"]] == ["video", "audio"]
    assert info["tracks"][1]["properties"]["track_name"] == "Englisch (Quelle 2)"
    assert info["tracks"][1]["properties"]["default_track"] is True


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["VSG_SETTINGS"] = str(tmp_path / "settings.json")
    env["VSG_SET_TEMP_ROOT"] = str(tmp_path / "temp")
    return env


@pytest.mark.slow
def test_fonts_keep_their_names_in_the_output(media_case, tmp_path: Path) -> None:
    """A font attached to the reference is attached to the output under its own name (it used to come out as
    ``Source 1_att_1_DejaVuSans.ttf``, named after vsg's temp file)."""
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    assert font.is_file(), f"{font} is needed (fonts-dejavu-core)"
    case = media_case("delay_pos")
    ref = tmp_path / "ref with font.mkv"
    subprocess.run(["mkvmerge", "-q", "-o", str(ref), "--attachment-mime-type", "font/ttf", "--attachment-name",
                    "My Font.ttf", "--attach-file", str(font), str(case.reference)], check=True)
    result = run_job(JobSpec({"Source 1": ref, "Source 2": case.other}), _settings(tmp_path), audit=False)
    assert result.status == MERGED, result.error
    info = json.loads(subprocess.run(["mkvmerge", "-J", str(result.output)], capture_output=True, text=True,
                                     check=True).stdout)
    assert [(a["file_name"], a["size"]) for a in info["attachments"]] == [("My Font.ttf", font.stat().st_size)]


def test_failed_job_leaves_no_output(media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    broken = tmp_path / "broken.mkv"
    broken.write_bytes(case.other.read_bytes()[:20000])
    out = tmp_path / "out" / "result.mkv"
    result = run_job(JobSpec({"Source 1": case.reference, "Source 2": broken}), _settings(tmp_path),
                     output_file=out)
    assert result.status == FAILED
    assert result.error and ("broken.mkv" in result.error or "Source 2" in result.error), result.error
    assert not out.exists()
    assert not list(out.parent.glob(".*partial*"))
    assert not list((tmp_path / "temp").iterdir())


def test_cancelled_job_leaves_no_output(media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    out = tmp_path / "out" / "result.mkv"
    token = CancelToken()
    started = threading.Event()

    def on_log(line: str) -> None:
        if "--- Extraction Phase ---" in line:
            started.set()
            token.cancel()

    result = run_job(JobSpec({"Source 1": case.reference, "Source 2": case.other}), _settings(tmp_path),
                     output_file=out, log_callbacks=[on_log], cancel_token=token)
    assert started.is_set()
    assert result.status == CANCELLED
    assert not out.exists() and not list(out.parent.glob(".*partial*"))
    assert not list((tmp_path / "temp").iterdir())


def test_output_may_not_overwrite_a_source(media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    before = _sha(case.reference)
    result = run_job(JobSpec({"Source 1": case.reference, "Source 2": case.other}), _settings(tmp_path),
                     output_file=case.reference)
    assert result.status == FAILED and "overwrite" in (result.error or "")
    assert _sha(case.reference) == before
