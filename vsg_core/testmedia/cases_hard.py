"""Hard release pairs (built on request: ``vsg media build --cases …``; not part of the default build).

Each target is built against the shared ``ref`` (23.976 fps) or ``ref24`` (24 fps) reference and carries its
ground truth like the default cases:

* **PAL** by polyphase resampling (pitch follows) and by rubberband time-stretch (pitch kept), 23.976 → 25
  and 24 → 25 fps: ``pal_resample``, ``pal_tempo_ac3``, ``pal24_tempo``, ``pal24_resample``;
* **slow linear drift** ±0.2 … 0.5 ms/s on lossless and lossy codecs (an audio clock 1.0002 … 0.9995
  fast, pitch follows): ``drift_p02_flac``, ``drift_m02_ac3``, ``drift_p03_aac``, ``drift_m04_flac``,
  ``drift_p05_opus``, ``drift_m05_eac3``;
* **chunks landing in room tone or music only**: ``mne_only`` (music-and-effects bed without dialogue),
  ``roomtone_gap`` (25 s of the programme replaced by −60 dBFS room tone, same delay on both sides);
* **dubs** whose voices differ over one M&E bed: ``dub_opus``, ``dub_ac3_51``;
* **constant delays** ``const_flac`` (+2345.678 ms, lossless) and ``const_noisy_mp3`` (−4321.125 ms, 10 dB
  SNR, 40 kbps MP3);
* **nonsense** that must be refused (diagnosis NO_MATCH or INSUFFICIENT_DATA): ``unrelated`` (another
  programme, English), ``unrelated_dub`` (another programme, German), ``silence`` (digital silence),
  ``noise`` (white noise, −20 dBFS), ``tone`` (440 Hz, −20 dBFS), ``roomtone`` (−60 dBFS room tone only);
* **truncation**: ``trunc_other`` (a 70 s sample of a +800 ms release), ``trunc_ref`` (a 70 s reference
  against a full release at −640.5 ms).
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from . import cases as c
from .programme import FS, Programme, ProgrammeSpec
from .timeline import Piece, TimeMap, offset_map

REF24_FPS = Fraction(24)
UNRELATED = ProgrammeSpec(seed=777001)

# --------------------------------------------------------------------------------------- audio contents


def _mne(prog: Programme, spec: c.ReleaseSpec, a: c.AudioSpec, offset: int) -> np.ndarray:
    """The music-and-effects bed along the release's map, without any dialogue."""
    from .timeline import render

    if c.CODECS[a.codec].channels != 2:
        raise ValueError("mne content is stereo only")
    tmap = c._extend(spec.audio_map, offset)
    lo, hi = tmap.prog_range()
    i0 = max(0, int(np.floor(prog.index(lo))) - FS)
    i1 = min(prog.n, int(np.ceil(prog.index(hi))) + 2 * FS)
    return render(prog.bed[i0:i1], prog.t0 + i0 / FS, tmap, filler_seed=spec.seed)[offset:]


def _level(x: np.ndarray, dbfs: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) or 1.0
    return (x * (10 ** (dbfs / 20) / rms)).astype(np.float32)


def _silence(prog: Programme, spec: c.ReleaseSpec, a: c.AudioSpec, offset: int) -> np.ndarray:
    n = spec.audio_map.samples
    return np.zeros((n, c.CODECS[a.codec].channels), np.float32)


def _noise(prog: Programme, spec: c.ReleaseSpec, a: c.AudioSpec, offset: int) -> np.ndarray:
    n = spec.audio_map.samples
    rng = np.random.default_rng([spec.seed, 41])
    return _level(rng.standard_normal((n, c.CODECS[a.codec].channels), dtype=np.float32), -20.0)


def _tone(prog: Programme, spec: c.ReleaseSpec, a: c.AudioSpec, offset: int) -> np.ndarray:
    n = spec.audio_map.samples
    t = np.arange(n) / FS
    x = _level(np.sin(2 * np.pi * 440.0 * t).astype(np.float32), -20.0)
    return np.repeat(x[:, None], c.CODECS[a.codec].channels, axis=1)


def _roomtone(prog: Programme, spec: c.ReleaseSpec, a: c.AudioSpec, offset: int) -> np.ndarray:
    n = spec.audio_map.samples
    rng = np.random.default_rng([spec.seed, 43])
    return (rng.standard_normal((n, c.CODECS[a.codec].channels), dtype=np.float32) * 10 ** (-60 / 20))


# --------------------------------------------------------------------------------------------- releases
SPEC = c.NORMAL
END = SPEC.duration_s + 1.0


def _release(stem: str, title: str, am: TimeMap, vm: TimeMap | None = None, fps: Fraction = c.FILM,
             codec: str = "ac3", content: str = "eng", noise: float | None = None, seed: int = 100
             ) -> c.ReleaseSpec:
    lang = "ger" if content == "ger" else "eng"
    return c.ReleaseSpec(stem, title, am, vm or am, fps, (c.AudioSpec(content, codec, lang),),
                         (c.SubSpec("eng", "eng"),), noise_snr_db=noise, seed=seed)


def _const(stem: str, delay_s: float, codec: str, content: str = "eng", noise: float | None = None,
           seed: int = 100, duration_s: float | None = None) -> c.ReleaseSpec:
    dur = duration_s if duration_s is not None else SPEC.duration_s + 1.5 - delay_s
    return _release(stem, f"Hard case {stem}", offset_map(delay_s, dur), codec=codec, content=content,
                    noise=noise, seed=seed)


def _speed(stem: str, speed: Fraction, method: str, codec: str, fps: Fraction, p0: float, seed: int,
           picture_follows: bool) -> c.ReleaseSpec:
    """The programme from ``p0`` at ``speed`` programme-seconds per release-second."""
    n = round((END - p0) / float(speed) * FS)
    am = TimeMap((Piece(n, p0, speed, method),))
    vm = TimeMap((Piece(n, p0, speed, "frames"),)) if picture_follows else offset_map(p0, n / FS)
    return _release(stem, f"Hard case {stem}", am, vm, fps=fps, codec=codec, seed=seed)


def _drift(stem: str, ms_per_s: float, codec: str, seed: int) -> c.ReleaseSpec:
    # delay slope (1 − 1/speed)·1000 = ms_per_s  ⇒  speed = 1 / (1 − ms_per_s/1000)
    speed = 1 / (1 - Fraction(ms_per_s).limit_denominator(1000) / 1000)
    return _speed(stem, speed, "resample", codec, c.FILM, -0.125, seed, picture_follows=False)


GAP_S = (60.0, 85.0)   # release seconds of the ``gap`` content replaced by room tone


def _gap_audio(prog: Programme, spec: c.ReleaseSpec, a: c.AudioSpec, offset: int) -> np.ndarray:
    """The normal English mix, but release seconds GAP_S replaced by −60 dBFS room tone (same length, so
    the delay stays constant on both sides)."""
    pcm = c._render_audio(prog, spec, c.AudioSpec("eng", a.codec, a.language), offset)
    g0, g1 = round(GAP_S[0] * FS), round(GAP_S[1] * FS)
    rng = np.random.default_rng([spec.seed, 47])
    pcm[g0:g1] = (rng.standard_normal((g1 - g0, pcm.shape[1]), dtype=np.float32) * 10 ** (-60 / 20))
    return pcm


def _gap(stem: str, delay_s: float, codec: str, seed: int) -> c.ReleaseSpec:
    return _const(stem, delay_s, codec, content="gap", seed=seed)


c.AUDIO_RENDERERS.update({"mne": _mne, "silence": _silence, "noise": _noise, "tone": _tone,
                          "roomtone": _roomtone, "gap": _gap_audio})
c.LANG_NAMES.update({"gap": "English (room-tone gap)", "mne": "Music and effects", "silence": "Silence",
                     "noise": "Noise", "tone": "Tone", "roomtone": "Room tone"})


def _nonsense(stem: str, content: str, codec: str, seed: int) -> c.ReleaseSpec:
    return _const(stem, 0.5, codec, content=content, seed=seed)


REF24 = replace(c._ref_release(SPEC, "ref24", "Reference release at 24 fps", with_dub=False, seed=30),
                fps=REF24_FPS)
REF_SHORT = replace(c._ref_release(SPEC, "trunc_ref_ref", "Truncated reference (70 s)", with_dub=False,
                                   seed=31), audio_map=offset_map(0.0, 70.0), video_map=offset_map(0.0, 70.0))


def _hard_cases() -> dict[str, c.Case]:
    shared = {"programme": SPEC, "reference": c.CASES["ref"].reference, "shared_reference": "ref",
              "default": False}
    shared24 = {"programme": SPEC, "reference": REF24, "shared_reference": "ref24", "default": False}
    rub = ("ffmpeg", "mkvmerge", "espeak-ng", "rubberband")
    pal = c.PAL_SPEED
    pal24 = Fraction(25, 24)
    out = [
        c.Case("ref24", "Reference at 24 fps (FLAC eng), for the 24 → 25 fps PAL cases.", SPEC, REF24,
               default=False),
        c.Case("pal_resample", "PAL 23.976 → 25 fps by resampling (pitch follows), AC-3.",
               targets=(_speed("pal_resample", pal, "resample", "ac3", c.PAL, 0.25, 101, True),),
               diagnosis="PAL_DRIFT", **shared),
        c.Case("pal_tempo_ac3", "PAL 23.976 → 25 fps by rubberband time-stretch (pitch kept), AC-3.",
               targets=(_speed("pal_tempo_ac3", pal, "tempo", "ac3", c.PAL, 0.75, 102, True),),
               diagnosis="PAL_DRIFT", tools=rub, **shared),
        c.Case("pal24_tempo", "PAL 24 → 25 fps by rubberband time-stretch (pitch kept), AAC.",
               targets=(_speed("pal24_tempo", pal24, "tempo", "aac", c.PAL, 0.5, 103, True),),
               diagnosis="PAL_DRIFT", tools=rub, **shared24),
        c.Case("pal24_resample", "PAL 24 → 25 fps by resampling (pitch follows), E-AC-3.",
               targets=(_speed("pal24_resample", pal24, "resample", "eac3", c.PAL, -0.3, 104, True),),
               diagnosis="PAL_DRIFT", **shared24),
    ]
    for stem, rate, codec, seed in (("drift_p02_flac", 0.2, "flac", 111), ("drift_m02_ac3", -0.2, "ac3", 112),
                                    ("drift_p03_aac", 0.3, "aac", 113), ("drift_m04_flac", -0.4, "flac", 114),
                                    ("drift_p05_opus", 0.5, "opus", 115), ("drift_m05_eac3", -0.5, "eac3", 116)):
        out.append(c.Case(stem, f"Linear drift {rate:+.1f} ms/s (audio clock, pitch follows), {codec}.",
                          targets=(_drift(stem, rate, codec, seed),), diagnosis="LINEAR_DRIFT", **shared))
    out += [
        c.Case("mne_only", "Music-and-effects only (no dialogue), constant +450 ms, AAC.",
               targets=(_const("mne_only", 0.45, "aac", content="mne", seed=121),), diagnosis="UNIFORM",
               **shared),
        c.Case("roomtone_gap", "Constant +275.5 ms; release 60–85 s replaced by −60 dBFS room tone, AC-3.",
               targets=(_gap("roomtone_gap", 0.2755, "ac3", 122),), diagnosis="UNIFORM", **shared),
        c.Case("dub_opus", "German dub over the same M&E bed, constant −2100.25 ms, Opus 96 kbps.",
               targets=(_const("dub_opus", -2.10025, "opus96", content="ger", seed=123),), diagnosis="UNIFORM",
               **shared),
        c.Case("dub_ac3_51", "German dub over the same M&E bed, constant +1500.5 ms, AC-3 5.1.",
               targets=(_const("dub_ac3_51", 1.5005, "ac3_51", content="ger", seed=124),), diagnosis="UNIFORM",
               **shared),
        c.Case("const_flac", "Constant +2345.678 ms, FLAC (lossless).",
               targets=(_const("const_flac", 2.345678, "flac", seed=125),), diagnosis="UNIFORM", **shared),
        c.Case("const_noisy_mp3", "Constant −4321.125 ms, pink noise at 10 dB SNR, MP3 40 kbps.",
               targets=(_const("const_noisy_mp3", -4.321125, "mp3_low", noise=10.0, seed=126),),
               diagnosis="UNIFORM", **shared),
        c.Case("unrelated", "Another programme (other seed), English, AC-3: must be refused.",
               programme=UNRELATED, reference=c.CASES["ref"].reference, shared_reference="ref", default=False,
               targets=(_nonsense("unrelated", "eng", "ac3", 131),), diagnosis="NO_MATCH"),
        c.Case("unrelated_dub", "Another programme (other seed), German, AAC: must be refused.",
               programme=UNRELATED, reference=c.CASES["ref"].reference, shared_reference="ref", default=False,
               targets=(_nonsense("unrelated_dub", "ger", "aac", 132),), diagnosis="NO_MATCH"),
        c.Case("silence", "Digital silence (FLAC): must be refused.",
               targets=(_nonsense("silence", "silence", "flac", 133),), diagnosis="NO_MATCH", **shared),
        c.Case("noise", "White noise at −20 dBFS (AC-3): must be refused.",
               targets=(_nonsense("noise", "noise", "ac3", 134),), diagnosis="NO_MATCH", **shared),
        c.Case("tone", "A 440 Hz tone at −20 dBFS (AAC): must be refused.",
               targets=(_nonsense("tone", "tone", "aac", 135),), diagnosis="NO_MATCH", **shared),
        c.Case("roomtone", "Room tone only (−60 dBFS noise, FLAC): must be refused.",
               targets=(_nonsense("roomtone", "roomtone", "flac", 136),), diagnosis="NO_MATCH", **shared),
        c.Case("trunc_other", "A 70 s sample of a +800 ms release (AC-3): covers 0.8–70.8 s of the reference.",
               targets=(_const("trunc_other", 0.8, "ac3", seed=137, duration_s=70.0),), diagnosis="UNIFORM",
               **shared),
        c.Case("trunc_ref", "A 70 s reference against a full release at −640.5 ms (AC-3).", SPEC, REF_SHORT,
               targets=(_const("trunc_ref", -0.6405, "ac3", seed=138),), diagnosis="UNIFORM", default=False),
    ]
    return {k.name: k for k in out}


HARD_CASES: dict[str, c.Case] = _hard_cases()
HARD_PAIRS: tuple[str, ...] = tuple(n for n in HARD_CASES if n != "ref24")
