"""Work prepared during the analysis (vsg_core/pipeline/background.py, docs/pipeline.md#prepared-during-the-analysis):
the same output and log as a job that does every step in turn, errors reported by the step that needs the result,
and a cancelled job that leaves no temp folder while the background worker's tools run.

Real mkvmerge, mkvextract, ffprobe and ffmpeg on the generated ``delay_pos`` case (no audit: it is not what is
tested here, and it is the slow part of a job)."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from vsg_core import identification, runner
from vsg_core.cancel import CancelToken
from vsg_core.config import Settings
from vsg_core.errors import MediaError
from vsg_core.extraction import tracks
from vsg_core.jobs.discovery import JobSpec
from vsg_core.log import JobLog
from vsg_core.pipeline import CANCELLED, FAILED, MERGED, run_job

pytestmark = pytest.mark.media

_STAMP = re.compile(r"^\[\d\d:\d\d:\d\d\] ")
_TEMP = re.compile(r"vsg-\d+-\d+-[\w.-]+-[a-z0-9_]{8}")


def _settings(tmp_path: Path, prepare: bool) -> Settings:
    s = Settings()
    s.set("temp_root", str(tmp_path / "temp"))
    s.set("output_folder", str(tmp_path / "out"))
    s.set("prepare_during_analysis", prepare)
    return s


def _normalised(lines: list[str]) -> list[str]:
    """The log without time stamps and random temp-folder names."""
    return [_TEMP.sub("TEMP", _STAMP.sub("", ln)) for ln in lines]


def _tracks(mkv: Path) -> list[tuple]:
    import json

    data = json.loads(subprocess.run(["mkvmerge", "-J", str(mkv)], capture_output=True, text=True, check=True).stdout)
    return [(t["type"], t["codec"], t["properties"].get("language"), t["properties"].get("track_name"),
             t["properties"].get("default_track"), t["properties"].get("minimum_timestamp")) for t in data["tracks"]]


def _subtitles(mkv: Path, tmp: Path) -> list[bytes]:
    import json

    data = json.loads(subprocess.run(["mkvmerge", "-J", str(mkv)], capture_output=True, text=True, check=True).stdout)
    ids = [t["id"] for t in data["tracks"] if t["type"] == "subtitles"]
    specs = [f"{i}:{tmp / f'{mkv.stem}_{i}.ass'}" for i in ids]
    subprocess.run(["mkvextract", str(mkv), "tracks", *specs], capture_output=True, check=True)
    chapters = subprocess.run(["mkvextract", str(mkv), "chapters", "-s"], capture_output=True, check=True).stdout
    return [(tmp / f"{mkv.stem}_{i}.ass").read_bytes() for i in ids] + [chapters]


@pytest.mark.slow
def test_prepared_job_writes_the_same_file_and_log(media_case, tmp_path: Path) -> None:
    """With and without the background worker: identical tracks, subtitles, chapters and log lines; and with it
    the subtitle tracks, the frame grid and the chapters were read before the analysis ended."""
    case = media_case("delay_pos")
    sources = {"Source 1": case.reference, "Source 2": case.other}
    runs = {}
    for prepare in (False, True):
        events: list[tuple[float, str]] = []
        lines: list[str] = []

        def on_log(line: str, lines: list[str] = lines, events: list[tuple[float, str]] = events) -> None:
            lines.append(line)
            events.append((time.monotonic(), line))

        def on_cmd(args: list[str], events: list[tuple[float, str]] = events) -> None:
            events.append((time.monotonic(), "CMD " + " ".join(args)))

        out = tmp_path / "out" / "movie.mkv"
        with runner.observe(on_cmd):
            result = run_job(JobSpec(sources), _settings(tmp_path, prepare), output_file=out,
                             log_callbacks=[on_log], audit=False)
        assert result.status == MERGED, result.error
        assert not list((tmp_path / "temp").iterdir())
        kept = out.parent.rename(tmp_path / f"done_{prepare}")   # the same output path for both runs
        runs[prepare] = (kept / "movie.mkv", lines, events)

    (off, off_lines, _), (on, on_lines, on_events) = runs[False], runs[True]
    # the analysis decodes windows in parallel threads: its ffmpeg lines may come in either order
    def decode(ln: str) -> bool:
        return ln.startswith("$ ") and Path(ln.split()[1]).name == "ffmpeg"

    on_log, off_log = _normalised(on_lines), _normalised(off_lines)
    assert [ln for ln in on_log if not decode(ln)] == [ln for ln in off_log if not decode(ln)]
    assert sorted(ln for ln in on_log if decode(ln)) == sorted(ln for ln in off_log if decode(ln))
    assert _tracks(on) == _tracks(off)
    assert _subtitles(on, tmp_path) == _subtitles(off, tmp_path)
    # the prepared run read the sources' subtitles, the frame grid and the chapters during the analysis
    end = next(t for t, e in on_events if e == "--- Extraction Phase ---")
    early = [e for t, e in on_events if t < end and e.startswith("CMD ")]
    assert sum("mkvextract" in e and " tracks " in e for e in early) == 2, early
    assert any("timestamps_v2" in e for e in early), early
    assert any("mkvextract" in e and " chapters " in e for e in early), early


@pytest.mark.slow
def test_cancel_while_the_background_extracts(media_case, tmp_path: Path) -> None:
    """The job is cancelled the moment the background worker starts extracting a subtitle track (during the
    analysis): the job ends Cancelled, the worker's mkvextract is killed and the temp folder is gone."""
    case = media_case("delay_pos")
    token = CancelToken()
    seen: list[tuple[str, list[str]]] = []

    def on_cmd(args: list[str]) -> None:
        seen.append((threading.current_thread().name, args))
        if Path(args[0]).name == "mkvextract" and "tracks" in args:
            token.cancel("cancelled by the test")

    out = tmp_path / "out" / "movie.mkv"
    with runner.observe(on_cmd):
        result = run_job(JobSpec({"Source 1": case.reference, "Source 2": case.other}),
                         _settings(tmp_path, True), output_file=out, cancel_token=token, audit=False)
    assert result.status == CANCELLED, (result.status, result.error)
    assert "cancelled by the test" in (result.error or "")
    extracts = [(who, a) for who, a in seen if Path(a[0]).name == "mkvextract"]
    assert extracts and all(who.startswith("vsg-prepare") for who, _ in extracts), extracts
    assert not any(Path(a[0]).name == "mkvmerge" and any(x.startswith("@") for x in a) for _, a in seen)
    assert not out.exists() and not list(out.parent.glob(".vsg-*"))
    assert not list((tmp_path / "temp").iterdir())
    log = (out.parent / "movie.log").read_text(encoding="utf-8")
    assert "Job cancelled" in log


@pytest.mark.slow
def test_unextractable_subtitle_track_fails_the_extraction_step(media_case, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A text subtitle track that cannot be extracted — here mkvextract is asked to write Source 2's subtitle
    track under a regular file, where no folder can be created (the real mkvextract fails) — fails the job after
    a complete analysis, with the same error and the same log lines in the Extraction phase whether the
    extraction was tried during the analysis or in its step."""
    case = media_case("delay_pos")
    other = tmp_path / "other.mkv"
    other.symlink_to(case.other)
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where mkvextract would need a folder")
    real_path = tracks.extraction_path

    def blocked(temp_dir, role, container, track_id, ext):
        path = real_path(temp_dir, role, container, track_id, ext)
        return blocker / path.name if role == "Source 2" and ext == "ass" else path

    monkeypatch.setattr(tracks, "extraction_path", blocked)
    seen = {}
    for prepare in (True, False):
        out = tmp_path / "out" / "movie.mkv"
        lines: list[str] = []
        result = run_job(JobSpec({"Source 1": case.reference, "Source 2": other}), _settings(tmp_path, prepare),
                         output_file=out, log_callbacks=[lines.append], audit=False)
        assert result.status == FAILED
        assert "Source_2_track_other_2.ass: ✗ not created" in (result.error or ""), result.error
        text = _normalised(lines)
        analysed = text.index("[Validation] Analysis phase validated successfully.")
        phase = text.index("--- Extraction Phase ---")
        command = next(i for i, ln in enumerate(text) if ln.startswith("$ mkvextract") and "blocker" in ln)
        failed = next(i for i, ln in enumerate(text) if ln.startswith("[!] Command failed with exit code 2"))
        fatal = next(i for i, ln in enumerate(text) if ln.startswith("[FATAL ERROR] Job failed"))
        assert analysed < phase < command < failed < fatal, (analysed, phase, command, failed, fatal)
        assert not out.exists()
        assert not list((tmp_path / "temp").iterdir())
        out.parent.rename(tmp_path / f"failed_{prepare}")
        seen[prepare] = (_TEMP.sub("TEMP", result.error or ""), text[phase:])
    assert seen[True] == seen[False]


def test_prefetched_identification_reports_at_the_asker(tmp_path: Path) -> None:
    """A file ffprobe cannot read: the background run's failure and its log lines reach the step that asks,
    and the tool ran once."""
    junk = tmp_path / "junk.mkv"
    junk.write_bytes(b"not a media file" * 100)
    calls: list[list[str]] = []
    log = JobLog()
    with runner.observe(calls.append), identification.job_scope():
        identification.start_prefetch([junk])
        with pytest.raises(MediaError, match=r"junk\.mkv: ffprobe cannot read this file"):
            identification.probed(junk, log)
        with pytest.raises(MediaError):
            identification.probed(junk, log)   # asked again: the same answer, no second run
        assert identification.mkvmerge_identify(junk, log).data["container"]["recognized"] is False
    assert len([c for c in calls if Path(c[0]).name == "ffprobe"]) == 1
    assert len([c for c in calls if Path(c[0]).name == "mkvmerge"]) == 1
    text = [_STAMP.sub("", ln) for ln in log.lines]
    assert sum(ln.startswith("$ ") and "ffprobe" in ln for ln in text) == 1, text
    assert any(ln.startswith("[!] Command failed") for ln in text), text
