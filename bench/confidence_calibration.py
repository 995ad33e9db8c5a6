"""Calibration of the chunk confidence (distinct-peak score): true matches against material that must not match.

    .venv/bin/python bench/confidence_calibration.py [--chunks 40] [--json out.json]

Builds the synthetic programme of the test media (music bed, English and German dialogue, quiet passages)
and a second, unrelated programme, then correlates the reference mix (bed + English, 48 kHz mono) chunk by
chunk (vsg defaults: GCC-PHAT, 15 s chunks ± 15 s search, Rust backend) against:

* **positives** — the same programme delayed and degraded: lossless, AC-3, AAC, Opus, 40 kbps MP3 with
  pink noise at 6 dB SNR, a German dub over the same music-and-effects bed (lossless and AAC), linear
  drift (+0.5 ms/s AC-3, −0.4 ms/s lossless: the peak is smeared over the chunk);
* **negatives** — the unrelated programme (full mix, music-and-effects only, AC-3), digital silence,
  near-silence (white noise at −70 dBFS), white noise, pink "room tone" at −50 dBFS, a 440 Hz tone, a
  chord of three tones.

A positive chunk counts as *right* when its delay is within 2 ms of the truth at the chunk centre (drift:
plus half the change of the delay across the chunk). Prints, per class, the score
distribution (min / 5 % / median / max) and the overall gap: the largest score of any negative or wrong
chunk against the smallest score of a right chunk. The default acceptance threshold
(``min_match_pct``) must lie in that gap (docs/confidence.md records the figures).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FS = 48_000
Truth = float | Callable[[float], float] | None   # delay (ms), delay at chunk centre t (s), or no match


def _codec_roundtrip(x: np.ndarray, args: list[str], ext: str) -> np.ndarray:
    """Encode mono float PCM with ffmpeg and decode it back (length kept; encoder delay removed)."""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / f"a.{ext}"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(FS), "-ac", "1",
                        "-i", "-", *args, str(out)], input=np.ascontiguousarray(x, "<f4").tobytes(),
                       check=True, capture_output=True)
        dec = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(out), "-ac", "1", "-ar", str(FS),
                              "-f", "f32le", "-"], check=True, capture_output=True).stdout
    y = np.frombuffer(dec, "<f4").astype(np.float32)
    # compensate the codec's priming delay by cross-correlating the first 20 s (integer samples)
    n = min(y.size, x.size, 20 * FS)
    c = np.fft.irfft(np.fft.rfft(x[:n], 2 * n) * np.conj(np.fft.rfft(y[:n], 2 * n)), 2 * n)
    lag = int(np.argmax(c))
    lag = lag - 2 * n if lag > n else lag
    y = y[-lag:] if lag < 0 else np.concatenate((np.zeros(lag, np.float32), y))
    out_ = np.zeros_like(x)
    out_[:min(x.size, y.size)] = y[:x.size]
    return out_


def _shift(x: np.ndarray, delay_s: float) -> np.ndarray:
    """Target that plays the reference's content ``delay_s`` earlier (delay = t_ref − t_tgt = +delay_s)."""
    d = round(delay_s * FS)
    if d >= 0:
        return np.concatenate((x[d:], np.zeros(d, np.float32)))
    return np.concatenate((np.zeros(-d, np.float32), x[:d]))


def _drifted(x: np.ndarray, up: int, down: int) -> np.ndarray:
    """The reference played with a fast/slow audio clock: up/down programme seconds per second (pitch
    follows); delay(t) = (1 − down/up)·1000·t ms, i.e. +0.5 ms/s for 2000/1999."""
    from scipy.signal import resample_poly

    y = resample_poly(x, down, up).astype(np.float32)
    out = np.zeros_like(x)
    out[:min(x.size, y.size)] = y[:x.size]
    return out


def build_pairs() -> tuple[np.ndarray, dict[str, tuple[np.ndarray, Truth]]]:
    """Reference signal and {class name: (target signal, true delay ms or None for a negative)}."""
    from vsg_core.testmedia.cases import NORMAL
    from vsg_core.testmedia.programme import ProgrammeSpec, _pink, synthesize

    prog = synthesize(NORMAL)
    other = synthesize(replace(ProgrammeSpec(), seed=777001))
    bed = prog.bed.mean(axis=1).astype(np.float32)
    ref = bed + prog.speech["eng"]
    dub = bed + prog.speech["ger"]
    obed = other.bed.mean(axis=1).astype(np.float32)
    omix = obed + other.speech["eng"]
    n = ref.size
    rng = np.random.default_rng(5)
    t = np.arange(n) / FS
    pink = _pink(rng, n)
    pink_n = pink / np.sqrt(np.mean(pink.astype(np.float64) ** 2))
    sig_rms = float(np.sqrt(np.mean(ref.astype(np.float64) ** 2)))

    def db(level: float, x: np.ndarray) -> np.ndarray:
        return (x / np.sqrt(np.mean(x.astype(np.float64) ** 2)) * 10 ** (level / 20)).astype(np.float32)

    pos: dict[str, tuple[np.ndarray, Truth]] = {
        "true/lossless +1234.5": (_shift(ref, 1.2345), 1234.5),
        "true/ac3 -987.25": (_codec_roundtrip(_shift(ref, -0.98725), ["-c:a", "ac3", "-b:a", "192k"], "ac3"),
                             -987.25),
        "true/aac +733.1": (_codec_roundtrip(_shift(ref, 0.7331), ["-c:a", "aac", "-b:a", "128k"], "m4a"),
                            733.1),
        "true/opus +300": (_codec_roundtrip(_shift(ref, 0.3), ["-c:a", "libopus", "-b:a", "64k"], "opus"),
                           300.0),
        "true/mp3-40k+noise6dB -444.9": (
            _codec_roundtrip(_shift(ref + (pink_n * sig_rms / 2.0).astype(np.float32), -0.4449),
                             ["-c:a", "libmp3lame", "-b:a", "40k"], "mp3"), -444.9),
        "true/dub lossless +2000": (_shift(dub, 2.0), 2000.0),
        "true/drift +0.5 ms/s ac3": (_codec_roundtrip(_drifted(ref, 2000, 1999), ["-c:a", "ac3", "-b:a", "192k"],
                                                      "ac3"), lambda t: 0.5 * t),
        "true/drift -0.4 ms/s lossless": (_drifted(ref, 2500, 2501), lambda t: -0.4 * t),
        "true/dub aac -1500": (_codec_roundtrip(_shift(dub, -1.5), ["-c:a", "aac", "-b:a", "128k"], "m4a"),
                               -1500.0),
    }
    neg: dict[str, tuple[np.ndarray, Truth]] = {
        "false/unrelated programme": (omix[:n], None),
        "false/unrelated music+effects only": (obed[:n], None),
        "false/unrelated ac3": (_codec_roundtrip(omix[:n], ["-c:a", "ac3", "-b:a", "192k"], "ac3"), None),
        "false/digital silence": (np.zeros(n, np.float32), None),
        "false/near-silence -70 dBFS": (db(-70, rng.standard_normal(n).astype(np.float32)), None),
        "false/white noise -20 dBFS": (db(-20, rng.standard_normal(n).astype(np.float32)), None),
        "false/room tone (pink) -50 dBFS": (db(-50, pink), None),
        "false/tone 440 Hz": (db(-20, np.sin(2 * np.pi * 440 * t).astype(np.float32)), None),
        "false/chord 220+277+330 Hz": (db(-20, sum(np.sin(2 * np.pi * f * t) for f in (220, 277.18, 329.63))
                                          .astype(np.float32)), None),
    }
    return ref, {**pos, **neg}


def score(ref: np.ndarray, pairs: dict[str, tuple[np.ndarray, Truth]], chunks: int,
          backend: str = "rust") -> dict[str, list[tuple[float, float, bool | None]]]:
    """{class: [(score, raw delay, right?) per chunk]}; right is None for negatives."""
    from vsg_core.analysis.correlate import correlate_arrays
    from vsg_core.analysis.correlation_options import CorrelationOptions

    opts = CorrelationOptions(chunk_count=chunks, min_match_pct=0.0)
    out: dict[str, list[tuple[float, float, bool | None]]] = {}
    for name, (tgt, truth) in pairs.items():
        run = correlate_arrays(ref, tgt, opts, backend=backend)
        def want(t: float, truth: Truth = truth) -> float:
            assert truth is not None
            return truth(t) if callable(truth) else truth

        # a drifting delay changes by |slope|·15 ms across a chunk: its peak may sit anywhere in that range
        tol = 2.0 + (abs(truth(1.0) - truth(0.0)) * 7.5 if callable(truth) else 0.0)
        out[name] = [(c.match_pct, c.raw_delay_ms,
                      None if truth is None else abs(c.raw_delay_ms - want(c.start_s + 7.5)) <= tol)
                     for c in run.chunks]
    return out


def summarise(res: dict[str, list[tuple[float, float, bool | None]]]) -> dict[str, object]:
    right = [s for v in res.values() for s, _, ok in v if ok is True]
    wrong = [s for v in res.values() for s, _, ok in v if ok is False]
    negs = [s for v in res.values() for s, _, ok in v if ok is None]
    classes = {}
    for name, v in res.items():
        s = np.array([x[0] for x in v])
        classes[name] = {"n": len(v), "right": sum(1 for x in v if x[2] is True),
                         "min": float(s.min()), "p05": float(np.percentile(s, 5)),
                         "median": float(np.median(s)), "max": float(s.max())}
    bad = negs + wrong
    return {"classes": classes, "right_n": len(right), "wrong_n": len(wrong), "negative_n": len(negs),
            "right_min": min(right) if right else None,
            "right_p01": float(np.percentile(right, 1)) if right else None,
            "bad_max": max(bad) if bad else None,
            "negative_p99": float(np.percentile(negs, 99)) if negs else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=40)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    ref, pairs = build_pairs()
    res = score(ref, pairs, a.chunks)
    summ = summarise(res)
    print(f"{'class':40s} {'n':>3s} {'right':>5s} {'min':>6s} {'p05':>6s} {'median':>6s} {'max':>6s}")
    for name, c in summ["classes"].items():  # type: ignore[union-attr]
        print(f"{name:40s} {c['n']:3d} {c['right']:5d} {c['min']:6.1f} {c['p05']:6.1f} {c['median']:6.1f} "
              f"{c['max']:6.1f}")
    print(f"right chunks: {summ['right_n']}, min score {summ['right_min']}, 1st percentile {summ['right_p01']}")
    print(f"negative chunks: {summ['negative_n']}, wrong-delay chunks of true pairs: {summ['wrong_n']}; "
          f"max score of both {summ['bad_max']}")
    if a.json:
        a.json.write_text(json.dumps({"summary": summ, "chunks": res}, indent=1))


if __name__ == "__main__":
    main()
