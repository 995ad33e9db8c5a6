"""Job discovery (docs/pipeline.md#job-discovery) and track layouts/signatures (docs/pipeline.md#layouts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vsg_core.errors import SettingsError
from vsg_core.jobs.discovery import DiscoveryError, discover_jobs
from vsg_core.jobs.layout import Layout, compatible, default_layout, select_tracks, structure_signature
from vsg_core.models import StreamProps, Track, TrackType
from vsg_core.sources import sort_sources


def _touch(p: Path) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(b"x")
    return p


def test_single_file_job_drops_missing_others(tmp_path: Path) -> None:
    ref = _touch(tmp_path / "a" / "Film.mkv")
    other = _touch(tmp_path / "b" / "Film.mkv")
    jobs = discover_jobs({"Source 1": ref, "Source 2": other, "Source 3": tmp_path / "nope.mkv", "Source 4": ""})
    assert len(jobs) == 1
    assert jobs[0].sources == {"Source 1": ref, "Source 2": other}


def test_batch_matches_same_names_and_keeps_unmatched(tmp_path: Path) -> None:
    for name in ("E01.mkv", "E02.MKV", "E03.mp4", "notes.txt"):
        _touch(tmp_path / "ref" / name)
    _touch(tmp_path / "dub" / "E01.mkv")
    _touch(tmp_path / "dub" / "E03.mp4")
    jobs = discover_jobs({"Source 1": tmp_path / "ref", "Source 2": tmp_path / "dub"})
    assert [j.reference.name for j in jobs] == ["E01.mkv", "E02.MKV", "E03.mp4"]
    assert [sorted(j.sources) for j in jobs] == [["Source 1", "Source 2"], ["Source 1"], ["Source 1", "Source 2"]]


def test_batch_matches_the_same_stem_in_another_container(tmp_path: Path) -> None:
    # a Blu-ray remux folder with a web-release folder: ep1.mkv ↔ ep1.mp4, ep2.mkv ↔ ep2.mka; a subtitle or
    # a log of the same stem is not a release, and two releases of one stem are ambiguous (no match)
    for name in ("ep1.mkv", "ep2.mkv", "ep3.mkv", "ep4.mkv"):
        _touch(tmp_path / "bd" / name)
    for name in ("ep1.mp4", "ep1.srt", "ep2.mka", "ep3.srt", "ep3.log", "ep4.mp4", "ep4.m4a"):
        _touch(tmp_path / "web" / name)
    jobs = discover_jobs({"Source 1": tmp_path / "bd", "Source 2": tmp_path / "web"})
    got = {j.reference.name: j.sources.get("Source 2") for j in jobs}
    assert got == {"ep1.mkv": tmp_path / "web" / "ep1.mp4", "ep2.mkv": tmp_path / "web" / "ep2.mka",
                   "ep3.mkv": None, "ep4.mkv": None}
    # the same file name still wins over another container
    _touch(tmp_path / "web" / "ep1.mkv")
    jobs = discover_jobs({"Source 1": tmp_path / "bd", "Source 2": tmp_path / "web"})
    assert jobs[0].sources["Source 2"] == tmp_path / "web" / "ep1.mkv"


def test_discovery_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="cannot be empty"):
        discover_jobs({"Source 1": ""})
    with pytest.raises(DiscoveryError, match="does not exist"):
        discover_jobs({"Source 1": tmp_path / "missing"})
    (tmp_path / "ref").mkdir()
    f = _touch(tmp_path / "x.mkv")
    with pytest.raises(DiscoveryError, match="must also be folders"):
        discover_jobs({"Source 1": tmp_path / "ref", "Source 2": f})


def test_natural_source_order() -> None:
    assert sort_sources(["Source 10", "Source 2", "Source 1"]) == ["Source 1", "Source 2", "Source 10"]


def _tracks() -> dict[str, list[Track]]:
    def t(src: str, i: int, ty: TrackType, codec: str, lang: str, name: str = "") -> Track:
        return Track(source=src, id=i, type=ty, props=StreamProps(codec_id=codec, lang=lang, name=name))

    return {
        "Source 1": [t("Source 1", 0, TrackType.VIDEO, "V_MPEG4/ISO/AVC", "und"),
                     t("Source 1", 1, TrackType.AUDIO, "A_FLAC", "eng", "Stereo"),
                     t("Source 1", 2, TrackType.SUBTITLES, "S_TEXT/ASS", "eng")],
        "Source 2": [t("Source 2", 0, TrackType.VIDEO, "V_MPEG4/ISO/AVC", "und"),
                     t("Source 2", 1, TrackType.AUDIO, "A_AC3", "ger", "Deutsch"),
                     t("Source 2", 2, TrackType.SUBTITLES, "S_TEXT/ASS", "ger")],
    }


def test_default_layout_takes_reference_video_and_everyones_audio_and_subs() -> None:
    lay = default_layout(_tracks())
    assert [(e.source, e.id, e.type.value) for e in lay.entries] == [
        ("Source 1", 0, "video"), ("Source 1", 1, "audio"), ("Source 1", 2, "subtitles"),
        ("Source 2", 1, "audio"), ("Source 2", 2, "subtitles")]
    assert [e.is_default for e in lay.entries] == [True, True, True, False, False]
    assert lay.entries[3].name == "Deutsch" and lay.entries[3].lang == "ger"
    assert lay.audio_sources() == ["Source 1", "Source 2"]


def test_layout_json_round_trip_and_errors(tmp_path: Path) -> None:
    lay = select_tracks(default_layout(_tracks()), ["Source 1:0", "Source 2:1"])
    again = Layout.from_json(lay.to_json())
    assert again == lay
    with pytest.raises(SettingsError, match="matches no track"):
        select_tracks(lay, ["Source 3:1"])
    bad = tmp_path / "bad layout.json"
    bad.write_text('{"tracks": [{"source": "Source 2", "id": 1, "type": "sound"}]}', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"bad layout\.json.*video, audio or subtitles"):
        Layout.load(bad)
    with pytest.raises(SettingsError, match="cannot read layout file"):
        Layout.load(tmp_path / "missing.json")


def test_structure_signature_detects_compatible_jobs() -> None:
    a = structure_signature(_tracks())
    b = structure_signature(_tracks())
    assert compatible(a, b)
    changed = _tracks()
    changed["Source 2"] = changed["Source 2"][:2]
    assert not compatible(a, structure_signature(changed))
