"""The generated test media (vsg_core.testmedia): files, tracks and ground truth.

Every check here is independent of vsg's analysis code: audio is decoded with our own ffmpeg call, delays
are found by an exhaustive cross-correlation in numpy, tracks are read with ``mkvmerge -J`` and
subtitles/chapters with ``mkvextract``. The expected numbers are written out below (they are the values the
cases are specified with), not taken from the generator.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import numpy as np
import pysubs2
import pytest
from scipy import signal

from vsg_core.errors import ToolMissingError
from vsg_core.testmedia import CASES, DEFAULT_CASES, GroundTruth, build_case
from vsg_core.testmedia.programme import ProgrammeSpec, synthesize

pytestmark = pytest.mark.media
FS = 48000
REPO = Path(__file__).resolve().parents[2]

# Nominal values of the case definitions (ms).
UNIFORM = {"delay_pos": 1234.567, "delay_neg": -987.25, "dub": 733.125, "noisy": -444.875,
           "container_delay": 612.4}
CODECS = {  # case/release file stem -> [(mkvmerge codec, language, channels)] of the audio tracks
    "ref": [("FLAC", "eng", 2), ("AC-3", "ger", 2)],
    "delay_pos": [("AC-3", "eng", 6)],
    "delay_neg": [("Opus", "eng", 2)],
    "dub": [("AAC", "ger", 2)],
    "stepping": [("AC-3", "eng", 2)],
    "pal": [("AAC", "eng", 2)],
    "drift": [("E-AC-3", "eng", 2)],
    "container_delay_ref": [("FLAC", "eng", 2)],
    "container_delay": [("Opus", "eng", 2)],
    "noisy": [("MP3", "eng", 2)],
}


# --------------------------------------------------------------------------------------------- helpers


def mkv_json(path: Path) -> dict:
    proc = subprocess.run(["mkvmerge", "-J", str(path)], capture_output=True, check=True)
    return json.loads(proc.stdout)


@functools.lru_cache(maxsize=6)
def decode(path: Path, ordinal: int = 0) -> np.ndarray:
    proc = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:a:{ordinal}",
                           "-ac", "1", "-ar", str(FS), "-f", "f32le", "-"], capture_output=True, check=True)
    x = np.frombuffer(proc.stdout, dtype="<f4")
    assert x.size > FS, f"decoded almost nothing from {path}"
    return x


def locate(ref: np.ndarray, tgt: np.ndarray, start_s: float, length_s: float, expected_lag: float,
           search_s: float = 0.5) -> tuple[int, float]:
    """Exhaustive search of ref[start, start+length) inside tgt around the expected place.

    Returns (lag, peak) with lag = ref position − tgt position in samples (= delay in samples under the
    t_ref − t_tgt convention) and the normalised correlation at the best lag.
    """
    a, n = round(start_s * FS), round(length_s * FS)
    seg = ref[a:a + n].astype(np.float64)
    centre = a - round(expected_lag)
    s = round(search_s * FS)
    lo, hi = max(0, centre - s), min(len(tgt), centre + s + n)
    win = tgt[lo:hi].astype(np.float64)
    size = 1 << (len(win) + n).bit_length()
    cc = np.fft.irfft(np.fft.rfft(win, size) * np.conj(np.fft.rfft(seg, size)), size)[:len(win) - n + 1]
    csum = np.concatenate([[0.0], np.cumsum(win * win)])
    energy = np.sqrt(np.maximum(csum[n:] - csum[:-n], 1e-20))
    norm = cc / (np.sqrt(seg @ seg) * energy)
    k = int(np.argmax(norm))
    return a - (lo + k), float(norm[k])


def free_windows(busy: list[tuple[float, float]], lo: float, hi: float, length: float, count: int,
                 margin: float = 0.3) -> list[float]:
    """Up to ``count`` window starts in [lo, hi − length] that overlap no busy interval, spread out."""
    starts = []
    t = lo
    while t + length <= hi:
        if all(b + margin <= t or t + length <= a - margin for a, b in busy):
            starts.append(t)
            t += length
        else:
            t += 0.25
    if len(starts) <= count:
        return starts
    idx = np.linspace(0, len(starts) - 1, count).round().astype(int)
    return [starts[i] for i in idx]


def events(release) -> list[tuple[float, float]]:
    return [(e.start_s, e.end_s) for s in release.subtitles for e in s.events]


def frame_code(path: Path, t: float) -> int:
    """Decode the first frame at or after ``t`` and read the 24-cell code row (see video.py)."""
    proc = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-ss", f"{t:.6f}", "-i", str(path),
                           "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                          capture_output=True, check=True)
    img = np.frombuffer(proc.stdout, np.uint8).reshape(180, 320)
    code = 0
    for i in range(24):
        cell = img[164:172, 16 + 12 * i + 4:16 + 12 * i + 8]
        code = code * 2 + int(cell.mean() > 128)
    return code


def onset_envelope(x: np.ndarray) -> np.ndarray:
    """Spectral-flux onset strength, one value per millisecond (pitch-independent timing reference)."""
    _, _, z = signal.stft(x, fs=FS, nperseg=1024, noverlap=1024 - 48, boundary=None, padded=False)
    m = np.log(np.abs(z) + 1e-5)
    flux = np.concatenate([[0.0], np.maximum(0.0, np.diff(m, axis=1)).sum(axis=0)])
    return flux - np.convolve(flux, np.ones(100) / 100, "same")


def extract(path: Path, what: list[str], tmp: Path) -> None:
    subprocess.run(["mkvextract", str(path), *what], capture_output=True, check=True, cwd=tmp)


# --------------------------------------------------------------------------------------------- registry/files


def test_case_registry(media_cases) -> None:
    assert set(DEFAULT_CASES) == {"ref", "delay_pos", "delay_neg", "dub", "stepping", "pal", "drift",
                                  "container_delay", "noisy"}
    assert "episode24" in CASES and "episode24" not in DEFAULT_CASES
    assert set(media_cases) == set(DEFAULT_CASES)
    for name, files in media_cases.items():
        assert files.truth_path == files.directory / f"{name}.json" and files.truth_path.is_file()
        for p in (files.reference, *files.others):
            assert p.is_file() and p.stat().st_size > 100_000, p
    # Complete builds leave no temporary or work files behind.
    directory = media_cases["ref"].directory
    assert not list(directory.glob(".tmp-*")) and not list(directory.glob(".work-*"))


def _releases(media_cases):
    seen = {}
    for files in media_cases.values():
        for r in (files.truth.reference, *files.truth.targets):
            seen[r.file] = r
    return list(seen.values())


def test_mkvmerge_reads_every_file_with_expected_tracks(media_cases) -> None:
    for rel in _releases(media_cases):
        info = mkv_json(rel.path)
        assert info["container"]["recognized"] and info["container"]["type"] == "Matroska"
        tracks = {t["id"]: t for t in info["tracks"]}
        stem = rel.path.stem
        want = CODECS[stem]
        # video
        v = tracks[rel.video.track_id]
        assert v["type"] == "video" and v["codec"] == rel.video.codec == "AVC/H.264/MPEG-4p10"
        fps = Fraction(25) if stem == "pal" else Fraction(24000, 1001)
        assert Fraction(rel.video.fps) == fps
        assert abs(v["properties"]["default_duration"] - 1e9 / float(fps)) < 1000
        assert v["properties"].get("minimum_timestamp", 0) == 0
        assert v["properties"]["pixel_dimensions"] == "320x180"
        # audio
        audio = [t for t in info["tracks"] if t["type"] == "audio"]
        assert [(t["codec"], t["properties"]["language"], t["properties"]["audio_channels"]) for t in audio] \
            == want, stem
        assert [t["id"] for t in audio] == [a.track_id for a in rel.audio] == list(range(1, 1 + len(want)))
        for t, a in zip(audio, rel.audio, strict=True):
            assert t["codec"] == a.codec and t["properties"]["track_name"] == a.name
            assert t["properties"]["audio_sampling_frequency"] == 48000
        # subtitles
        subs = [t for t in info["tracks"] if t["type"] == "subtitles"]
        assert [t["id"] for t in subs] == [s.track_id for s in rel.subtitles]
        for t, s in zip(subs, rel.subtitles, strict=True):
            assert t["codec"] == s.codec == "SubStationAlpha"
            assert t["properties"]["language"] == s.language
            assert t["properties"]["track_name"] == s.name
        # chapters
        assert info["chapters"] == [{"num_entries": len(rel.chapters)}]
        assert len(rel.chapters) >= 4
        dur_ns = info["container"]["properties"]["duration"]
        assert abs(dur_ns / 1e9 - rel.duration_s) < 0.1


def test_ground_truth_values_and_consistency(media_cases) -> None:
    for name, files in media_cases.items():
        t = files.truth
        assert t.case == name and t.params_hash and t.generator_version
        raw = json.loads(files.truth_path.read_text())
        assert "t_ref - t_tgt" in raw["sign_convention"]
        assert t == GroundTruth.load(files.truth_path)
        if name == "ref":
            assert not t.targets and t.reference.file == "ref.mkv"
            continue
        assert len(t.targets) == 1
        s = t.sync
        assert s.diagnosis == {"stepping": "STEPPING", "pal": "PAL_DRIFT", "drift": "LINEAR_DRIFT"}.get(
            name, "UNIFORM")
        if name in UNIFORM:
            assert s.delay_ms == pytest.approx(UNIFORM[name], abs=1e-6)
            # delay = (target's first programme time − reference's) + (ref audio cd − target audio cd)
            (tp,), (rp,) = t.target.audio_map, t.reference.audio_map
            cd_r = t.reference.audio[0].container_delay_ms / 1000
            cd_t = t.target.audio[0].container_delay_ms / 1000
            assert tp["rel_start_s"] == rp["rel_start_s"] == 0
            assert s.delay_ms == pytest.approx((tp["prog_start_s"] - rp["prog_start_s"] + cd_r - cd_t) * 1000,
                                               abs=1e-6)
            assert s.delay_at(100.0) == s.delay_ms
    cd = media_cases["container_delay"].truth
    assert cd.reference.file == "container_delay_ref.mkv"
    assert cd.sync.reference_audio_container_delay_ms == 153
    assert cd.sync.correlation_delay_ms == pytest.approx(612.4 - 153, abs=1e-6)
    st = media_cases["stepping"].truth.sync
    assert [(sg.ref_start_s, sg.ref_end_s, sg.delay_ms) for sg in st.segments] == [
        (0.3125, 85.0, 312.5), (85.0, 142.0, -1687.5), (144.5, 210.0, 812.5)]
    assert st.removed == ((142.0, 144.5),) and st.inserted == ((84.6875, 86.6875),)
    assert st.boundaries_ref_s == (85.0, 144.5)
    assert st.delay_at(143.0) is None and st.delay_at(100.0) == -1687.5
    pal = media_cases["pal"].truth.sync
    assert pal.drift_ms_per_s == pytest.approx((1 - 960 / 1001) * 1000, abs=1e-6)
    assert pal.delay_at_0_ms == pytest.approx(500 * 960 / 1001, abs=1e-6)
    dr = media_cases["drift"].truth.sync
    assert dr.drift_ms_per_s == pytest.approx(0.5, abs=1e-9)
    assert dr.delay_at_0_ms == pytest.approx(-249.875, abs=1e-9)
    assert 0.4 <= dr.drift_ms_per_s <= 0.6  # below the 0.7 ms/s lossy threshold on purpose
    for name in ("delay_pos", "delay_neg", "dub", "stepping", "drift", "container_delay", "noisy"):
        assert media_cases[name].truth.sync.accuracy_ms <= 0.01


# --------------------------------------------------------------------------------------------- audio timing


@pytest.mark.parametrize("name", sorted(UNIFORM))
def test_constant_delay_by_cross_correlation(media_cases, name: str) -> None:
    files = media_cases[name]
    truth = files.truth
    ref, tgt = decode(files.reference), decode(files.other)
    expected = truth.sync.correlation_delay_ms * FS / 1000  # decoded streams: no container delays
    delay_s = truth.sync.delay_ms / 1000
    # Speech-free music excerpts: no English sentence in the reference's first audio track and no sentence
    # of the target's own dialogue (mapped onto the reference timeline).
    busy = [(e.start_s, e.end_s) for e in truth.reference.subtitles[0].events]
    busy += [(a + delay_s, b + delay_s) for a, b in events(truth.target)]
    starts = free_windows(busy, 5.0, 200.0, 4.0, 4)
    assert len(starts) >= (2 if name == "dub" else 3), f"{name}: too few speech-free windows {starts}"
    for start in starts:
        lag, peak = locate(ref, tgt, start, 4.0, expected)
        assert abs(lag - expected) <= 1.0, (name, start, lag, expected, peak)
        assert peak > 0.5, (name, start, peak)
    if name == "container_delay":
        # presentation delay = decoded-stream delay + the reference audio's 153 ms container delay
        assert (expected / FS * 1000 + 153) == pytest.approx(612.4, abs=1e-6)


def test_fractional_delay_is_applied_between_samples(media_cases) -> None:
    # +1234.567 ms = 59259.216 samples: a parabolic fit of the correlation peak lands between samples.
    files = media_cases["delay_neg"]  # Opus 128k: transparent enough for a sub-sample estimate
    ref, tgt = decode(files.reference), decode(files.other)
    exp = -987.25 * FS / 1000  # −47388.0 exactly: integer
    lag, _ = locate(ref, tgt, 30.0, 10.0, exp)
    assert lag == exp
    cd = media_cases["container_delay"]
    ref, tgt = decode(cd.reference), decode(cd.other)
    exp = (612.4 - 153) * FS / 1000  # 22051.2 samples
    fits = []
    for start in (20.0, 60.0, 120.0, 170.0):
        a, n = round(start * FS), 10 * FS
        seg = ref[a:a + n].astype(np.float64)
        win = tgt[a - round(exp) - 3:a - round(exp) + n + 3].astype(np.float64)
        cc = np.array([seg @ win[k:k + n] for k in range(7)])  # lags round(exp)+3 … round(exp)-3
        k = int(np.argmax(cc))
        frac = 0.5 * (cc[k - 1] - cc[k + 1]) / (cc[k - 1] - 2 * cc[k] + cc[k + 1])
        fits.append(a - (a - round(exp) - 3 + k + frac))
    assert np.median(fits) == pytest.approx(exp, abs=0.15), fits


def test_stepping_segments_by_cross_correlation(media_cases) -> None:
    files = media_cases["stepping"]
    sync = files.truth.sync
    ref, tgt = decode(files.reference), decode(files.other)
    for sg in sync.segments:
        for start in np.linspace(sg.ref_start_s + 1.0, sg.ref_end_s - 6.0, 3):
            exp = sg.delay_ms * FS / 1000
            lag, peak = locate(ref, tgt, float(start), 5.0, exp)
            assert lag == exp and peak > 0.9, (start, lag, exp, peak)
    # the inserted bumper is near-silent room tone
    a, b = sync.inserted[0]
    ins = tgt[round(a * FS) + 480:round(b * FS) - 480]
    assert 20 * np.log10(np.sqrt(np.mean(ins.astype(np.float64) ** 2))) < -50
    # the cut programme range (reference 142.0–144.5 s) is nowhere near its neighbours' positions
    _, peak_cut = locate(ref, tgt, 142.4, 1.7, 812.5 * FS / 1000, search_s=2.5)
    _, peak_ok = locate(ref, tgt, 146.0, 1.7, 812.5 * FS / 1000, search_s=2.5)
    assert peak_ok > 0.9 and peak_cut < 0.6, (peak_ok, peak_cut)


def test_linear_drift_by_short_window_correlation(media_cases) -> None:
    files = media_cases["drift"]
    sync = files.truth.sync
    ref, tgt = decode(files.reference), decode(files.other)
    times, delays = [], []
    for start in np.arange(8.0, 200.0, 12.0):
        centre = start + 0.25
        exp = (-249.875 + 0.5 * centre) * FS / 1000
        lag, peak = locate(ref, tgt, float(start), 0.5, exp, search_s=0.05)
        if peak < 0.7:
            continue  # a quiet window; not informative
        assert abs(lag - exp) <= 0.3 * FS / 1000 + 1, (start, lag, exp)
        times.append(centre)
        delays.append(lag / FS * 1000)
    assert len(times) >= 10
    slope, icpt = np.polyfit(times, delays, 1)
    assert slope == pytest.approx(sync.drift_ms_per_s, abs=0.01)
    assert icpt == pytest.approx(sync.delay_at_0_ms, abs=0.3)


def test_pal_duration_ratio_and_timing(media_cases) -> None:
    files = media_cases["pal"]
    truth = files.truth
    info = mkv_json(files.other)
    v = next(t for t in info["tracks"] if t["type"] == "video")
    assert v["properties"]["default_duration"] == 40_000_000
    # The PAL release covers programme 0.5 … 211.0 s in 960/1001 of the time.
    assert truth.target.duration_s == pytest.approx((211.0 - 0.5) * 960 / 1001, abs=1e-4)
    assert truth.target.video.frames / 25 == pytest.approx(truth.target.duration_s, abs=0.04)
    ref, tgt = decode(files.reference), decode(files.other)
    assert len(tgt) / FS == pytest.approx(truth.target.duration_s, abs=0.05)
    assert (len(tgt) / FS) / (len(ref) / FS + 1.0 - 0.5) == pytest.approx(960 / 1001, abs=3e-4)
    # Onset envelopes (1 ms steps) of 10 s reference windows and of the target around where the ground
    # truth puts the same content, warped onto the reference timeline; the remaining offset must be
    # within the declared accuracy (rubberband).
    k, d0 = truth.sync.drift_ms_per_s / 1000, truth.sync.delay_at_0_ms / 1000
    residuals = []
    for start in range(10, 196, 15):
        a = round(start * FS)
        er = onset_envelope(ref[a:a + 10 * FS])
        t_ref = start + np.arange(len(er)) / 1000.0          # reference time of each envelope value
        t_tgt = t_ref * (1 - k) - d0                          # ground-truth target time of that content
        b = round((t_tgt[0] - 0.2) * FS)
        et = onset_envelope(tgt[b:b + 11 * FS])
        lags = np.arange(-30, 31)
        cc = []
        for lag in lags:
            w = np.interp((t_tgt + lag / 1000.0 - b / FS) * 1000, np.arange(len(et)), et)
            cc.append(er @ w / np.sqrt((er @ er) * (w @ w)))
        j = int(np.argmax(cc))
        assert cc[j] > 0.5, (start, cc[j])
        residuals.append(int(lags[j]))
    assert max(abs(r) for r in residuals) <= truth.sync.accuracy_ms, residuals


def test_container_delay_is_in_the_container(media_cases) -> None:
    files = media_cases["container_delay"]
    info = mkv_json(files.reference)
    audio = [t for t in info["tracks"] if t["type"] == "audio"]
    video = [t for t in info["tracks"] if t["type"] == "video"]
    assert audio[0]["properties"]["minimum_timestamp"] == pytest.approx(153_000_000, abs=500_000)
    assert video[0]["properties"].get("minimum_timestamp", 0) == 0
    # the target itself has no container delay
    tinfo = mkv_json(files.other)
    assert all(t["properties"].get("minimum_timestamp", 0) == 0 for t in tinfo["tracks"]
               if t["type"] in ("audio", "video"))
    # The delayed reference stream starts 153 ms into the programme: it equals ref.mkv's audio from 153 ms.
    plain = decode(media_cases["ref"].reference)
    delayed = decode(files.reference)
    lag, peak = locate(plain, delayed, 30.0, 6.0, 153 * FS / 1000)
    assert lag == 153 * FS / 1000 and peak > 0.99


def test_dub_shares_the_bed_but_not_the_dialogue(media_cases) -> None:
    files = media_cases["dub"]
    ref_eng, dub = decode(files.reference, 0), decode(files.other)
    exp = 733.125 * FS / 1000
    truth = files.truth
    d = 0.733125
    ger = [(a + d, b + d) for a, b in events(truth.target)]
    eng = [(e.start_s, e.end_s) for e in truth.reference.subtitles[0].events]
    # a window with English speech but no German speech correlates worse than a speech-free one
    only_eng = [a for a, b in eng
                if 5 < a and b < 200 and b - a > 2.5 and all(b + 0.3 <= ga or gb <= a - 0.3 for ga, gb in ger)]
    assert only_eng
    _, p_speech = locate(ref_eng, dub, only_eng[0], 2.0, exp)
    free = free_windows(eng + ger, 5.0, 200.0, 2.0, 1)
    _, p_free = locate(ref_eng, dub, free[0], 2.0, exp)
    assert p_free > 0.9 and p_speech < p_free - 0.2, (p_free, p_speech)


def test_bed_is_not_periodic(media_cases) -> None:
    # Away from the true lag, no other lag within ±3 s may correlate strongly.
    ref = decode(media_cases["ref"].reference).astype(np.float64)
    for start in (20.0, 75.0, 130.0, 180.0):
        a, n, s = round(start * FS), 5 * FS, 3 * FS
        seg = ref[a:a + n]
        win = ref[a - s:a + s + n]
        size = 1 << (len(win) + n).bit_length()
        cc = np.fft.irfft(np.fft.rfft(win, size) * np.conj(np.fft.rfft(seg, size)), size)[:len(win) - n + 1]
        csum = np.concatenate([[0.0], np.cumsum(win * win)])
        norm = cc / (np.sqrt(seg @ seg) * np.sqrt(np.maximum(csum[n:] - csum[:-n], 1e-20)))
        assert norm[s] == pytest.approx(1.0, abs=1e-6)
        side = np.concatenate([norm[:s - FS // 20], norm[s + FS // 20:]])
        assert side.max() < 0.6, (start, side.max())


# ------------------------------------------------------------------------------------ subs/chapters/video


def test_subtitles_in_files_match_ground_truth(media_cases, tmp_path: Path) -> None:
    for rel in _releases(media_cases):
        for s in rel.subtitles:
            out = tmp_path / f"{rel.path.stem}_{s.track_id}.ass"
            extract(rel.path, ["tracks", f"{s.track_id}:{out}"], tmp_path)
            subs = pysubs2.load(str(out))
            got = [(e.start / 1000, e.end / 1000, e.plaintext) for e in subs.events]
            want = [(e.start_s, e.end_s, e.text) for e in s.events]
            assert len(got) == len(want) >= 5, rel.file
            for (ga, gb, gt), (wa, wb, wt) in zip(got, want, strict=True):
                assert gt == wt and abs(ga - wa) < 0.006 and abs(gb - wb) < 0.006, (rel.file, ga, wa)
                assert 0 <= wa < wb <= rel.duration_s + 1e-6


def test_subtitle_events_follow_the_timeline(media_cases) -> None:
    # Uniform targets: the same sentence is at reference time − delay (ASS centisecond rounding aside).
    for name in UNIFORM:
        truth = media_cases[name].truth
        d = truth.sync.delay_ms / 1000
        ref_events = {e.text: e for s in truth.reference.subtitles for e in s.events}
        matched = 0
        for e in truth.target.subtitles[0].events:
            r = ref_events.get(e.text)
            if r is None or r.start_s < 0.5 or r.end_s > truth.reference.duration_s - 0.5 or e.start_s < 0.5:
                continue
            assert e.start_s == pytest.approx(r.start_s - d, abs=0.011), (name, e.text)
            matched += 1
        assert matched >= 10, name
    # PAL: events run 1001/960 faster.
    truth = media_cases["pal"].truth
    ref_events = {e.text: e for e in truth.reference.subtitles[0].events}
    for e in truth.target.subtitles[0].events:
        if e.text in ref_events and ref_events[e.text].start_s > 1:
            r = ref_events[e.text]
            assert e.start_s == pytest.approx((r.start_s - 0.5) * 960 / 1001, abs=0.011)


def test_subtitle_events_are_where_the_speech_is(media_cases) -> None:
    # ref.mkv: English mix (FLAC) − German mix (AC-3) = English speech − German speech (+ codec noise).
    files = media_cases["ref"]
    eng, ger = decode(files.reference, 0), decode(files.reference, 1)
    n = min(len(eng), len(ger)) // 2400 * 2400
    diff = (eng[:n].astype(np.float64) - ger[:n])
    rms = np.sqrt(np.mean(diff.reshape(-1, 2400) ** 2, axis=1))  # 50 ms frames
    t = np.arange(len(rms)) * 0.05
    ev = events(files.truth.reference)
    near = np.zeros(len(rms), bool)
    for a, b in ev:
        near |= (t + 0.05 > a - 0.1) & (t < b + 0.1)
    assert files.truth.reference.duration_s - 0.5 < n / FS
    outside = rms[~near & (t > 0.5) & (t < 209.0)]
    floor = np.median(outside)  # AC-3 coding noise of the bed
    for a, b in ev:
        inside = np.sqrt(np.mean(diff[round(a * FS):round(b * FS)] ** 2))
        assert 20 * np.log10(inside / floor) > 30, (a, b)  # dialogue is ~35 dB above it
    # outside the events hardly any 50 ms frame comes near dialogue level (transient coding noise only)
    assert np.mean(outside > floor * 10 ** (25 / 20)) < 0.01


def test_chapters_match_ground_truth(media_cases, tmp_path: Path) -> None:
    for rel in _releases(media_cases):
        out = tmp_path / f"{rel.path.stem}_chapters.xml"
        extract(rel.path, ["chapters", str(out)], tmp_path)
        root = ET.parse(out).getroot()
        got = []
        for atom in root.iter("ChapterAtom"):
            hh, mm, ss = atom.findtext("ChapterTimeStart").split(":")
            got.append((int(hh) * 3600 + int(mm) * 60 + float(ss), atom.find("ChapterDisplay").findtext(
                "ChapterString")))
        assert [(round(a, 3), b) for a, b in got] == [(c.start_s, c.title) for c in rel.chapters], rel.file
        assert got[0][0] == 0.0
    # Uniform targets: a chapter at reference time t is at t − delay in the target.
    for name in ("delay_pos", "delay_neg", "noisy"):
        truth = media_cases[name].truth
        d = truth.sync.delay_ms / 1000
        ref_ch = {c.title: c.start_s for c in truth.reference.chapters[1:]}
        for c in truth.target.chapters[1:]:
            assert c.start_s == pytest.approx(ref_ch[c.title] - d, abs=0.0011)


def test_video_frames_show_the_programme_time(media_cases) -> None:
    film = Fraction(24000, 1001)

    def check(path: Path, k: int, fps: Fraction, want_ms: float | None) -> None:
        code = frame_code(path, max(0.0, float(Fraction(k) / fps) - 0.002))
        if want_ms is None:
            assert code == 0, (path.name, k)
        else:
            assert abs(code - 2 ** 23 - want_ms) <= 1, (path.name, k, code - 2 ** 23, want_ms)

    for name, start in (("ref", 0.0), ("delay_pos", 1.234567), ("delay_neg", -0.98725), ("noisy", -0.444875),
                        ("drift", -0.25)):
        rel = media_cases[name].truth.reference if name == "ref" else media_cases[name].truth.target
        for k in (0, 1, 2399, 4500):
            check(rel.path, k, film, (start + k / float(film)) * 1000)
    pal = media_cases["pal"].truth.target
    for k in (0, 3000, 5000):  # PAL frame k is programme frame k
        check(pal.path, k, Fraction(25), (0.5 + k * 1001 / 24000) * 1000)
    st = media_cases["stepping"].truth.target
    k_ins = int(85.5 / float(1 / film))  # release 85.5 s lies inside the inserted filler
    check(st.path, k_ins, film, None)
    k = 4000  # release 166.83 s: after the cut, programme = release time + 0.8125
    check(st.path, k, film, (k / float(film) + 0.8125) * 1000)


# --------------------------------------------------------------------------------------------- generator


def test_synthesis_is_deterministic() -> None:
    spec = ProgrammeSpec(seed=7, duration_s=20.0, pre_s=2.0, post_s=2.0)
    a = synthesize(spec)
    synthesize.cache_clear()
    b = synthesize(spec)
    assert a is not b
    assert np.array_equal(a.bed, b.bed)
    assert all(np.array_equal(a.speech[k], b.speech[k]) for k in ("eng", "ger"))
    assert a.lines == b.lines and a.scenes == b.scenes and a.quiet == b.quiet
    other = synthesize(ProgrammeSpec(seed=8, duration_s=20.0, pre_s=2.0, post_s=2.0))
    assert not np.array_equal(other.bed, a.bed)
    synthesize.cache_clear()


def test_quiet_passages_are_quiet(media_cases) -> None:
    files = media_cases["ref"]
    quiet = json.loads(files.truth_path.read_text())["programme"]["quiet_passages"]
    assert len(quiet) >= 2
    eng = decode(files.reference, 0).astype(np.float64)
    ev = events(files.truth.reference)
    loud = np.sqrt(np.mean(eng[10 * FS:200 * FS] ** 2))
    checked = 0
    for a, b in quiet:
        # pick the speech-free part of the passage
        for s in free_windows(ev, a + 0.3, b - 0.3, 0.5, 3, margin=0.05):
            seg = eng[round(s * FS):round((s + 0.5) * FS)]
            assert 20 * np.log10(np.sqrt(np.mean(seg ** 2)) / loud) < -25, (a, b, s)
            checked += 1
    assert checked >= 1


def test_cache_is_reused_and_rebuilt_on_parameter_change(media_cases, tmp_path: Path) -> None:
    src = media_cases["ref"]
    for f in ("ref.mkv", "ref.json", "codec_offsets.json"):
        shutil.copy2(src.directory / f, tmp_path / f)
    mtime = (tmp_path / "ref.mkv").stat().st_mtime_ns
    again = build_case("ref", out=tmp_path)
    assert again.reference == tmp_path / "ref.mkv" and (tmp_path / "ref.mkv").stat().st_mtime_ns == mtime
    data = json.loads((tmp_path / "ref.json").read_text())
    data["params_hash"] = "stale"
    (tmp_path / "ref.json").write_text(json.dumps(data))
    rebuilt = build_case("ref", out=tmp_path)
    assert rebuilt.truth.params_hash == src.truth.params_hash
    assert (tmp_path / "ref.mkv").stat().st_mtime_ns != mtime
    # same seed, same programme: identical ground truth
    assert rebuilt.truth.reference.subtitles == src.truth.reference.subtitles
    assert rebuilt.truth.reference.chapters == src.truth.reference.chapters


def test_missing_tools_raise_tool_missing_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(ToolMissingError) as e:
        build_case("ref", out=tmp_path / "cache1")
    msg = str(e.value)
    assert "espeak-ng" in msg and "ffmpeg" in msg and "mkvmerge" in msg and "apt-get install" in msg
    assert "mkvtoolnix" in msg
    # only rubberband missing: the PAL case names it and its package
    partial = tmp_path / "bin"
    partial.mkdir()
    for tool in ("ffmpeg", "ffprobe", "mkvmerge", "espeak-ng"):
        real = shutil.which(tool, path=os.defpath + os.pathsep + "/usr/bin:/usr/local/bin")
        assert real, f"{tool} must be installed for this test"
        (partial / tool).symlink_to(real)
    monkeypatch.setenv("PATH", str(partial))
    with pytest.raises(ToolMissingError) as e:
        build_case("pal", out=tmp_path / "cache2")
    assert "rubberband" in str(e.value) and "rubberband-cli" in str(e.value)


def test_cli_lists_the_cases(media_cases) -> None:
    env = dict(os.environ, VSG_MEDIA_CACHE=str(media_cases["ref"].directory))
    proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", "media", "list"], capture_output=True,
                          text=True, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stderr
    for name in CASES:
        line = next(ln for ln in proc.stdout.splitlines() if ln.split()[:1] == [name])
        if name in DEFAULT_CASES:
            assert " built" in line and "not built" not in line, line
        else:
            assert "(on request)" in line, line
    proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", "media", "build", "--cases", "ref",
                           "delay_pos"], capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "+1234.567 ms" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", "media", "build", "--cases", "nope"],
                          capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 1 and "unknown case" in proc.stderr
