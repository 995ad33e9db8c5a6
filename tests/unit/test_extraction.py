"""Extraction layer without media: ``mkvmerge -J`` parsing, container delays, extension table, naming,
font detection (docs/pipeline.md#identification, docs/pipeline.md#extraction). Expected values are written out from
docs/pipeline.md."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from vsg_core.errors import MediaError
from vsg_core.extraction import (
    AttachmentInfo,
    attachment_path,
    check_usable,
    extension_for,
    extraction_path,
    identify,
    is_font,
    needs_remux,
    ns_to_ms,
    parse_identification,
)
from vsg_core.extraction.tracks import pcm_codec_for
from vsg_core.models import StreamProps, Track, TrackType


@pytest.mark.parametrize(("ns", "ms"), [
    (0, 0), (153_000_000, 153), (1_499_999, 1), (1_500_000, 2), (2_500_000, 2), (2_500_001, 3),
    (-1_500_000, -2), (-2_500_000, -2), (-1_499_999, -1), (-500_000, 0), (-500_001, -1), (999_999, 1),
    (41_708_333, 42), (-42_000_000, -42),
])
def test_ns_to_ms_rounds_half_to_even(ns: int, ms: int) -> None:
    assert ns_to_ms(ns) == ms


def _ident(tracks: list[dict], container: dict | None = None, attachments: list | None = None) -> str:
    return json.dumps({
        "attachments": attachments or [],
        "chapters": [{"num_entries": 3}],
        "container": container or {"recognized": True, "supported": True, "type": "Matroska",
                                   "properties": {"duration": 210016000000}},
        "errors": [], "warnings": [], "tracks": tracks,
    })


def test_parse_identification_tracks_and_container_delays() -> None:
    text = _ident([
        {"id": 0, "type": "video", "codec": "AVC/H.264/MPEG-4p10",
         "properties": {"codec_id": "V_MPEG4/ISO/AVC", "language": "und", "track_name": "Video",
                        "minimum_timestamp": 41_708_333, "default_track": True}},
        {"id": 1, "type": "audio", "codec": "AC-3",
         "properties": {"codec_id": "A_AC3", "language": "jpn", "audio_channels": 6,
                        "audio_sampling_frequency": 48000, "minimum_timestamp": -1_500_000,
                        "audio_bits_per_sample": 24}},
        {"id": 2, "type": "audio", "codec": "FLAC", "properties": {"codec_id": "A_FLAC"}},
        {"id": 3, "type": "subtitles", "codec": "SubStationAlpha",
         "properties": {"codec_id": "S_TEXT/ASS", "language": "eng", "minimum_timestamp": 290_000_000,
                        "forced_track": True}},
        {"id": 4, "type": "buttons", "codec": "x", "properties": {}},
    ], attachments=[{"id": 1, "file_name": "Font.ttf", "content_type": "font/ttf", "size": 10}])
    info = parse_identification(text, "/m/Movie.mkv", "Source 2")
    assert info.is_matroska and info.recognized and info.supported
    assert info.duration_ns == 210016000000 and info.chapter_entries == 3
    assert [t.id for t in info.tracks] == [0, 1, 2, 3]  # buttons are not muxable tracks
    assert info.tracks[0].track == Track("Source 2", 0, TrackType.VIDEO,
                                         StreamProps("V_MPEG4/ISO/AVC", "und", "Video"), 42)
    assert info.tracks[1].track == Track("Source 2", 1, TrackType.AUDIO, StreamProps("A_AC3", "jpn", "", 6, 48000),
                                         -2)
    assert info.tracks[1].minimum_timestamp_ns == -1_500_000
    assert info.tracks[1].audio_bits_per_sample == 24
    assert info.tracks[2].track.props == StreamProps("A_FLAC", "und", "")
    assert info.tracks[2].container_delay_ms == 0 and info.tracks[2].minimum_timestamp_ns is None
    # Subtitles never carry a container delay; the raw value is still reported.
    assert info.tracks[3].container_delay_ms == 0 and info.tracks[3].minimum_timestamp_ns == 290_000_000
    assert info.tracks[3].forced_track and info.tracks[0].default_track
    assert info.attachments == (AttachmentInfo(1, "Font.ttf", "font/ttf", 10),)
    assert [t.id for t in info.of_type("audio")] == [1, 2]
    with pytest.raises(MediaError, match=r"no track with id 9 \(track ids in this file: 0, 1, 2, 3\)"):
        info.track(9)


def test_parse_identification_rejects_garbage() -> None:
    with pytest.raises(MediaError, match=r"Movie\.mkv: could not parse the JSON"):
        parse_identification("{not json", "/m/Movie.mkv")


@pytest.mark.parametrize(("container", "message"), [
    ({"recognized": False, "supported": False}, "does not recognise this file's format"),
    ({"recognized": True, "supported": False, "type": "RealMedia"}, r"recognises the format \(RealMedia\) but"),
])
def test_unusable_containers_are_refused(container: dict, message: str) -> None:
    info = parse_identification(_ident([], container), "/m/x.bin", "Source 3")
    assert not info.is_matroska
    with pytest.raises(MediaError, match=message) as err:
        check_usable(info)
    assert "Source 3 (/m/x.bin)" in str(err.value) and "ffmpeg -i" in str(err.value)


def test_file_without_tracks_is_refused() -> None:
    info = parse_identification(_ident([]), "/m/empty.mkv")
    with pytest.raises(MediaError, match="no video, audio or subtitle track"):
        check_usable(info)


@pytest.mark.parametrize(("kind", "codec", "ext"), [
    # extension table (docs/pipeline.md#extraction)
    ("video", "V_MPEGH/ISO/HEVC", "h265"), ("video", "V_MPEG4/ISO/AVC", "h264"), ("video", "V_MPEG2", "mpg"),
    ("video", "V_MPEG1", "mpg"), ("video", "V_VP9", "vp9"), ("video", "V_AV1", "av1"), ("video", "V_XYZ", "bin"),
    ("audio", "A_TRUEHD", "thd"), ("audio", "A_EAC3", "eac3"), ("audio", "A_AC3", "ac3"),
    ("audio", "A_DTS", "dts"), ("audio", "A_AAC/MPEG4/LC", "aac"), ("audio", "A_AAC", "aac"),
    ("audio", "A_FLAC", "flac"), ("audio", "A_OPUS", "opus"), ("audio", "A_VORBIS", "ogg"),
    ("audio", "A_PCM/INT/LIT", "wav"), ("audio", "A_XYZ", "bin"),
    ("subtitles", "S_TEXT/ASS", "ass"), ("subtitles", "S_TEXT/SSA", "ssa"), ("subtitles", "S_TEXT/UTF8", "srt"),
    ("subtitles", "S_HDMV/PGS", "sup"), ("subtitles", "S_VOBSUB", "sub"), ("subtitles", "s_text/ass", "ass"),
    # vsg additions (docs/pipeline.md#extraction)
    ("subtitles", "S_TEXT/WEBVTT", "vtt"), ("subtitles", "S_DVBSUB", "bin"),
    ("audio", "A_MPEG/L3", "mp3"), ("audio", "A_MPEG/L2", "mp2"), ("audio", "A_MS/ACM", "wav"),
    ("video", "V_MS/VFW/FOURCC", "avi"), ("video", "V_MPEG4/ISO/ASP", "mkv"), ("video", "V_MPEG4/ISO/SP", "mkv"),
    ("video", "V_MPEG4/ISO/AP", "mkv"), ("video", "V_VP8", "ivf"),
])
def test_extension_table(kind: str, codec: str, ext: str) -> None:
    assert extension_for(kind, codec) == ext
    assert extension_for(TrackType(kind), codec) == ext


def test_only_mpeg4_part2_native_needs_remux() -> None:
    assert needs_remux("V_MPEG4/ISO/ASP") and needs_remux("V_MPEG4/ISO/SP") and needs_remux("V_MPEG4/ISO/AP")
    assert not needs_remux("V_MPEG4/ISO/AVC") and not needs_remux("V_MS/VFW/FOURCC")


def test_extraction_and_attachment_paths() -> None:
    assert extraction_path("/t", "Source 2", "/m/Movie.mkv", 3, "ass") == Path("/t/Source_2_track_Movie_3.ass")
    assert extraction_path("/t", "Source 1", "/m/My Film.v2.mp4", 0, "h264") == Path(
        "/t/Source_1_track_My Film.v2_0.h264")
    # vsg fix: a folder per attachment, so the muxed attachment keeps the source's file name
    assert attachment_path("/t", "Source 1", AttachmentInfo(3, "Arial.ttf")) == Path("/t/Source 1_att_3/Arial.ttf")
    # vsg fix: names from the file cannot escape the temp directory
    assert attachment_path("/t", "Source 1", AttachmentInfo(4, "../../etc/evil.ttf")) == Path(
        "/t/Source 1_att_4/evil.ttf")
    assert attachment_path("/t", "Source 1", AttachmentInfo(5, "..\\x\\win.otf")) == Path("/t/Source 1_att_5/win.otf")
    assert attachment_path("/t", "Source 1", AttachmentInfo(6, "")) == Path("/t/Source 1_att_6/attachment_6")
    # the style preview's fonts: one folder for libass
    assert attachment_path("/t", "preview0", AttachmentInfo(3, "Arial.ttf"), flat=True) == Path(
        "/t/preview0_att_3_Arial.ttf")


@pytest.mark.parametrize(("mime", "name", "font"), [
    ("font/ttf", "x", True), ("FONT/OTF", "x", True), ("application/font-sfnt", "x", True),
    ("application/x-font-ttf", "x", True), ("application/x-truetype-font", "x", True),
    ("application/vnd.ms-opentype", "x", True), ("application/postscript", "x", True),
    ("application/octet-stream", "A.TTF", True), ("binary/octet-stream", "a.woff2", True),
    ("application/octet-stream", "a.eot", True),  # by extension rule
    ("application/octet-stream", "cover.jpg", False), ("image/jpeg", "cover.jpg", False),
    ("text/plain", "notes.txt", False), ("application/x-something-truetype", "x", True),
    ("", "a.pfb", True), ("", "a.fnt", True), ("", "a.ttx", False),
])
def test_font_detection(mime: str, name: str, font: bool) -> None:
    assert is_font(mime, name) is font


@pytest.mark.parametrize(("bits", "codec"), [
    (None, "pcm_s16le"), (8, "pcm_s16le"), (16, "pcm_s16le"), (24, "pcm_s24le"), (32, "pcm_s32le"),
    (64, "pcm_f64le"),
])
def test_acm_pcm_fallback(bits: int | None, codec: str) -> None:
    assert pcm_codec_for(bits) == codec



def test_a_pipe_is_named_as_such_and_never_read(tmp_path: Path) -> None:
    """A FIFO given as a source: refused as not a regular file at once (mkvmerge would block on it), not
    reported as "file not found"."""
    fifo = tmp_path / "pipe.mkv"
    os.mkfifo(fifo)
    with pytest.raises(MediaError, match=r"pipe\.mkv is not a regular file"):
        identify(fifo, "Source 2")
