"""Subtitle operations (both backends): EDL with boundary modes, tempo, timing fixes, style operations,
SRT→ASS, frame-exact rounding; and the pipeline's reading of an audio correction."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vsg_core.pipeline.subtitles_step import EdlSegment, SubtitleStepError, timing_from_correction
from vsg_core.subtitles.engine import engine
from vsg_core.subtitles.errors import SubtitleError

BACKENDS = ("python", "rust")
HEAD = ("[Script Info]\nScriptType: v4.00+\nPlayResX: 640\nPlayResY: 360\n\n[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, Outline, Shadow, MarginL, MarginR, MarginV\n"
        "Style: Default,Arial,20,2,1,10,10,20\nStyle: Sign,Arial,30,0,0,0,0,0\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n")


def ass(*events: tuple[str, str, str, str]) -> bytes:
    return (HEAD + "".join(f"Dialogue: 0,{s},{e},{st},,0,0,0,,{t}\n" for s, e, st, t in events)).encode()


@pytest.mark.parametrize("backend", BACKENDS)
def test_edl_boundary_modes(backend: str) -> None:
    data = ass(("0:00:09.00", "0:00:10.50", "Default", "spans 10 s, mostly before"),
               ("0:00:09.80", "0:00:12.00", "Default", "spans 10 s, mostly after"))
    segs = [(0.0, 100.0, 0.0), (10.0, 2100.0, 0.0)]
    want = {"start": [9100, 9900], "midpoint": [9100, 11900], "majority": [9100, 11900]}
    for mode, starts in want.items():
        d = engine(backend).parse(data, "ass")
        st = d.apply_edl(segs, mode)
        assert [e[1] for e in d.events()] == starts, mode
        assert st["spanning"] == 2 and st["moved"] == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_edl_drops_and_clamps_content_the_output_does_not_keep(backend: str) -> None:
    # delay falls from +1000 to -500 at 60 s: the source's 60.0–61.5 s are not in the output
    data = ass(("0:00:59.00", "0:00:59.90", "Default", "before"), ("0:01:00.20", "0:01:01.20", "Default", "gone"),
               ("0:01:01.00", "0:01:03.00", "Default", "clamped"), ("0:01:10.00", "0:01:11.00", "Default", "after"))
    d = engine(backend).parse(data, "ass")
    st = d.apply_edl([(0.0, 1000.0, 0.0), (60.0, -500.0, 0.0)], "start")
    assert (st["dropped"], st["clamped"]) == (1, 1)
    assert [(e[4], e[1]) for e in d.events()] == [("before", 60000.0), ("clamped", 61000.0), ("after", 69500.0)]
    # a drift rate moves later times further
    d = engine(backend).parse(ass(("0:00:10.00", "0:00:20.00", "Default", "x")), "ass")
    d.apply_edl([(0.0, 0.0, 2.0)], "start")
    assert d.events()[0][1:3] == (10020.0, 20040.0)
    with pytest.raises(SubtitleError, match="unknown boundary mode"):
        d.apply_edl([(0.0, 0.0, 0.0)], "nearest")
    with pytest.raises(SubtitleError, match="no segments"):
        d.apply_edl([], "start")


@pytest.mark.parametrize("backend", BACKENDS)
def test_pal_tempo_maps_source_to_reference(backend: str) -> None:
    # PAL release: source time t shows programme 0.5 s + t·1001/960; delay(t_ref) = a + b·t_ref
    b = 1000 * (1 - 960 / 1001)
    a = 500 * 960 / 1001
    d = engine(backend).parse(ass(("0:01:00.00", "0:01:02.00", "Default", "x")), "ass")
    d.scale(a, b)
    assert d.events()[0][1] == pytest.approx(500 + 60000 * 1001 / 960, abs=1e-6)
    with pytest.raises(SubtitleError, match="bad tempo"):
        d.scale(0.0, 1000.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_timing_fixes(backend: str) -> None:
    data = ass(("0:00:01.00", "0:00:09.00", "Default", "Short text"),       # too long for 9 characters
               ("0:00:08.00", "0:00:08.20", "Default", "overlapped and too short"),
               ("0:00:08.50", "0:00:12.00", "Default", "next line starts before the previous ends"))
    d = engine(backend).parse(data, "ass")
    st = d.fix_timing(True, True, True, 1.0, 500.0, 20.0)
    ev = d.events()
    assert ev[0][2] == pytest.approx(1000 + 500)            # ideal = max(9/20·1000·1.1, 500) = 500
    assert ev[1][2] == pytest.approx(8499.0)                # short → min(start+500, next start−1)
    assert st == {"long": 2, "overlaps": 0, "short": 1}       # the third line is long too


@pytest.mark.parametrize("backend", BACKENDS)
def test_style_filter_patch_font_and_rescale(backend: str) -> None:
    data = ass(("0:00:01.00", "0:00:02.00", "Default", "talk"),
               ("0:00:01.00", "0:00:02.00", "Sign", "{\\pos(320,180)\\fs30\\bord1.5}SIGN"))
    d = engine(backend).parse(data, "ass")
    assert d.filter_styles(["Sign"], "include") == {"kept": 1, "removed": 1}
    assert d.patch_styles({"Sign": {"Fontname": "Verdana"}, "Missing": {"fontsize": "1"}}) == ["Missing"]
    assert d.multiply_font_size(1.5) == 2
    r = d.rescale(1920, 1080)
    assert r == {"scale": 3.0, "offset_x": 0.0, "offset_y": 0.0}
    out = d.to_bytes().decode()
    assert "Style: Default,Arial,90,6,3,30,30,60\n" in out
    assert "Style: Sign,Verdana,135,0,0,0,0,0\n" in out
    assert "{\\pos(960,540)\\fs90\\bord4.5}SIGN" in out and "talk" not in out
    assert "PlayResX: 1920\nPlayResY: 1080\n" in out
    # letterboxed target: uniform scale, centred offsets
    d = engine(backend).parse(data, "ass")
    r = d.rescale(1920, 1200)
    assert r is not None and (r["scale"], r["offset_y"]) == (3.0, 60.0)
    assert "\\pos(960,600)" in d.to_bytes().decode()


@pytest.mark.parametrize("backend", BACKENDS)
def test_srt_to_ass_keeps_exact_times_and_tags(backend: str) -> None:
    srt = b"1\r\n00:00:01,004 --> 00:00:02,996\r\n<i>Hi</i> <font color=\"#FF8000\">there</font>\r\nline 2\r\n"
    d = engine(backend).parse(srt, "srt")
    d.shift(1.0)
    a = d.to_ass()
    assert a.fmt == "ass"
    out = a.to_bytes().decode()
    assert "Dialogue: 0,0:00:01.01,0:00:03.00,Default,,0,0,0,,{\\i1}Hi{\\i0} {\\c&H0080FF&}there{\\c}\\Nline 2\r\n" \
        in out


@pytest.mark.parametrize("backend", BACKENDS)
def test_frame_exact_rounding_keeps_the_start_frame(backend: str) -> None:
    d = engine(backend).parse(ass(("0:00:00.00", "0:00:01.00", "Default", "x")), "ass")
    d.shift(1001.4)         # frame 25 (at 1043 ms) is the first frame at or after 1001.4 ms
    out = d.to_bytes((24000, 1001)).decode()
    assert "Dialogue: 0,0:00:01.01,0:00:02.00," in out          # 1000 would show on frame 24 already;
    # the end 2001.4 → 2000 still ends before frame 48 (2002 ms)
    d = engine(backend).parse(ass(("0:00:00.00", "0:00:01.00", "Default", "x")), "ass")
    d.shift(1001.4)
    assert "Dialogue: 0,0:00:01.00," in d.to_bytes().decode()    # plain nearest rounding


def test_timing_from_an_audio_correction() -> None:
    segs = [SimpleNamespace(start_s=0.0, end_s=0.0, delay_ms=312, delay_raw=312.5, drift_rate_ms_s=0.0),
            SimpleNamespace(start_s=84.6875, end_s=84.6875, delay_ms=-1688, delay_raw=-1687.5,
                            drift_rate_ms_s=0.0)]
    t = timing_from_correction(segs, offset_ms=100.0, audio_cd_ms=20.0)
    assert t.kind == "edl"
    assert t.segments == (EdlSegment(0.02, 392.5, 0.0), EdlSegment(84.7075, -1607.5, 0.0))
    t = timing_from_correction({"segments": [{"start_s": 0.0, "raw_delay_ms": 5.0}]}, 0.0, 0.0)
    assert t.segments == (EdlSegment(0.0, 5.0, 0.0),)
    t = timing_from_correction(SimpleNamespace(tempo_ratio=1001 / 960, intercept_ms=479.52), 10.0, 0.0)
    assert t.kind == "tempo" and t.tempo is not None and t.tempo[1] == pytest.approx(1000 * (1 - 960 / 1001))
    with pytest.raises(SubtitleStepError, match="cannot read the audio correction"):
        timing_from_correction(SimpleNamespace(foo=1), 0.0, 0.0)
