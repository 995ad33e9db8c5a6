"""Extraction, chapters and muxing on real generated media with real mkvmerge/mkvextract/ffmpeg/ffprobe.

Expected values come from the cases' ground truth (written by the generator from the case definitions) or
from independent tool calls in this file (ffprobe, ``mkvmerge -J`` of the output); never from the code
under test. A missing tool fails the test (no skips).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vsg_core import mux
from vsg_core.chapters import ChapterOptions, parse_time_ns, prepare_chapters
from vsg_core.errors import CommandError, MediaError
from vsg_core.extraction import extract_fonts, extract_tracks, identify, open_source
from vsg_core.log import JobLog
from vsg_core.models import Delays, PlanItem, SnapMode, Track, TrackType

pytestmark = pytest.mark.media
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def tool(name: str) -> str:
    path = shutil.which(name)
    assert path is not None, f"{name} is required for this test (install mkvtoolnix/ffmpeg)"
    return path


def sh(*cmd: str | Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    assert proc.returncode == 0, f"{cmd[0]} failed: {proc.stdout[-500:]}{proc.stderr[-500:]}"
    return proc


def mkvmerge_json(path: Path) -> dict[str, Any]:
    return json.loads(sh(tool("mkvmerge"), "-J", path).stdout)


def ffprobe_streams(path: Path) -> list[dict[str, Any]]:
    out = sh(tool("ffprobe"), "-v", "error", "-show_streams", "-show_format", "-of", "json", path).stdout
    return json.loads(out)["streams"]


# ------------------------------------------------------------------------------------ identification
@pytest.mark.parametrize("case", ["ref", "container_delay", "delay_pos", "delay_neg", "dub"])
def test_identify_matches_ground_truth(media_case: Any, case: str) -> None:
    files = media_case(case)
    releases = [files.truth.reference, *files.truth.targets]
    for rel in releases:
        info = identify(rel.path, "Source 1")
        assert info.is_matroska and info.recognized and info.supported
        assert info.chapter_entries == len(rel.chapters)
        by_id = {t.id: t for t in info.tracks}
        v = by_id[rel.video.track_id]
        assert (v.type, v.codec, v.container_delay_ms) == (TrackType.VIDEO, rel.video.codec,
                                                           rel.video.container_delay_ms)
        for a in rel.audio:
            t = by_id[a.track_id]
            assert t.type == TrackType.AUDIO and t.codec == a.codec
            assert (t.track.props.lang, t.track.props.name, t.track.props.audio_channels) == (
                a.language, a.name, a.channels)
            assert t.container_delay_ms == a.container_delay_ms
            assert t.minimum_timestamp_ns is not None
            assert abs(t.minimum_timestamp_ns / 1e6 - a.container_delay_ms) <= 0.5
        for s in rel.subtitles:
            t = by_id[s.track_id]
            assert (t.type, t.codec, t.track.props.lang, t.track.props.name) == (
                TrackType.SUBTITLES, s.codec, s.language, s.name)
            assert t.container_delay_ms == 0  # subtitles: none (docs/pipeline.md#identification)
            assert t.minimum_timestamp_ns == round(s.events[0].start_s * 1000) * 1_000_000


# ------------------------------------------------------------------------------------ track extraction
EXPECTED_FFPROBE = {"h264": "h264", "flac": "flac", "ac3": "ac3", "ass": "ass", "opus": "opus", "aac": "aac"}


@pytest.mark.parametrize(("case", "which"), [("ref", "reference"), ("delay_pos", "target"),
                                             ("delay_neg", "target"), ("dub", "target")])
def test_extract_every_track(media_case: Any, tmp_path: Path, case: str, which: str) -> None:
    files = media_case(case)
    rel = files.truth.reference if which == "reference" else files.truth.target
    log = JobLog()
    out = extract_tracks(rel.path, tmp_path, "Source 2", log=log)
    stem = rel.path.stem
    assert [x.track.id for x in out] == sorted([rel.video.track_id] + [a.track_id for a in rel.audio]
                                               + [s.track_id for s in rel.subtitles])
    for x in out:
        assert x.path.parent == tmp_path and x.path.name.startswith(f"Source_2_track_{stem}_{x.track.id}.")
        ext = x.path.suffix[1:]
        streams = ffprobe_streams(x.path)
        assert len(streams) == 1 and streams[0]["codec_name"] == EXPECTED_FFPROBE[ext], x.path
        # mkvmerge must be able to read every extracted file back (it is the mux input)
        back = mkvmerge_json(x.path)
        assert back["container"]["recognized"] and back["container"]["supported"]
    subs = [x for x in out if x.track.type == TrackType.SUBTITLES]
    for x, s in zip(subs, rel.subtitles, strict=True):
        text = x.path.read_text(encoding="utf-8-sig")
        assert s.events[0].text in text and s.events[-1].text in text
    audio = [x for x in out if x.track.type == TrackType.AUDIO]
    for x, a in zip(audio, rel.audio, strict=True):
        assert (x.track.props.lang, x.track.props.name) == (a.language, a.name)
        # decoded length (raw AAC/AC-3 have no reliable container duration)
        pcm = subprocess.run([tool("ffmpeg"), "-v", "error", "-i", str(x.path), "-f", "s16le", "-ac", "1", "-ar",
                              "8000", "-"], capture_output=True, check=True).stdout
        dur = len(pcm) / 2 / 8000
        assert abs(dur - rel.duration_s) < 0.1, (x.path, dur, rel.duration_s)
    assert any("Successfully extracted" in ln for ln in log.lines)


def test_partial_selection_and_missing_track(media_case: Any, tmp_path: Path) -> None:
    ref = media_case("ref").truth.reference
    out = extract_tracks(ref.path, tmp_path, "Source 1", [2, 4])
    assert [(x.track.id, x.path.suffix) for x in out] == [(2, ".ac3"), (4, ".ass")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Source_1_track_ref_2.ac3", "Source_1_track_ref_4.ass"]
    with pytest.raises(MediaError, match=r"Source 1 \(.*ref\.mkv\): no track with id 9"):
        extract_tracks(ref.path, tmp_path, "Source 1", [9])


def test_container_delay_is_carried_on_extracted_tracks(media_case: Any, tmp_path: Path) -> None:
    files = media_case("container_delay")
    out = extract_tracks(files.reference, tmp_path, "Source 1")
    flac = next(x for x in out if x.track.type == TrackType.AUDIO)
    assert flac.track.container_delay_ms == files.truth.reference.audio[0].container_delay_ms == 153


def test_mp4_and_ts_sources(media_case: Any, tmp_path: Path) -> None:
    ref = media_case("ref").truth.reference
    mp4 = tmp_path / "film.mp4"
    sh(tool("ffmpeg"), "-v", "error", "-y", "-i", ref.path, "-t", "20", "-map", "0:v:0", "-map", "0:a:1",
       "-c:v", "copy", "-c:a", "copy", mp4)
    ts = tmp_path / "film.m2ts"
    sh(tool("ffmpeg"), "-v", "error", "-y", "-i", mp4, "-map", "0:v", "-map", "0:a", "-c", "copy", "-f", "mpegts",
       "-mpegts_m2ts_mode", "1", ts)
    for src, role in ((mp4, "Source 2"), (ts, "Source 3")):
        opened = open_source(src, tmp_path, role)
        assert opened.remuxed and opened.info.is_matroska and not opened.original_info.is_matroska
        original = mkvmerge_json(src)["tracks"]
        assert sorted(opened.id_map) == sorted(t["id"] for t in original)
        out = extract_tracks(src, tmp_path, role, opened=opened)
        assert [x.track.props.codec_id for x in out] == ["V_MPEG4/ISO/AVC", "A_AC3"]
        assert [x.path.name for x in out] == [f"{role.replace(' ', '_')}_track_film_{t['id']}.{e}"
                                              for t, e in zip(original, ("h264", "ac3"), strict=True)]
        assert [ffprobe_streams(x.path)[0]["codec_name"] for x in out] == ["h264", "ac3"]


def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "notes.mkv"
    junk.write_text("this is not a video\n")
    with pytest.raises(MediaError, match="does not recognise this file's format"):
        extract_tracks(junk, tmp_path, "Source 2")
    with pytest.raises(MediaError, match="file not found"):
        extract_tracks(tmp_path / "gone.mkv", tmp_path, "Source 2")


def _dominant_hz(wav: Path) -> float:
    pcm = subprocess.run([tool("ffmpeg"), "-v", "error", "-i", str(wav), "-f", "f32le", "-ac", "1", "-ar",
                          "22050", "-"], capture_output=True, check=True).stdout
    x = np.frombuffer(pcm, dtype=np.float32)
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spec) * 22050 / len(x))


def test_acm_audio_and_mpeg4_part2_video(tmp_path: Path) -> None:
    # ffmpeg writes MS-ADPCM as A_MS/ACM and MPEG-4 Part 2 as V_MPEG4/ISO/ASP (which mkvextract refuses).
    src = tmp_path / "old.mkv"
    sh(tool("ffmpeg"), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=25", "-f", "lavfi",
       "-i", "sine=f=440:sample_rate=22050", "-f", "lavfi", "-i", "sine=f=880:sample_rate=22050", "-t", "3",
       "-map", "0", "-map", "1", "-map", "2", "-c:v", "mpeg4", "-bf", "2", "-c:a:0", "pcm_s16le",
       "-c:a:1", "adpcm_ms", src)
    codecs = [t["properties"]["codec_id"] for t in mkvmerge_json(src)["tracks"]]
    assert codecs == ["V_MPEG4/ISO/ASP", "A_PCM/INT/LIT", "A_MS/ACM"]
    out = extract_tracks(src, tmp_path / "x", "Source 2", [0, 2])  # partial selection: the ACM track only
    video, acm = out
    assert video.path.suffix == ".mkv" and acm.path.suffix == ".wav"
    # The ACM track is the 880 Hz one (upstream's 0:a:<selected index> would have taken the 440 Hz PCM).
    assert abs(_dominant_hz(acm.path) - 880) < 5
    assert mkvmerge_json(acm.path)["container"]["supported"]
    v = mkvmerge_json(video.path)["tracks"]
    assert [(t["type"], t["properties"]["codec_id"]) for t in v] == [("video", "V_MPEG4/ISO/ASP")]
    assert v[0]["properties"].get("minimum_timestamp", 0) == 0
    frames = sh(tool("ffprobe"), "-v", "error", "-count_packets", "-select_streams", "v:0", "-show_entries",
                "stream=nb_read_packets", "-of", "csv=p=0", video.path).stdout.strip()
    assert int(frames) == 75


def test_font_attachments(media_case: Any, tmp_path: Path) -> None:
    assert FONT.is_file(), f"{FONT} is needed (fonts-dejavu-core)"
    ref = media_case("ref").truth.reference
    cover = tmp_path / "cover.txt"
    cover.write_text("not a font")
    src = tmp_path / "with fonts.mkv"
    sh(tool("mkvmerge"), "-q", "-o", src, "-A", "-S", "--attachment-mime-type", "font/ttf",
       "--attach-file", FONT, "--attachment-mime-type", "text/plain", "--attach-file", cover,
       "--attachment-mime-type", "application/octet-stream", "--attachment-name", "Bold Face.otf",
       "--attach-file", FONT, "--split", "parts:00:00:00-00:00:02", ref.path)
    log = JobLog()
    paths = extract_fonts(src, tmp_path / "t", "Source 1", log)
    assert [p.relative_to(tmp_path / "t").as_posix() for p in paths] == ["Source 1_att_1/DejaVuSans.ttf",
                                                                         "Source 1_att_3/Bold Face.otf"]
    assert all(p.read_bytes() == FONT.read_bytes() for p in paths)
    assert any("Found 3 attachments, extracting 2 font file(s)" in ln for ln in log.lines)


# ------------------------------------------------------------------------------------ chapters
def _chapter_starts_ms(mkv: Path) -> list[float]:
    xml = sh(tool("mkvextract"), mkv, "chapters", "-").stdout
    root = ET.fromstring(xml.lstrip("\ufeff").encode())
    return [parse_time_ns(e.text or "") / 1e6 for e in root.iter("ChapterTimeStart")]


def _keyframes_ms(mkv: Path) -> list[float]:
    out = sh(tool("ffprobe"), "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
             "-of", "csv=p=0", mkv).stdout
    return sorted(float(ln.split(",")[0]) * 1000 for ln in out.splitlines() if "K" in ln.split(",")[1])


def test_chapters_shift_and_snap_on_a_real_file(media_case: Any, tmp_path: Path) -> None:
    ref = media_case("ref").truth.reference
    shift = 300
    opts = ChapterOptions(rename=True, snap=True, snap_mode=SnapMode.NEAREST, snap_threshold_ms=3000,
                          snap_starts_only=True)
    log = JobLog()
    xml_path = prepare_chapters(ref.path, tmp_path, shift, opts, log)
    assert xml_path == tmp_path / "ref_chapters_modified.xml"
    # mux the video shifted like the pipeline does (Source 1 video: --sync +global shift) with the chapters
    out = tmp_path / "out.mkv"
    sh(tool("mkvmerge"), "-q", "-o", out, "--chapters", xml_path, "-A", "-S", "--no-chapters", "--sync",
       f"0:+{shift}", ref.path)
    got = _chapter_starts_ms(out)
    kf = _keyframes_ms(out)
    assert kf[0] == pytest.approx(shift, abs=0.001)
    assert len(got) == len(ref.chapters)
    for chapter, start in zip(ref.chapters, got, strict=True):
        wanted = chapter.start_s * 1000 + shift
        nearest = min(kf, key=lambda k: (abs(k - wanted), k))
        # vsg fix D4.5: snapped chapters sit exactly on keyframes of the muxed (shifted) video
        assert start == pytest.approx(nearest, abs=0.001), (chapter.title, start, nearest)
    names = [e.text for e in ET.fromstring(xml_path.read_bytes()).iter("ChapterString")]
    assert names == [f"Chapter {i:02d}" for i in range(1, len(ref.chapters) + 1)]


def test_chapters_shift_only_and_no_chapters(media_case: Any, tmp_path: Path) -> None:
    ref = media_case("ref").truth.reference
    xml_path = prepare_chapters(ref.path, tmp_path, 1001, ChapterOptions())
    assert xml_path is not None
    out = tmp_path / "c.mkv"
    sh(tool("mkvmerge"), "-q", "-o", out, "--chapters", xml_path, "-A", "-S", "-D", "--no-chapters", ref.path)
    assert _chapter_starts_ms(out) == pytest.approx([c.start_s * 1000 + 1001 for c in ref.chapters], abs=0.001)
    titles = [e.text for e in ET.fromstring(xml_path.read_bytes()).iter("ChapterString")]
    assert titles == [c.title for c in ref.chapters]
    # a file without chapters → None, logged, not an error
    bare = tmp_path / "bare.mkv"
    sh(tool("mkvmerge"), "-q", "-o", bare, "--no-chapters", "-A", "-S", ref.path)
    log = JobLog()
    assert prepare_chapters(bare, tmp_path, 0, ChapterOptions(), log) is None
    assert any("has no chapters" in ln for ln in log.lines)


# ------------------------------------------------------------------------------------ mux end to end
def _plan(tracks: dict[tuple[str, int], Any], external: Path) -> list[PlanItem]:
    s1v, s1a, s1s = tracks[("Source 1", 0)], tracks[("Source 1", 1)], tracks[("Source 1", 2)]
    s2a, s2s = tracks[("Source 2", 1)], tracks[("Source 2", 2)]
    items = [
        PlanItem(s1v.track, extracted_path=str(s1v.path), container_delay_ms=s1v.track.container_delay_ms,
                 aspect_ratio="16:9"),
        PlanItem(s1a.track, extracted_path=str(s1a.path), container_delay_ms=s1a.track.container_delay_ms,
                 custom_name='Référence "FLAC" \\ 2.0'),
        PlanItem(s2a.track, extracted_path=str(s2a.path), is_default=True, apply_track_name=True,
                 custom_lang="jpn"),
        PlanItem(s1s.track, extracted_path=str(s1s.path), is_preserved=True, custom_name="Original subs"),
        PlanItem(s2s.track, extracted_path=str(s2s.path), is_default=True, is_forced_display=True,
                 custom_name="日本語 signs"),
    ]
    ext = Track("External", 0, TrackType.SUBTITLES, s2s.track.props)
    return [*items, PlanItem(ext, extracted_path=str(external), sync_to=None, custom_name="External (no sync_to)")]


def test_mkvmerge_accepts_the_options_file(media_case: Any, tmp_path: Path, backend: str) -> None:
    files = media_case("container_delay")
    work = tmp_path / "work"
    tracks = {}
    for role, path in (("Source 1", files.reference), ("Source 2", files.other)):
        for x in extract_tracks(path, work, role):
            tracks[(role, x.track.id)] = x
    external = work / "external.ass"  # an external subtitle file: a copy of Source 2's ASS
    external.write_bytes(tracks[("Source 2", 2)].path.read_bytes())
    shift, s2 = 250, 862
    delays = Delays({"Source 1": shift, "Source 2": s2}, {"Source 1": float(shift), "Source 2": float(s2)},
                    shift, float(shift))
    plan = _plan(tracks, external)
    font_dir = work / "fonts"
    font_dir.mkdir()
    font = font_dir / "Source 1_att_1_DejaVuSans.ttf"
    font.write_bytes(FONT.read_bytes())
    chapters = prepare_chapters(files.reference, work, shift, ChapterOptions())
    assert chapters is not None
    out = work / f"temp_{files.reference.name}"
    tokens = mux.build_options(plan, delays, {}, chapters, [font], output=out)
    opts = work / "opts.json"
    mux.write_options_file(tokens, opts)
    log = JobLog()
    res = mux.run_mkvmerge(opts, log, output_file=out)
    assert res.returncode == 0
    info = mkvmerge_json(out)
    got = [(t["type"], t["properties"].get("language"), t["properties"].get("track_name"),
            t["properties"]["default_track"], t["properties"]["forced_track"]) for t in info["tracks"]]
    truth1 = files.truth.reference
    assert got == [
        ("video", "und", None, True, False),  # apply_track_name off: raw H.264 carries no name
        ("audio", "eng", 'Référence "FLAC" \\ 2.0', False, False),
        ("audio", "jpn", files.truth.target.audio[0].name, True, False),
        ("subtitles", "eng", "日本語 signs", True, True),
        ("subtitles", "eng", "External (no sync_to)", False, False),
        ("subtitles", "eng", "Original subs", False, False),  # preserved: after the last subtitle
    ]
    mins = [t["properties"].get("minimum_timestamp", 0) / 1e6 for t in info["tracks"]]
    first_sub_tgt = files.truth.target.subtitles[0].events[0].start_s * 1000
    first_sub_ref = truth1.subtitles[0].events[0].start_s * 1000
    assert mins[0] == pytest.approx(shift, abs=1)                       # S1 video: global shift only
    assert mins[1] == pytest.approx(153 + shift, abs=1)                 # S1 audio: container delay + shift
    assert mins[2] == pytest.approx(s2, abs=1)                          # --sync +862
    assert mins[3] == pytest.approx(first_sub_tgt + s2, abs=1)
    assert mins[4] == pytest.approx(first_sub_tgt + shift, abs=1)       # External without sync_to: shift
    assert mins[5] == pytest.approx(first_sub_ref + shift, abs=1)       # S1 subtitles: Source 1 delay
    assert [a["file_name"] for a in info["attachments"]] == [font.name]
    assert info["chapters"][0]["num_entries"] == len(truth1.chapters)
    assert sh(tool("ffprobe"), "-v", "error", "-show_entries", "stream=display_aspect_ratio", "-select_streams",
              "v:0", "-of", "csv=p=0", out).stdout.strip() == "16:9"


def test_mkvmerge_warnings_exit_code_1_is_success(media_case: Any, tmp_path: Path) -> None:
    ref = media_case("ref").truth.reference
    out = tmp_path / "w.mkv"
    opts = tmp_path / "opts.json"
    # --sync for a track id that does not exist: mkvmerge warns and exits with 1 but writes the file
    mux.write_options_file(["--output", str(out), "--sync", "7:+100", "-A", "-S", "-D", str(ref.path)], opts)
    log = JobLog()
    res = mux.run_mkvmerge(opts, log, output_file=out)
    assert res.returncode == 1 and out.is_file()
    assert any("was requested but not found" in w for w in res.warnings)
    assert any("[WARNING] mkvmerge finished with warnings" in ln for ln in log.lines)
    bad = tmp_path / "bad.json"
    mux.write_options_file(["--output", str(tmp_path / "x.mkv"), str(tmp_path / "missing.mkv")], bad)
    with pytest.raises(CommandError, match="mkvmerge failed with exit code 2"):
        mux.run_mkvmerge(bad, JobLog())
