"""A reference release in a container other than Matroska keeps its own audio/video offset in the output.

mkvmerge -J reports no minimum timestamps for MPEG-TS, MP4 and the like, so the analysis must take the
offset between the reference's audio and video from ffprobe's stream start times (docs/analysis.md#container-delays);
the mux reads the Matroska copy of the file, whose timestamps keep that offset.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

VSG = str(Path(sys.executable).with_name("vsg"))


def _starts(path: Path) -> tuple[float, float]:
    """(first video stream start, first audio stream start) in seconds, as ffprobe reads them."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,start_time", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    streams = json.loads(out)["streams"]
    video = next(float(s["start_time"]) for s in streams if s["codec_type"] == "video")
    audio = next(float(s["start_time"]) for s in streams if s["codec_type"] == "audio")
    return video, audio


@pytest.mark.media
@pytest.mark.slow
def test_transport_stream_reference_keeps_its_audio_video_offset(media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    ref_ts = tmp_path / "capture.ts"
    # the reference's picture with its sound 0.2 s later, as a broadcast capture often has it
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(case.reference), "-itsoffset", "0.2",
                    "-i", str(case.reference), "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "ac3",
                    "-b:a", "192k", str(ref_ts)], check=True)
    v0, a0 = _starts(ref_ts)
    assert 0.18 < a0 - v0 < 0.22, (v0, a0)
    out = tmp_path / "out.mkv"
    proc = subprocess.run([VSG, "sync", "-q", str(ref_ts), str(case.other), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    v1, a1 = _starts(out)  # the output's first audio track is the reference's
    assert abs((a1 - v1) - (a0 - v0)) <= 0.001, f"audio − video: source {a0 - v0:.4f} s, output {a1 - v1:.4f} s"


@pytest.mark.media
@pytest.mark.slow
@pytest.mark.parametrize("side", ["other", "reference"])
def test_mp4_aac_release_is_muxed_where_the_analysis_measured_it(side: str, media_case, tmp_path: Path) -> None:
    """An MP4's edit list drops the AAC encoder's priming (1024 samples, 23.2 ms at 44.1 kHz) when ffmpeg
    decodes it (as the analysis does); mkvmerge's Matroska copy keeps the priming frame, so the copy plays the
    audio that much later. Muxed without accounting for that, the MP4's track ended 22–24 ms off (audit
    failed) whether the MP4 was the other release or the reference."""
    case = media_case("delay_pos")
    src = case.other if side == "other" else case.reference
    mp4 = tmp_path / f"{side}.mp4"
    maps = ["-map", "0:a:0"] if side == "other" else ["-map", "0:v:0", "-map", "0:a:0", "-c:v", "copy"]
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(src), *maps, "-c:a", "aac", "-b:a", "160k",
                    "-ar", "44100", "-ac", "2", str(mp4)], check=True)
    ref, other = (case.reference, mp4) if side == "other" else (mp4, case.other)
    out = tmp_path / "out.mkv"
    proc = subprocess.run([VSG, "sync", "--json", str(ref), str(other), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]


@pytest.mark.media
def test_aac_51_side_track_of_an_mp4_is_extracted(tmp_path: Path) -> None:
    """mkvextract (MKVToolNix 74) aborts writing an AAC 5.1 track whose codec private data holds a program
    config element, as ffmpeg's AAC encoder writes for the 5.1(side) layout of an AC-3 source; vsg copies such
    a track with mkvmerge instead of failing the job."""
    from vsg_core.extraction import extract_tracks

    mp4 = tmp_path / "web.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                    "anoisesrc=c=pink:a=0.1:seed=3:r=48000,aformat=channel_layouts=5.1(side)", "-t", "8",
                    "-c:a", "aac", "-b:a", "256k", str(mp4)], check=True)
    done = extract_tracks(mp4, tmp_path / "temp", "Source 2")
    assert len(done) == 1
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,channels:format=duration",
                          "-of", "json", str(done[0].path)], capture_output=True, text=True, check=True).stdout
    info = json.loads(out)
    assert info["streams"][0]["codec_name"] == "aac" and info["streams"][0]["channels"] == 6
    assert abs(float(info["format"]["duration"]) - 8.0) < 0.1
