"""The audit's track check (vsg_core.pipeline.audit.check_tracks) on mkvmerge -J track records."""

from __future__ import annotations

from vsg_core.models import PlanItem, StreamProps, Track, TrackType
from vsg_core.pipeline.audit import check_tracks


def _plan() -> list[PlanItem]:
    v = PlanItem(Track("Source 1", 0, TrackType.VIDEO, StreamProps("V_MPEG4/ISO/AVC")), source_path="/s1.mkv")
    a = PlanItem(Track("Source 2", 1, TrackType.AUDIO, StreamProps("A_AC3", "jpn")), extracted_path="/a.ac3",
                 is_default=True, custom_name="Dub")
    s = PlanItem(Track("Source 1", 2, TrackType.SUBTITLES, StreamProps("S_TEXT/ASS", "eng")),
                 source_path="/s1.mkv", is_forced_display=True)
    return [v, a, s]


def _track(kind: str, lang: str, default: bool, forced: bool = False, name: str | None = None) -> dict:
    props = {"language": lang, "default_track": default, "forced_track": forced}
    if name is not None:
        props["track_name"] = name
    return {"type": kind, "properties": props}


def test_matching_output_has_no_issue() -> None:
    tracks = [_track("video", "und", True), _track("audio", "jpn", True, name="Dub"),
              _track("subtitles", "eng", False, forced=True)]
    assert check_tracks(_plan(), tracks) == []


def test_each_difference_is_named() -> None:
    tracks = [_track("video", "und", True), _track("audio", "eng", False, name="Other"),
              _track("audio", "eng", False, forced=False)]
    assert check_tracks(_plan(), tracks) == [
        "track 1: language eng instead of jpn",
        "track 1: name 'Other' instead of 'Dub'",
        "track 1: default flag False instead of True",
        "track 2: type audio instead of subtitles",
        "track 2: forced flag False instead of True",
    ]
    assert check_tracks(_plan(), tracks[:2])[0] == "the output has 2 tracks, the plan 3"
