"""Subtitles after ``run_job`` on generated releases, measured independently of vsg: the output's subtitle
packets are read with ffprobe and compared with the ground truth (the reference release's line with the same
text, or the true delay)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vsg_core.config import Settings
from vsg_core.jobs.discovery import JobSpec
from vsg_core.pipeline import MERGED, run_job

pytestmark = [pytest.mark.media, pytest.mark.slow]

FRAME_MS = 1001 / 24          # one frame at 23.976 fps
AUDIO_CD_MS = 80


def _settings(tmp_path: Path) -> Settings:
    s = Settings()
    s.set("temp_root", str(tmp_path / "temp"))
    s.set("output_folder", str(tmp_path / "out"))
    return s


def _packets(path: Path, ordinal: int) -> list[float]:
    proc = subprocess.run(["ffprobe", "-v", "error", "-select_streams", f"s:{ordinal}", "-show_entries",
                           "packet=pts_time", "-of", "json", str(path)], capture_output=True, text=True, check=True)
    return [float(p["pts_time"]) * 1000 for p in json.loads(proc.stdout)["packets"]]


def _extract_ass(path: Path, track_id: int, out: Path) -> list[tuple[float, str]]:
    subprocess.run(["mkvextract", str(path), "tracks", f"{track_id}:{out}"], capture_output=True, check=True)
    events = []
    for line in out.read_text(encoding="utf-8-sig").splitlines():
        if line.startswith("Dialogue:"):
            f = line.split(",", 9)
            h, m, s = f[1].split(":")
            events.append(((int(h) * 60 + int(m)) * 60000 + float(s) * 1000, f[9]))
    return events


def _with_audio_container_delay(case, tmp_path: Path) -> Path:
    """The ``delay_pos`` release with its audio re-cut to start 80 ms later and muxed with a +80 ms container
    delay (still in sync with its own video): presentation delay unchanged, audio-stream delay +80 ms."""
    flac = tmp_path / "audio.flac"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(case.other), "-map", "0:a:0", "-af",
                    f"atrim=start={AUDIO_CD_MS / 1000},asetpts=PTS-STARTPTS", "-c:a", "flac", str(flac)], check=True)
    out = tmp_path / "delay_pos_audio_cd.mkv"
    subprocess.run(["mkvmerge", "-q", "-o", str(out), "-A", str(case.other), "--sync", f"0:{AUDIO_CD_MS}",
                    str(flac)], check=True)
    return out


def test_subtitles_follow_the_video_when_the_audio_has_a_container_delay(media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    other = _with_audio_container_delay(case, tmp_path)
    info = json.loads(subprocess.run(["mkvmerge", "-J", str(other)], capture_output=True, text=True,
                                     check=True).stdout)
    audio = next(t for t in info["tracks"] if t["type"] == "audio")
    assert round(audio["properties"]["minimum_timestamp"] / 1e6) == AUDIO_CD_MS
    lines: list[str] = []
    result = run_job(JobSpec({"Source 1": case.reference, "Source 2": other}), _settings(tmp_path),
                     log_callbacks=[lines.append])
    assert result.status == MERGED, result.error
    shift = result.global_shift_ms
    ref_subs = len(case.truth.reference.subtitles)
    want = [e.start_s * 1000 + case.truth.sync.delay_ms + shift for e in case.truth.target.subtitles[0].events]
    got = _packets(result.output, ref_subs)
    assert len(got) == len(want)
    worst = max(abs(g - w) for g, w in zip(sorted(got), sorted(want), strict=True))
    assert worst <= 10.0, f"subtitles off by up to {worst:.2f} ms (the audio's container delay is {AUDIO_CD_MS} ms)"
    # the audio itself still plays in sync (it keeps the audio-stream delay)
    assert result.audit is not None
    assert all(r.residual_ms is not None and abs(r.residual_ms) <= 1.0 for r in result.audit.residuals)
    assert any("starts +80 ms after its video" in ln for ln in lines)


def _matched_offsets(result, case, tmp_path: Path) -> list[tuple[float, float]]:
    """(reference start + shift, output start) of every output line of Source 2 whose text the reference has
    (lines the release cut at its start are clipped there, so they are not the reference's line)."""
    shift = result.global_shift_ms
    clipped = {e.text for e in case.truth.target.subtitles[0].events if e.start_s <= 0.001}
    ref = {e.text: e.start_s * 1000 + shift for e in case.truth.reference.subtitles[0].events
           if e.text not in clipped}
    info = json.loads(subprocess.run(["mkvmerge", "-J", str(result.output)], capture_output=True, text=True,
                                     check=True).stdout)
    subs = [t for t in info["tracks"] if t["type"] == "subtitles"]
    src2 = subs[len(case.truth.reference.subtitles)]
    events = _extract_ass(result.output, src2["id"], tmp_path / "out.ass")
    return [(ref[text], start) for start, text in events if text in ref]


@pytest.mark.parametrize("name", ["pal", "drift"])
def test_tempo_sources_subtitles_within_one_frame(name: str, media_case, tmp_path: Path) -> None:
    case = media_case(name)
    result = run_job(JobSpec({"Source 1": case.reference, "Source 2": case.other}), _settings(tmp_path))
    assert result.status == MERGED, result.error
    pairs = _matched_offsets(result, case, tmp_path)
    assert len(pairs) >= 0.9 * len(case.truth.target.subtitles[0].events)
    worst = max(abs(g - w) for w, g in pairs)
    assert worst <= FRAME_MS, f"{name}: subtitle lines off by up to {worst:.1f} ms"


def test_stepping_source_subtitles(media_case, tmp_path: Path) -> None:
    """Analysis segments only: lines away from the boundaries within one frame; no line lands in the wrong
    segment by more than the boundary uncertainty."""
    case = media_case("stepping")
    result = run_job(JobSpec({"Source 1": case.reference, "Source 2": case.other}), _settings(tmp_path))
    assert result.status == MERGED, result.error
    pairs = _matched_offsets(result, case, tmp_path)
    assert len(pairs) >= 0.8 * len(case.truth.target.subtitles[0].events)
    bounds = [b * 1000 for b in case.truth.sync.boundaries_ref_s]
    far = [(w, g) for w, g in pairs if all(abs(w - b) > 5000 for b in bounds)]
    assert len(far) >= 0.7 * len(pairs)
    worst = max(abs(g - w) for w, g in far)
    assert worst <= FRAME_MS, f"stepping: lines away from the cuts off by up to {worst:.1f} ms"


def test_video_verified_uses_the_picture_when_the_audio_is_off(media_case, tmp_path: Path) -> None:
    """A broken release: its audio track carries a wrong +120 ms container delay (the audio is out of sync
    with its own video). Time-based subtitles would follow the audio and land 120 ms early; video-verified
    measures the picture, finds the disagreement (≈ 3 frames) and uses the video offset (one frame of
    resolution)."""
    case = media_case("delay_pos")
    broken = tmp_path / "broken.mkv"
    subprocess.run(["mkvmerge", "-q", "-o", str(broken), "--sync", "1:120", str(case.other)], check=True)
    s = _settings(tmp_path)
    s.set("subtitle_sync_mode", "video-verified")
    lines: list[str] = []
    result = run_job(JobSpec({"Source 1": case.reference, "Source 2": broken}), s, log_callbacks=[lines.append])
    assert result.status == MERGED, result.error
    assert any("audio and video disagree" in w for w in result.warnings), result.warnings
    shift = result.global_shift_ms
    want = [e.start_s * 1000 + case.truth.sync.delay_ms + shift for e in case.truth.target.subtitles[0].events]
    got = _packets(result.output, len(case.truth.reference.subtitles))
    worst = max(abs(g - w) for g, w in zip(sorted(got), sorted(want), strict=True))
    assert worst <= FRAME_MS, f"video-verified subtitles off by up to {worst:.1f} ms"
    assert any("[VideoVerified] Source 2: audio-based" in ln for ln in lines)


def test_track_options_reach_the_written_file(media_case, tmp_path: Path) -> None:
    """Font size multiplier and rescale set on a layout entry are applied to the muxed ASS (the reference video
    is 320×180 like the file's PlayRes, so rescale is a no-op and says so; the size is multiplied)."""
    from dataclasses import replace

    from vsg_core.extraction import tracks_by_source
    from vsg_core.jobs.layout import default_layout

    case = media_case("delay_pos")
    sources = {"Source 1": case.reference, "Source 2": case.other}
    layout = default_layout(tracks_by_source(sources))
    entries = tuple(replace(e, size_multiplier=1.5, rescale=True) if (e.source, e.type.value) ==
                    ("Source 2", "subtitles") else e for e in layout.entries)
    lines: list[str] = []
    result = run_job(JobSpec(sources), _settings(tmp_path), layout=replace(layout, entries=entries),
                     log_callbacks=[lines.append])
    assert result.status == MERGED, result.error
    info = json.loads(subprocess.run(["mkvmerge", "-J", str(result.output)], capture_output=True, text=True,
                                     check=True).stdout)
    subs = [t for t in info["tracks"] if t["type"] == "subtitles"]
    out = tmp_path / "s2.ass"
    subprocess.run(["mkvextract", str(result.output), "tracks", f"{subs[-1]['id']}:{out}"], check=True,
                   capture_output=True)
    text = out.read_text(encoding="utf-8-sig")
    assert "Style: Default,Arial,21," in text          # 14 × 1.5
    assert any("rescale not needed" in ln for ln in lines)


@pytest.mark.parametrize(("raw", "warned"), [
    ("Café crème, œuvre".encode("cp1252"), False),            # Windows-1252
    ("Café crème".encode("latin-1") + b" \x81", True),        # 0x81 is undefined in Windows-1252: read as ISO-8859-1
])
def test_legacy_encoded_subtitle_file_keeps_its_letters(media_case, tmp_path: Path, raw: bytes,
                                                        warned: bool) -> None:
    """An external SRT in an 8-bit Windows/Latin encoding (no BOM): the muxed track holds the same letters; it
    used to be written back in its own encoding and mkvmerge, reading it as UTF-8, replaced every accented
    letter by U+FFFD."""
    case = media_case("delay_pos")
    sub = tmp_path / "legacy.srt"
    sub.write_bytes(b"1\r\n00:00:01,000 --> 00:00:03,000\r\n" + raw + b"\r\n\r\n")
    text = raw.decode("cp1252" if not warned else "latin-1")
    out = tmp_path / "out" / "legacy.mkv"
    env = {**os.environ, "VSG_SETTINGS": str(tmp_path / "settings.json"),
           "VSG_SET_TEMP_ROOT": str(tmp_path / "temp")}
    proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", "sync", str(case.reference), str(case.other),
                           "--sub", str(sub), "-o", str(out), "--no-audit", "--json", "-q"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    tracks = json.loads(subprocess.run(["mkvmerge", "-J", str(out)], capture_output=True, text=True,
                                       check=True).stdout)["tracks"]
    srt = [t["id"] for t in tracks if t["codec"] == "SubRip/SRT"]
    assert len(srt) == 1
    got = tmp_path / "got.srt"
    subprocess.run(["mkvextract", str(out), "tracks", f"{srt[0]}:{got}"], capture_output=True, check=True)
    body = got.read_text(encoding="utf-8-sig")
    assert text in body and "\ufffd" not in body, body
    assert any("ISO-8859-1" in w for w in result["warnings"]) == warned, result["warnings"]
