"""Synthesis of the one programme every test release is cut from: a music-and-effects (M&E) bed plus
an English and a German speech stem, all at 48 kHz on a common *programme timeline*.

Sample ``i`` of every stem is programme time ``t = i / 48000 - pre_s``; the reference release shows
programme time ``0 … duration_s``, the margins ``[-pre_s, 0)`` and ``(duration_s, duration_s + post_s]``
exist so other releases can start earlier / end later than the reference.

The bed (deterministic for a seed; never periodic, so a correlation has exactly one true peak):

* scenes of random length; per scene a random tempo (with a slowly wandering beat period), key, scale
  and timbres;
* music: a random-walk melody with random note lengths and rests, random chords, a bass line and
  percussion (kick / snare / hi-hat from fresh random noise, each hit jittered and randomly dropped),
  synthesised with harmonic wavetables and envelopes;
* effects: band-pass noise bursts, exponential sweeps and low impacts at random times;
* quiet passages: the music is ducked to -40 dB for a few seconds (effects are kept out of them);
* a pink-noise room tone at about -50 dBFS under everything.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from scipy import signal

from .speech import SpeechLine, SpeechSpec, synthesize_speech

FS = 48000

CHAPTER_TITLES = (
    "Cold Open", "The Harbour", "Night Shift", "The Letter", "Old Friends", "Crossing", "The Storm",
    "Aftermath", "Lighthouse", "The Offer", "Return", "Loose Ends", "Daybreak", "The Archive",
    "Ferry Crossing", "Reunion", "Low Tide", "The Signal", "Closing Time", "Epilogue",
)


@dataclass(frozen=True)
class ProgrammeSpec:
    """Everything the programme audio depends on (hashed into the cache key)."""

    seed: int = 20240611
    duration_s: float = 210.0
    pre_s: float = 12.0
    post_s: float = 12.0
    scene_len_s: tuple[float, float] = (26.0, 52.0)
    quiet_every_s: float = 70.0          # one quiet passage per this much programme time
    quiet_len_s: tuple[float, float] = (3.0, 6.0)
    quiet_db: float = -40.0
    speech_eng: SpeechSpec = field(default_factory=lambda: SpeechSpec(lang="eng"))
    speech_ger: SpeechSpec = field(default_factory=lambda: SpeechSpec(lang="ger"))


@dataclass(frozen=True)
class Scene:
    start_s: float
    end_s: float
    title: str


@dataclass
class Programme:
    spec: ProgrammeSpec
    bed: np.ndarray                       # (n, 2) float32, M&E
    speech: dict[str, np.ndarray]         # lang -> (n,) float32 mono dialogue stem
    lines: dict[str, list[SpeechLine]]    # lang -> sentences on the programme timeline
    scenes: list[Scene]
    quiet: list[tuple[float, float]]      # ducked passages (programme seconds)

    @property
    def t0(self) -> float:
        """Programme time of sample 0."""
        return -self.spec.pre_s

    @property
    def n(self) -> int:
        return self.bed.shape[0]

    def index(self, t_prog: float) -> float:
        """Fractional sample index of a programme time."""
        return (t_prog - self.t0) * FS


# --------------------------------------------------------------------------------------------- helpers


def _wavetable(amps: np.ndarray, size: int = 4096) -> np.ndarray:
    ph = np.arange(size + 1) / size
    tab = np.zeros(size + 1)
    for k, a in enumerate(amps, start=1):
        tab += a * np.sin(2 * np.pi * k * ph)
    return (tab / np.max(np.abs(tab))).astype(np.float32)


def _osc(tab: np.ndarray, f0: float, n: int, vib_hz: float = 0.0, vib_depth: float = 0.0,
         phase0: float = 0.0) -> np.ndarray:
    """Wavetable oscillator (nearest-sample lookup in a 4096-point table) with optional vibrato; float32
    is precise enough for the few thousand cycles of one note."""
    i = np.arange(n, dtype=np.float32)
    ph = np.float32(f0 / FS) * i
    ph += np.float32(phase0)
    if vib_depth and vib_hz:
        w = np.float32(2 * np.pi * vib_hz / FS)
        ph += np.float32(vib_depth * f0 / (2 * np.pi * vib_hz)) * (1.0 - np.cos(w * i))
    size = len(tab) - 1
    ph -= np.floor(ph)
    ph *= size
    return tab[ph.astype(np.int32)]


def _env(n: int, attack: float, decay: float, sustain: float, release: float) -> np.ndarray:
    """Piecewise-linear attack/decay/sustain/release envelope of ``n`` samples (float32)."""
    dur = n / FS
    hold_end = max(attack + decay, dur - release)
    pts = [0.0, attack, attack + decay, hold_end, dur]
    vals = [0.0, 1.0, sustain, sustain * 0.8, 0.0]
    edges = [min(n, round(p * FS)) for p in pts]
    parts = [np.linspace(vals[k], vals[k + 1], edges[k + 1] - edges[k], endpoint=False, dtype=np.float32)
             for k in range(4)]
    out = np.concatenate(parts)
    return out if len(out) == n else np.pad(out, (0, n - len(out)))


def _add(buf: np.ndarray, start: int, x: np.ndarray, pan: float, gain: float = 1.0) -> None:
    """Mix mono ``x`` into stereo ``buf`` at sample ``start`` with constant-power pan in [-1, 1]."""
    if start >= buf.shape[0] or start + len(x) <= 0:
        return
    a = max(0, -start)
    b = min(len(x), buf.shape[0] - start)
    th = (pan + 1) * np.pi / 4
    seg = x[a:b].astype(np.float32, copy=False)
    buf[start + a:start + b, 0] += seg * np.float32(gain * np.cos(th))
    buf[start + a:start + b, 1] += seg * np.float32(gain * np.sin(th))


def _midi_hz(m: float) -> float:
    return 440.0 * 2 ** ((m - 69) / 12)


SCALES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "penta": (0, 2, 4, 7, 9),
}


def _degree_midi(root: int, scale: tuple[int, ...], degree: int) -> int:
    octave, idx = divmod(degree, len(scale))
    return root + 12 * octave + scale[idx]


# --------------------------------------------------------------------------------------------- music


def _scenes(spec: ProgrammeSpec, rng: np.random.Generator) -> list[Scene]:
    t = -spec.pre_s
    end = spec.duration_s + spec.post_s
    scenes: list[Scene] = []
    while t < end:
        length = rng.uniform(*spec.scene_len_s)
        if end - (t + length) < spec.scene_len_s[0] * 0.6:
            length = end - t
        title = CHAPTER_TITLES[len(scenes) % len(CHAPTER_TITLES)]
        if len(scenes) >= len(CHAPTER_TITLES):
            title += f" {len(scenes) // len(CHAPTER_TITLES) + 1}"
        scenes.append(Scene(round(t, 6), round(min(end, t + length), 6), title))
        t += length
    return scenes


def _kick(rng: np.random.Generator) -> np.ndarray:
    n = int(0.35 * FS)
    t = np.arange(n) / FS
    f = 45 + rng.uniform(60, 110) * np.exp(-t * 25)
    x = np.sin(2 * np.pi * np.cumsum(f) / FS) * np.exp(-t * rng.uniform(7, 11))
    x[:150] += rng.standard_normal(150) * 0.3 * np.linspace(1, 0, 150)
    return x


def _snare(rng: np.random.Generator) -> np.ndarray:
    n = int(0.22 * FS)
    t = np.arange(n) / FS
    noise = np.diff(rng.standard_normal(n + 1)) * 0.5
    tone = np.sin(2 * np.pi * rng.uniform(170, 230) * t)
    return (noise * np.exp(-t * rng.uniform(18, 30)) + 0.5 * tone * np.exp(-t * 30)) * 0.8


def _hat(rng: np.random.Generator) -> np.ndarray:
    n = int(0.09 * FS)
    t = np.arange(n) / FS
    noise = np.diff(rng.standard_normal(n + 2), 2) * 0.25
    return noise * np.exp(-t * rng.uniform(50, 90))


SCENE_PAD_S = 1.0  # notes and hits may start up to ~30 ms early and ring up to ~0.5 s past a scene


def _scene_music(sc: Scene, rng: np.random.Generator) -> np.ndarray:
    """The music of one scene in a stereo buffer whose sample 0 is programme ``sc.start_s - SCENE_PAD_S``."""
    t0_prog = sc.start_s - SCENE_PAD_S
    buf = np.zeros((round((sc.end_s - sc.start_s + 2 * SCENE_PAD_S) * FS), 2), np.float32)

    def at(t: float) -> int:
        return round((t - t0_prog) * FS)

    scale = SCALES[rng.choice(list(SCALES))]
    root = int(rng.integers(45, 58))
    beat0 = 60.0 / rng.uniform(72, 132)
    lead_tab = _wavetable((1.0 / np.arange(1, 8) ** rng.uniform(0.7, 1.8)) * rng.uniform(0.3, 1.0, 7))
    pad_tab = _wavetable((1.0 / np.arange(1, 6) ** 1.5) * rng.uniform(0.5, 1.0, 5))
    bass_tab = _wavetable(np.array([1.0, rng.uniform(0.2, 0.6), rng.uniform(0.05, 0.3)]))
    lead_pan = rng.uniform(-0.5, 0.5)
    lead_attack = rng.uniform(0.005, 0.06)
    pluck = rng.uniform(0, 1) < 0.5

    # Beat grid with a wandering period (random walk): never exactly periodic.
    beats: list[float] = []
    t, period = sc.start_s, beat0
    while t < sc.end_s:
        beats.append(t)
        period = float(np.clip(period * (1 + rng.normal(0, 0.01)), beat0 * 0.9, beat0 * 1.1))
        t += period

    # Melody
    t, degree = sc.start_s + rng.uniform(0, beat0), int(rng.integers(7, 12))
    while t < sc.end_s:
        dur = beat0 * float(rng.choice([0.5, 0.5, 1, 1, 1, 1.5, 2, 3])) * rng.uniform(0.93, 1.07)
        if rng.uniform() < 0.2:
            t += dur
            continue
        degree = int(np.clip(degree + rng.choice([-3, -2, -1, -1, 0, 1, 1, 2, 3]), 3, 16))
        f0 = _midi_hz(_degree_midi(root, scale, degree))
        n = int(min(dur * 1.3, sc.end_s - t + 0.05) * FS)
        if n > 200:
            x = _osc(lead_tab, f0, n, rng.uniform(4, 6.5), rng.uniform(0, 0.006), rng.uniform())
            env = _env(n, lead_attack, rng.uniform(0.05, 0.3), rng.uniform(0.3, 0.8), min(0.08, n / FS / 3))
            if pluck:
                env *= np.exp(np.arange(n, dtype=np.float32) * np.float32(-rng.uniform(2, 5) / FS))
            _add(buf, at(t), x * env, lead_pan + rng.uniform(-0.1, 0.1), rng.uniform(0.35, 0.7))
        t += dur

    # Chords (pad) and bass
    t = sc.start_s
    while t < sc.end_s:
        dur = beat0 * float(rng.choice([2, 3, 4, 4, 6])) * rng.uniform(0.95, 1.05)
        deg = int(rng.integers(0, len(scale)))
        n = int(min(dur + 0.3, sc.end_s - t + 0.05) * FS)
        if n > 2000:
            for k, off in enumerate((0, 2, 4)):
                f0 = _midi_hz(_degree_midi(root, scale, deg + off) + 12 * (k == 2 and rng.uniform() < 0.3))
                x = _osc(pad_tab, f0, n, rng.uniform(0.2, 1.0), 0.002, rng.uniform())
                _add(buf, at(t), x * _env(n, 0.15, 0.3, 0.7, 0.3), rng.uniform(-0.7, 0.7), 0.12)
            fb = _midi_hz(_degree_midi(root - 24, scale, deg))
            nb = int(min(dur * rng.uniform(0.5, 0.9), sc.end_s - t + 0.05) * FS)
            if nb > 1000:
                _add(buf, at(t), _osc(bass_tab, fb, nb, 0, 0, rng.uniform()) *
                     _env(nb, 0.01, 0.1, 0.6, 0.05), 0.0, 0.35)
        t += dur

    # Percussion: fresh noise every hit, random drops and jitter
    p_kick, p_snare, p_hat = rng.uniform(0.4, 0.8), rng.uniform(0.4, 0.8), rng.uniform(0.2, 0.7)
    def j() -> float:
        return float(rng.normal(0, 0.008))

    for i, b in enumerate(beats):
        if i % 2 == 0 and rng.uniform() < p_kick:
            _add(buf, at(b + j()), _kick(rng), rng.uniform(-0.1, 0.1), rng.uniform(0.4, 0.7))
        if i % 2 == 1 and rng.uniform() < p_snare:
            _add(buf, at(b + j()), _snare(rng), rng.uniform(-0.2, 0.2), rng.uniform(0.25, 0.5))
        for half in (0.0, 0.5):
            if rng.uniform() < p_hat:
                _add(buf, at(b + half * beat0 + j()), _hat(rng), rng.uniform(-0.6, 0.6),
                     rng.uniform(0.1, 0.3))
    return buf


# --------------------------------------------------------------------------------------------- effects


def _burst(rng: np.random.Generator) -> np.ndarray:
    n = int(rng.uniform(0.15, 0.8) * FS)
    fc = rng.uniform(300, 6000)
    sos = signal.butter(2, [fc / 1.5, min(fc * 1.5, 20000)], btype="bandpass", fs=FS, output="sos")
    x = signal.sosfilt(sos, rng.standard_normal(n))
    return x * _env(n, rng.uniform(0.003, 0.05), 0.05, 0.6, n / FS * 0.6)


def _sweep(rng: np.random.Generator) -> np.ndarray:
    n = int(rng.uniform(0.3, 1.5) * FS)
    f1, f2 = rng.uniform(150, 800), rng.uniform(1500, 7000)
    if rng.uniform() < 0.5:
        f1, f2 = f2, f1
    t = np.arange(n) / n
    ph = 2 * np.pi * np.cumsum(f1 * (f2 / f1) ** t) / FS
    return (np.sin(ph) + 0.3 * np.sin(2 * ph)) * np.hanning(n)


def _impact(rng: np.random.Generator) -> np.ndarray:
    n = int(rng.uniform(0.6, 1.2) * FS)
    t = np.arange(n) / FS
    f = 38 + 60 * np.exp(-t * 6)
    body = np.sin(2 * np.pi * np.cumsum(f) / FS) * np.exp(-t * rng.uniform(3, 6))
    sos = signal.butter(2, 2500, fs=FS, output="sos")
    crack = signal.sosfilt(sos, rng.standard_normal(n)) * np.exp(-t * 25)
    return body + 0.6 * crack


def _pink(rng: np.random.Generator, n: int) -> np.ndarray:
    b = np.array([0.049922035, -0.095993537, 0.050612699, -0.004408786], np.float32)
    a = np.array([1.0, -2.494956002, 2.017265875, -0.522189400], np.float32)
    return signal.lfilter(b, a, rng.standard_normal(n, dtype=np.float32)).astype(np.float32, copy=False)


def _rms(x: np.ndarray) -> float:
    v = np.ascontiguousarray(x[::3]).ravel()
    return float(np.sqrt(np.dot(v, v) / max(v.size, 1)))


# --------------------------------------------------------------------------------------------- assembly


def _synth_bed(spec: ProgrammeSpec) -> tuple[np.ndarray, list[Scene], list[tuple[float, float]]]:
    t0 = -spec.pre_s
    n = round((spec.duration_s + spec.pre_s + spec.post_s) * FS)
    rng_scene = np.random.default_rng([spec.seed, 1])
    scenes = _scenes(spec, rng_scene)

    music = np.zeros((n, 2), np.float32)
    # Scenes are independent (own seeds), so two threads synthesise them; the result is the same.
    with ThreadPoolExecutor(2) as pool:
        bufs = pool.map(lambda k: _scene_music(scenes[k], np.random.default_rng([spec.seed, 2, k])),
                        range(len(scenes)))
        for sc, buf in zip(scenes, bufs, strict=True):
            i0 = round((sc.start_s - SCENE_PAD_S - t0) * FS)
            a, b = max(0, i0), min(n, i0 + buf.shape[0])
            music[a:b] += buf[a - i0:b - i0]
    music *= np.float32(10 ** (-24 / 20) / max(_rms(music), 1e-9))

    # Quiet passages: music ducked to quiet_db with 0.25 s ramps.
    rng_q = np.random.default_rng([spec.seed, 3])
    quiet: list[tuple[float, float]] = []
    count = max(1, round(spec.duration_s / spec.quiet_every_s))
    slot = spec.duration_s / count
    for k in range(count):
        length = rng_q.uniform(*spec.quiet_len_s)
        start = k * slot + rng_q.uniform(0.15, 0.85) * (slot - length)
        quiet.append((round(start, 3), round(start + length, 3)))
    floor = 10 ** (spec.quiet_db / 20)
    for a, b in quiet:
        i0, i1 = max(0, round((a - 0.25 - t0) * FS)), min(n, round((b + 0.25 - t0) * FS))
        tt = t0 + np.arange(i0, i1) / FS
        music[i0:i1] *= np.interp(tt, [a - 0.25, a, b, b + 0.25], [1.0, floor, floor, 1.0]
                                  ).astype(np.float32)[:, None]

    # Effects at random times, kept out of the quiet passages.
    rng_fx = np.random.default_rng([spec.seed, 4])
    fx = np.zeros((n, 2), np.float32)
    t = t0 + rng_fx.uniform(1, 5)
    while t < t0 + n / FS - 2:
        kind = rng_fx.choice(["burst", "burst", "sweep", "impact"])
        x = {"burst": _burst, "sweep": _sweep, "impact": _impact}[str(kind)](rng_fx)
        end = t + len(x) / FS
        if not any(a - 0.5 < end and t < b + 0.5 for a, b in quiet):
            x = x / np.max(np.abs(x)) * rng_fx.uniform(0.12, 0.3)
            _add(fx, round((t - t0) * FS), x, rng_fx.uniform(-0.8, 0.8))
        t += rng_fx.uniform(3.0, 11.0)

    rng_amb = np.random.default_rng([spec.seed, 5])
    amb = np.stack([_pink(rng_amb, n), _pink(rng_amb, n)], axis=1)
    amb *= np.float32(10 ** (-50 / 20) / max(_rms(amb), 1e-9))
    bed = music
    bed += fx
    bed += amb
    return bed, scenes, quiet


@functools.lru_cache(maxsize=2)
def synthesize(spec: ProgrammeSpec) -> Programme:
    """The programme for ``spec`` (memoised: the cases of one build share it)."""
    bed, scenes, quiet = _synth_bed(spec)
    n = bed.shape[0]
    speech: dict[str, np.ndarray] = {}
    lines: dict[str, list[SpeechLine]] = {}
    for sp in (spec.speech_eng, spec.speech_ger):
        stem, ln = synthesize_speech(sp, n, -spec.pre_s, FS, seed=spec.seed)
        speech[sp.lang] = stem
        lines[sp.lang] = ln
    # One gain for every mix so no release clips (headroom for lossy codecs / time stretching).
    peak = 0.0
    for s in speech.values():
        for a in range(0, n, 1 << 20):
            peak = max(peak, float(np.max(np.abs(bed[a:a + (1 << 20)] + s[a:a + (1 << 20), None]))))
    g = np.float32(min(1.0, 0.7 / max(peak, 1e-9)))
    bed *= g
    for s in speech.values():
        s *= g
    return Programme(spec, bed, speech, lines, scenes, quiet)
