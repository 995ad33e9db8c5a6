"""Job-level delays: container delays (ns → ms), global shift in both sync modes, Delays, source ordering,
language normalisation and audio stream selection (docs/analysis.md#stream-selection,
docs/analysis.md#container-delays). Expected values by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vsg_core.analysis.container_delays import (
    ns_to_ms,
    read_container_delays,
    source1_log_lines,
    track_container_delay_ms,
)
from vsg_core.analysis.global_shift import (
    build_delays,
    compute_global_shift,
    decide_sync_mode,
)
from vsg_core.analysis.streams import MediaInfo, normalise_language, select_audio_stream
from vsg_core.errors import MediaError
from vsg_core.sources import natural_key, sort_sources

# ----------------------------------------------------------------------------------------------- container delays


def test_ns_to_ms_rounds_half_to_even() -> None:
    assert ns_to_ms(1_500_000) == 2
    assert ns_to_ms(2_500_000) == 2
    assert ns_to_ms(-1_500_000) == -2
    assert ns_to_ms(-2_500_000) == -2
    assert ns_to_ms(-1_001_500_000) == -1002
    assert ns_to_ms(152_999_999) == 153
    assert ns_to_ms(-41_708_333) == -42   # round, not truncation (int() would give −41)
    assert ns_to_ms(0) == 0
    assert ns_to_ms(2_500_001.0) == 3


def track(tid: int, kind: str, ts: int | None = None, lang: str = "und", codec: str = "A_AAC",
          **extra: Any) -> dict[str, Any]:
    props: dict[str, Any] = {"language": lang, "codec_id": codec, **extra}
    if ts is not None:
        props["minimum_timestamp"] = ts
    return {"id": tid, "type": kind, "properties": props}


def test_container_delays_relative_to_first_video() -> None:
    tracks = [track(0, "video", 41_000_000, codec="V_MPEG4/ISO/AVC"),
              track(1, "audio", 153_000_000), track(2, "audio", -10_500_000), track(3, "audio"),
              track(4, "subtitles", 999_000_000), track(5, "video", 7_000_000)]
    d = read_container_delays(tracks)
    assert d.video_delay_ms == 41
    assert d.absolute_ms == {0: 41, 1: 153, 2: -10, 3: 0, 5: 7}   # −10.5 → −10 (half-even)
    assert d.audio_relative_ms == {1: 112, 2: -51, 3: -41}
    assert track_container_delay_ms(tracks[4]) == 0   # subtitles never carry one
    assert source1_log_lines(tracks, d, 1) == [
        "[Container Delay] Source 1 video track 0 has container delay: +41.0ms",
        "[Container Delay] Source 1 audio track 1 has container delay: +153.0ms",
        "[Container Delay] Source 1 audio track 2 has container delay: -10.0ms",
        "[Container Delay] Source 1 video track 5 has container delay: +7.0ms",
        "[Container Delay] Audio track 1 relative delay (audio relative to video): +112.0ms. This will be "
        "added to all correlation results.",
    ]


def test_container_delays_without_video() -> None:
    d = read_container_delays([track(0, "audio", 20_000_000)])
    assert (d.video_delay_ms, d.audio_relative_ms) == (0, {0: 20})


# ----------------------------------------------------------------------------------------------- global shift


def test_sync_mode_decision() -> None:
    assert decide_sync_mode("positive_only", ["Source 1", "Source 2"]).shift_required
    assert not decide_sync_mode("positive_only", ["Source 1"]).shift_required
    assert not decide_sync_mode("positive_only", None).shift_required   # analyse-only: nothing is muxed
    assert not decide_sync_mode("allow_negative", ["Source 2"]).shift_required
    odd = decide_sync_mode("sideways", ["Source 2"])
    assert odd.mode == "positive_only" and odd.shift_required
    assert odd.lines[:3] == ("=" * 60, "=== TIMING SYNC MODE: SIDEWAYS ===", "=" * 60)
    assert "[WARNING] Unknown sync_mode 'sideways', using 'positive_only'." in odd.lines


def test_global_shift_positive_only() -> None:
    final = {"Source 2": (-300, -300.4), "Source 3": (200, 199.8)}
    shift = compute_global_shift(final, ["Source 1", "Source 2", "Source 3"], [0], True)
    assert (shift.shift_ms, shift.raw_shift_ms) == (300, pytest.approx(300.4))
    delays, lines = build_delays(final, shift, "positive_only")
    assert dict(delays.source_delays_ms) == {"Source 1": 300, "Source 2": 0, "Source 3": 500}
    raw = dict(delays.raw_source_delays_ms)
    assert raw == pytest.approx({"Source 1": 300.4, "Source 2": 0.0, "Source 3": 500.2})
    assert set(delays.source_delays_ms) == set(delays.raw_source_delays_ms)
    assert (delays.global_shift_ms, delays.raw_global_shift_ms) == (300, pytest.approx(300.4))
    assert "[INFO] All delays shifted by +300ms to eliminate negatives." in lines


def test_global_shift_from_a_container_delay_keeps_raw_consistent() -> None:
    # The most negative candidate is Source 1's audio container delay (−50 ms relative to video). Upstream's
    # raw shift came from the raw list without container delays: |−20.3| = 20.3 (the original's quirk,
    # docs/analysis.md#sync-mode-and-global-shift). vsg: 50.0.
    final = {"Source 2": (-20, -20.3)}
    shift = compute_global_shift(final, ["Source 2"], [-50, 0], True)
    assert (shift.shift_ms, shift.raw_shift_ms) == (50, 50.0)
    delays, _ = build_delays(final, shift, "positive_only")
    assert dict(delays.source_delays_ms) == {"Source 1": 50, "Source 2": 30}
    assert dict(delays.raw_source_delays_ms) == pytest.approx({"Source 1": 50.0, "Source 2": 29.7})


def test_global_shift_not_needed() -> None:
    # Rounded minimum 0 (raw −0.4 rounds to 0): no shift at all, raw shift 0 too.
    final = {"Source 2": (0, -0.4), "Source 3": (12, 12.2)}
    shift = compute_global_shift(final, ["Source 2", "Source 3"], [], True)
    assert (shift.shift_ms, shift.raw_shift_ms) == (0, 0.0)
    assert "[Delay] All relevant delays are non-negative. No global shift needed." in shift.lines
    # Sources that contribute no audio to the layout are no candidates: Source 3 is −900 but not muxed.
    shift = compute_global_shift({"Source 2": (10, 10.0), "Source 3": (-900, -900.0)}, ["Source 2"], [], True)
    assert shift.shift_ms == 0


def test_allow_negative_and_analyse_only_keep_negative_delays() -> None:
    final = {"Source 2": (-987, -987.25)}
    shift = compute_global_shift(final, ["Source 2"], [-30], required=False)
    assert (shift.shift_ms, shift.raw_shift_ms) == (0, 0.0)
    delays, lines = build_delays(final, shift, "allow_negative")
    assert dict(delays.source_delays_ms) == {"Source 1": 0, "Source 2": -987}
    assert dict(delays.raw_source_delays_ms) == {"Source 1": 0.0, "Source 2": -987.25}
    assert "[INFO] Negative delays retained (allow_negative mode)." in lines


def test_natural_source_order() -> None:
    assert sort_sources(["Source 10", "Source 2", "Source 1", "Source 3"]) == [
        "Source 1", "Source 2", "Source 3", "Source 10"]
    assert natural_key("Source 2") < natural_key("Source 10")
    final = {f"Source {i}": (i, float(i)) for i in (10, 2, 11, 3)}
    delays, lines = build_delays(final, compute_global_shift(final, [], [], False), "positive_only")
    listed = [ln.split(":")[0].strip(" -") for ln in lines if ln.startswith("  - ")]
    assert listed == ["Source 1", "Source 2", "Source 3", "Source 10", "Source 11"]
    assert set(delays.source_delays_ms) == set(delays.raw_source_delays_ms)


# ----------------------------------------------------------------------------------------------- streams


def test_language_normalisation() -> None:
    assert normalise_language("") is None and normalise_language("  ") is None
    assert normalise_language("und") is None and normalise_language(None) is None
    assert normalise_language(" EN ") == "eng" and normalise_language("jp") == "jpn"
    assert normalise_language("de") == "deu" and normalise_language("cn") == "zho"
    assert normalise_language("xx") == "xx"          # unmapped 2-letter codes are kept
    assert normalise_language("GER") == "ger"


def media(tracks: list[dict[str, Any]], ff_langs: list[str]) -> MediaInfo:
    audio = tuple({"index": i + 1, "codec_type": "audio", "tags": {"language": lang}}
                  for i, lang in enumerate(ff_langs))
    return MediaInfo(Path("/media/x.mkv"), tuple(tracks), audio, 23.976, 100.0)


def test_stream_selection_by_language() -> None:
    info = media([track(0, "video", codec="V_X"), track(1, "audio", lang="jpn", codec="A_AC3"),
                  track(2, "audio", lang="ger", codec="A_FLAC"), track(3, "audio", lang="eng", codec="A_AAC")],
                 ["jpn", "ger", "eng"])
    # 'de' normalises to ISO 639-2/T 'deu'; the track says 'ger' (bibliographic) — matched (the original's quirk fixed,
    # docs/analysis.md#stream-selection)
    c = select_audio_stream(info, "de")
    assert (c.track_id, c.audio_ordinal, c.ffmpeg_index, c.codec_id, c.language_matched) == (2, 1, 2, "A_FLAC",
                                                                                            True)
    assert select_audio_stream(info, "eng").track_id == 3
    c = select_audio_stream(info, "fr")   # no French track → the first audio track
    assert (c.track_id, c.audio_ordinal, c.language_matched) == (1, 0, False)
    assert select_audio_stream(info, "").track_id == 1


def test_stream_selection_uses_language_ietf() -> None:
    info = media([track(0, "audio", lang="und", language_ietf="en-US"),
                  track(1, "audio", lang="und", language_ietf="fr")], ["und", "und"])
    assert select_audio_stream(info, "fre").track_id == 1


def test_stream_selection_errors_name_the_file() -> None:
    with pytest.raises(MediaError, match=r"/media/x\.mkv: no audio track found"):
        select_audio_stream(media([track(0, "video")], []), "")
    with pytest.raises(MediaError, match=r"mkvmerge reports 2 audio track\(s\) but ffmpeg sees 1"):
        select_audio_stream(media([track(1, "audio"), track(2, "audio")], ["eng"]), "")
    with pytest.raises(MediaError, match="track order differs"):
        select_audio_stream(media([track(1, "audio", lang="jpn"), track(2, "audio", lang="eng")],
                                  ["eng", "jpn"]), "jpn")
