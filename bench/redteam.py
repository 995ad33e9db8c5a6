"""Red-team release pairs that vsg's own generator (vsg_core/testmedia) does not make, scored against the
truth they were built with.

    python bench/redteam.py [--cache DIR] [--only NAME,…] [--no-sync] [--list] [--json FILE]

Material (seeded, independent of the generator): dialogue spoken by espeak-ng in several English voices
and a dub in German/French/Spanish voices; music made of chord pads and a strictly periodic drum loop
(one-shot samples from ffmpeg's ``anoisesrc`` / ``aevalsrc``, the same sample on every beat, as drum
machines do); long quiet stretches of room tone; 5.1 mixes with the dialogue in the centre channel.

Releases: MP4/M4A (AAC, ALAC), MPEG-TS (AC-3 5.1, MP2 mono), AVI and MKA with PCM s24le, 44.1 kHz, DTS,
TrueHD, Vorbis in WebM; constant delays from 0.5 s to 40 s, a missing recap, an inserted ad break, PAL
speed-up by resampling, by ffmpeg ``atempo`` and by rubberband, slow linear drift, files cut with
``head -c``, silence-only and noise-only releases, another programme and another episode sharing the
title music.

Truth: each release's content offset is known by construction; the encoder priming that its container
does not signal (AC-3 256 samples, …) is measured once per codec/container/rate/layout by encoding
seeded noise the same way and cross-correlating a full ffmpeg decode with it (numpy, not vsg), and is
added to the truth, because a player plays that priming too.

Each case runs ``vsg analyze --json`` (and ``vsg sync`` for the cases marked so) and prints a table:
case, truth, vsg's answer, verdict, wall time. Everything is built into ``--cache`` (default
``<repo>/.cache/redteam``, env VSG_REDTEAM_CACHE) once; a rebuilt material seed rebuilds everything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import signal

ROOT = Path(__file__).resolve().parents[1]
VSG = str(ROOT / ".venv" / "bin" / "vsg")
SR = 48000
PRE = 60.0        # master timeline: programme time -PRE … POST
POST = 300.0
REF_DUR = 240.0   # the reference shows programme 0 … REF_DUR
FILM = 24000 / 1001
PAL = 25 * 1001 / 24000  # 25 / 23.976 = 1.0427083…
VERSION = "rt-4"  # bump to rebuild everything

EN = (
    "Keep the engine running, we are not staying long.",
    "The last train to the coast left twenty minutes ago.",
    "I counted the boxes twice and one of them is missing.",
    "She never told anyone where the money came from.",
    "Turn left at the bakery and follow the river to the bridge.",
    "We should have called the police the moment we saw the car.",
    "How long have you been standing in the rain?",
    "The museum closes at six, so we have exactly one hour.",
    "Nobody remembers the name of the first lighthouse keeper.",
    "Give me the keys and wait for me by the gate.",
    "The signal is weak, but somebody is definitely transmitting.",
    "Three witnesses, three different stories, and not one of them is true.",
    "Your brother called again this morning, he sounded worried.",
    "If the bridge is closed, we take the mountain road.",
    "That painting has been hanging upside down for forty years.",
    "Write everything down, every name, every number.",
    "I am telling you, the clock in the tower stopped at midnight.",
    "The harbour master wants the ship gone before the storm.",
    "Open the window, it is far too warm in here.",
    "We found footprints in the snow leading away from the cabin.",
)
DUB = {
    "de": ("Lass den Motor laufen, wir bleiben nicht lange.",
           "Der letzte Zug zur Küste ist vor zwanzig Minuten gefahren.",
           "Ich habe die Kisten zweimal gezählt, und eine fehlt.", "Sie hat nie jemandem erzählt, woher das Geld kam.",
           "Biegen Sie an der Bäckerei links ab und folgen Sie dem Fluss.",
           "Wir hätten sofort die Polizei rufen sollen.",
           "Wie lange stehst du schon im Regen?", "Das Museum schließt um sechs, wir haben genau eine Stunde."),
    "fr-fr": ("Laisse tourner le moteur, nous ne restons pas longtemps.", "Le dernier train pour la côte est parti.",
              "J'ai compté les caisses deux fois, il en manque une.", "Elle n'a jamais dit d'où venait l'argent.",
              "Tournez à gauche à la boulangerie et suivez la rivière.", "Personne ne se souvient du premier gardien."),
    "es": ("Deja el motor encendido, no nos quedamos mucho.", "El último tren a la costa salió hace veinte minutos.",
           "Conté las cajas dos veces y falta una.", "Nunca le dijo a nadie de dónde venía el dinero.",
           "Dame las llaves y espérame junto a la puerta.", "La señal es débil, pero alguien está transmitiendo."),
}
EN_VOICES = ("en-us", "en-gb", "en-gb-scotland", "en-029", "en-us-nyc", "en-gb-x-rp")


# ---------------------------------------------------------------- tools

def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, capture_output=True, stdin=subprocess.DEVNULL, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({p.returncode}): {p.stderr.decode(errors='replace')[-600:]}")
    return p


def lavfi(graph: str, dur: float) -> np.ndarray:
    """Mono float32 at SR from an ffmpeg lavfi source graph."""
    p = run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", graph, "-t", f"{dur}", "-ac", "1",
             "-ar", str(SR), "-f", "f32le", "-"])
    return np.frombuffer(p.stdout, dtype="<f4").astype(np.float32)


def espeak(text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        wav = Path(d) / "s.wav"
        run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(wav), text])
        p = run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(wav), "-ac", "1", "-ar", str(SR), "-f", "f32le", "-"])
    x = np.frombuffer(p.stdout, dtype="<f4").astype(np.float32)
    nz = np.flatnonzero(np.abs(x) > 1e-4)
    x = x[nz[0]:nz[-1] + 1] if nz.size else x
    return x / (np.max(np.abs(x)) + 1e-9)


# ---------------------------------------------------------------- material

@dataclass
class Stems:
    speech: np.ndarray   # dialogue (centre)
    music: np.ndarray    # music bed
    room: np.ndarray     # room tone
    kick: np.ndarray     # LFE-ish low end of the drums


def n_master() -> int:
    return round((PRE + POST) * SR)


def idx(t: float) -> int:
    """Master sample index of programme time t."""
    return round((t + PRE) * SR)


def _samples(rng_seed: int) -> dict[str, np.ndarray]:
    """Drum one-shots made by ffmpeg sources with envelopes (the same sample on every hit)."""
    kick = lavfi("aevalsrc='0.9*sin(2*PI*(45*t+60*(1-exp(-t*30))/30))*exp(-t*9)':s=48000", 0.45)
    snare = lavfi(f"anoisesrc=c=white:a=0.6:seed={rng_seed}:r=48000,bandpass=f=1800:w=1.2,"
                  "volume='exp(-t*22)':eval=frame", 0.30)
    hat = lavfi(f"anoisesrc=c=white:a=0.5:seed={rng_seed + 1}:r=48000,highpass=f=7000,"
                "volume='exp(-t*60)':eval=frame", 0.08)
    # volume's eval=frame steps per frame: shape the envelope here too
    for s, k in ((snare, 22), (hat, 60)):
        s *= np.exp(-np.arange(s.size) / SR * k).astype(np.float32)
    return {"kick": kick, "snare": snare, "hat": hat}


def _pad(rng: np.random.Generator, dur: float) -> np.ndarray:
    """Chord pad: a seeded progression, a chord every 1.5–4 s, soft attack and release, slight detune."""
    out = np.zeros(int(dur * SR), np.float32)
    t0 = 0.0
    while t0 < dur:
        length = float(rng.uniform(1.5, 4.0))
        root = 110.0 * 2 ** (int(rng.integers(0, 12)) / 12)
        chord = (0, 4, 7) if rng.random() < 0.6 else (0, 3, 7, 10)
        n = int(min(length, dur - t0) * SR)
        t = np.arange(n) / SR
        env = np.minimum(1.0, t / 0.25) * np.minimum(1.0, (n / SR - t) / 0.4).clip(0, 1)
        tone = np.zeros(n)
        for st in chord:
            f = root * 2 ** (st / 12)
            for h, a in ((1, 1.0), (2, 0.35), (3, 0.15)):
                tone += a * np.sin(2 * np.pi * f * h * (1 + rng.uniform(-0.002, 0.002)) * t + rng.uniform(0, 6.28))
        a = int(t0 * SR)
        out[a:a + n] += (0.06 * env * tone).astype(np.float32)
        t0 += length
    return out


def _groove(rng: np.random.Generator, dur: float, smp: dict[str, np.ndarray],
            bpm: float) -> tuple[np.ndarray, np.ndarray]:
    """A strictly periodic two-bar drum loop (+ bass), repeated sample-exactly: (music, low end)."""
    beat = 60.0 / bpm
    bar2 = round(8 * beat * SR)
    loop = np.zeros(bar2, np.float32)
    low = np.zeros(bar2, np.float32)

    def put(buf, x, at):
        a = round(at * SR)
        m = min(x.size, buf.size - a)
        buf[a:a + m] += x[:m]
    bass_root = 55.0 * 2 ** (int(rng.integers(0, 7)) / 12)
    for b in range(8):
        if b % 2 == 0 or rng.random() < 0.3:
            put(low, 0.8 * smp["kick"], b * beat)
        if b % 2 == 1:
            put(loop, 0.5 * smp["snare"], b * beat)
        for e in range(2):
            put(loop, 0.25 * smp["hat"], b * beat + e * beat / 2)
        n = int(beat * SR * 0.9)
        t = np.arange(n) / SR
        f = bass_root * (1.5 if b in (3, 7) else 1.0)
        put(low, (0.25 * np.sin(2 * np.pi * f * t) * np.exp(-t * 3)).astype(np.float32), b * beat)
    reps = int(np.ceil(dur * SR / bar2))
    return np.tile(loop, reps)[:int(dur * SR)], np.tile(low, reps)[:int(dur * SR)]


def _speech(rng: np.random.Generator, lines: list[tuple[float, str, str, float]]) -> np.ndarray:
    out = np.zeros(n_master(), np.float32)
    for t, text, voice, gain in lines:
        x = espeak(text, voice, int(rng.integers(135, 195)), int(rng.integers(25, 75)))
        a = idx(t)
        m = min(x.size, out.size - a)
        if m > 0:
            out[a:a + m] += 0.45 * gain * x[:m]
    return out


SCENES = ("talk_pad", "talk_groove", "quiet", "music", "talk_pad", "quiet", "talk_groove", "talk_pad",
          "music", "talk_pad", "quiet", "talk_groove")


def build_programme(seed: int, theme: dict | None = None) -> dict[str, np.ndarray]:
    """Master stems over programme time -PRE … POST: 'en' dialogue, 'dub' dialogue, 'music', 'room', 'low'.

    Layout: title music (groove + pad) at 0 … 32 s; then scenes of 15–45 s: dialogue over a pad, dialogue
    over the groove, music only (groove), or a quiet stretch (room tone, occasional far-off line).
    """
    rng = np.random.default_rng(seed)
    smp = _samples(seed % 1000 + 7)
    n = n_master()
    music = np.zeros(n, np.float32)
    low = np.zeros(n, np.float32)
    en_lines: list[tuple[float, str, str, float]] = []
    dub_lines: list[tuple[float, str, str, float]] = []
    dub_langs = list(DUB)
    t = -PRE
    kinds = []
    while t < POST:
        if 0.0 <= t < 32.0:
            kind, length = "title", 32.0 - t if t >= 0 else 32.0
        else:
            kind = (SCENES[sum(k[0] >= 32 for k in kinds) % len(SCENES)] if t >= 0
                    else str(rng.choice(["talk_pad", "music"])))
            length = float(rng.uniform(15, 45)) if kind != "quiet" else float(rng.uniform(20, 35))
        if t < 0 < t + length and kind != "title":
            length = -t  # the title starts exactly at 0
        length = min(length, POST - t)
        a, m = idx(t), int(length * SR)
        m = min(m, n - a)
        if kind == "title":
            th = theme or {}
            grng = np.random.default_rng(th.get("seed", seed))
            g, lo = _groove(grng, length, _samples(th.get("seed", seed) % 1000 + 7), th.get("bpm", 118.0))
            p = _pad(np.random.default_rng(th.get("seed", seed) + 1), length)
            music[a:a + m] += g[:m] + p[:m]
            low[a:a + m] += lo[:m]
        elif kind in ("talk_pad", "talk_groove", "music"):
            if kind != "talk_pad":
                g, lo = _groove(rng, length, smp, float(rng.uniform(90, 140)))
                music[a:a + m] += 0.7 * g[:m]
                low[a:a + m] += 0.7 * lo[:m]
            if kind == "talk_pad":  # "music" is the drum loop alone: strictly periodic
                music[a:a + m] += _pad(rng, length)[:m]
        kinds.append((t, kind, length))
        if kind.startswith("talk") or (kind == "quiet" and rng.random() < 0.5):
            s = t + float(rng.uniform(0.5, 2.0))
            while s < t + length - 3:
                gain = 1.0 if kind != "quiet" else 0.15  # a far-off line in a quiet stretch
                en_lines.append((s, str(rng.choice(EN)), str(rng.choice(EN_VOICES)), gain))
                lang = dub_langs[int(rng.integers(0, len(dub_langs)))]
                dub_lines.append((s + float(rng.uniform(-0.4, 0.6)), str(rng.choice(DUB[lang])), lang, gain))
                s += float(rng.uniform(3.0, 6.5)) if kind != "quiet" else length
        t += length
    room = lavfi(f"anoisesrc=c=pink:a=0.004:seed={seed}:r=48000", PRE + POST)[:n]
    room = np.pad(room, (0, n - room.size))
    return {"en": _speech(rng, en_lines), "dub": _speech(np.random.default_rng(seed + 99), dub_lines),
            "music": music, "room": room, "low": low, "kinds": np.array([(k[0], k[2]) for k in kinds])}


def mix(st: dict[str, np.ndarray], lang: str, channels: int) -> np.ndarray:
    """(channels, n) float32 mix. 5.1 order FL FR FC LFE BL BR: dialogue in the centre."""
    sp, mu, ro, lo = st[lang], st["music"], st["room"], st["low"]
    if channels == 6:
        amb = np.roll(mu, int(0.023 * SR)) * 0.15
        return np.stack([0.35 * mu + ro + 0.15 * lo, 0.35 * mu + ro + 0.15 * lo, 0.5 * sp + 0.2 * ro, 0.5 * lo,
                         amb + ro, amb - ro]).astype(np.float32)
    m = 0.5 * (sp + mu + lo) + ro
    if channels == 1:
        return m[None, :].astype(np.float32)
    return np.stack([m + 0.03 * mu, m - 0.03 * mu]).astype(np.float32)


# ---------------------------------------------------------------- encoding

@dataclass(frozen=True)
class Fmt:
    container: str           # file extension
    codec: tuple[str, ...]   # ffmpeg audio options
    rate: int = SR
    channels: int = 2
    video_fps: str | None = None  # "24000/1001", "25" or None (audio only)
    vcodec: tuple[str, ...] = ("-c:v", "libx264", "-preset", "ultrafast", "-crf", "40", "-g", "48",
                               "-pix_fmt", "yuv420p")

    def key(self) -> str:
        return f"{self.container}|{' '.join(self.codec)}|{self.rate}|{self.channels}"


def encode(pcm: np.ndarray, fmt: Fmt, out: Path, af: str | None = None, pre: Callable | None = None) -> None:
    """Encode a (channels, n) 48 kHz float32 mix into ``out`` (video when fmt.video_fps)."""
    ch, n = pcm.shape
    with tempfile.TemporaryDirectory(dir=out.parent) as d:
        raw = Path(d) / "a.raw"
        np.ascontiguousarray(pcm.T).astype("<f4").tofile(raw)
        src = raw
        if pre is not None:  # an external tool (rubberband) on a WAV
            src = pre(raw, ch, Path(d))
        layout = {1: "mono", 2: "stereo", 6: "5.1"}[ch]
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
        if src.suffix == ".raw":
            cmd += ["-f", "f32le", "-ar", str(SR), "-ch_layout", layout, "-i", str(src)]
        else:
            cmd += ["-i", str(src)]
        dur = n / SR
        if fmt.video_fps:
            cmd += ["-f", "lavfi", "-i", f"testsrc2=s=160x90:r={fmt.video_fps}"]
        cmd += ["-map", "0:a"] + (["-map", "1:v", "-shortest"] if fmt.video_fps else [])
        filt = [af] if af else []
        if fmt.channels != ch:
            cmd += ["-ac", str(fmt.channels)]
        if filt:
            cmd += ["-af", ",".join(filt)]
        cmd += ["-ar", str(fmt.rate), *fmt.codec]
        if fmt.video_fps:
            cmd += [*fmt.vcodec, "-t", f"{dur + 1:.3f}"]
        tmp = out.with_name(out.stem + ".part" + out.suffix)
        run([*cmd, str(tmp)])
        tmp.replace(out)


def rubberband_pre(time_ratio: float) -> Callable:
    def pre(raw: Path, ch: int, d: Path) -> Path:
        wav, out = d / "in.wav", d / "rb.wav"
        layout = {1: "mono", 2: "stereo", 6: "5.1"}[ch]
        run(["ffmpeg", "-nostdin", "-v", "error", "-f", "f32le", "-ar", str(SR), "-ch_layout", layout, "-i", str(raw),
             "-c:a", "pcm_f32le", str(wav)])
        run(["rubberband", "-q", "-t", f"{time_ratio:.9f}", str(wav), str(out)])
        return out
    return pre


def decode_mono(path: Path) -> np.ndarray:
    p = run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", str(SR),
             "-f", "f32le", "-"])
    return np.frombuffer(p.stdout, dtype="<f4").astype(np.float64)


def xcorr_lag(a: np.ndarray, b: np.ndarray) -> float:
    """Sub-sample lag (samples) of b's content relative to a's: b[n] ≈ a[n − lag]."""
    n = 1 << int(np.ceil(np.log2(a.size + b.size)))
    c = np.fft.irfft(np.fft.rfft(b, n) * np.conj(np.fft.rfft(a, n)), n)
    k = int(np.argmax(c))
    y1, y2, y3 = c[k - 1], c[k], c[(k + 1) % n]
    den = y1 - 2 * y2 + y3
    frac = 0.5 * (y1 - y3) / den if den != 0 else 0.0
    lag = k if k < n // 2 else k - n
    return lag + frac


def priming_ms(fmt: Fmt, cache: Path) -> float:
    """How late a full ffmpeg decode of fmt plays its first intended sample (ms), measured on seeded noise."""
    store = cache / "priming.json"
    known = json.loads(store.read_text()) if store.exists() else {}
    if fmt.key() in known:
        return known[fmt.key()]
    rng = np.random.default_rng(1234)
    sig = signal.lfilter([1.0], [1.0, -0.6], rng.standard_normal(8 * SR)).astype(np.float32) * 0.1
    sig[: SR // 2] *= np.linspace(0, 1, SR // 2)
    pcm = np.repeat(sig[None, :], fmt.channels if fmt.channels != 6 else 6, axis=0)
    cal = Fmt(fmt.container, fmt.codec, fmt.rate, fmt.channels, None)
    with tempfile.TemporaryDirectory(dir=cache) as d:
        out = Path(d) / f"cal.{fmt.container}"
        encode(pcm, cal, out)
        dec = decode_mono(out)
    lag = xcorr_lag(sig[SR: 7 * SR].astype(np.float64), dec[SR: 7 * SR])
    known[fmt.key()] = lag / SR * 1000.0
    store.write_text(json.dumps(known, indent=1))
    return known[fmt.key()]


# ---------------------------------------------------------------- cases

@dataclass
class Case:
    name: str
    what: str
    fmt: Fmt | None = None
    segments: list[tuple[float, float]] = field(default_factory=list)  # programme spans, in order (main stems)
    inserts: dict[int, tuple[int, float, float]] = field(default_factory=dict)  # after span i: other seed span
    lang: str = "en"
    channels: int = 2
    af: str | None = None
    pre: Callable | None = None
    seed: int | None = None        # material from another programme
    kind: str = "constant"         # constant / stepping / pal / drift / refuse / broken / truncated
    delay_ms: float = 0.0          # truth (content) at the start
    steps: list[float] = field(default_factory=list)  # later segment delays (stepping)
    slope_ms_s: float = 0.0        # drift / PAL
    truncate: float | None = None  # keep this fraction of the bytes (head -c)
    sync: bool = False
    special: str | None = None     # "silence" / "noise"
    ref: str = "ref"               # which reference


MAIN, OTHER = 20261130, 777
D = REF_DUR


def seg(start: float, dur: float = D) -> list[tuple[float, float]]:
    return [(start, start + dur)]


CASES: list[Case] = [
    Case("mp4_aac_pos", "MP4 (H.264 + AAC 2.0 44.1 kHz), +1234.5 ms", Fmt("mp4", ("-c:a", "aac", "-b:a", "160k"), 44100,
         video_fps="24000/1001"), seg(1.2345), delay_ms=1234.5, sync=True),
    Case("m4a_alac_neg", "M4A ALAC 2.0, −2718.25 ms", Fmt("m4a", ("-c:a", "alac"), 48000), seg(-2.71825),
         delay_ms=-2718.25),
    Case("ts_ac3_51", "MPEG-TS (H.264 + AC-3 5.1, dialogue in C), +12345.625 ms",
         Fmt("ts", ("-c:a", "ac3", "-b:a", "448k"), channels=6, video_fps="24000/1001"), seg(12.345625), channels=6,
         delay_ms=12345.625, sync=True),
    Case("ts_mp2_mono", "MPEG-TS MP2 mono 48 kHz, −500.25 ms", Fmt("ts", ("-c:a", "mp2", "-b:a", "128k"), channels=1),
         seg(-0.50025), channels=1, delay_ms=-500.25),
    Case("avi_pcm24_441", "AVI (H.264 + PCM s24le 2.0 44.1 kHz), +500 ms",
         Fmt("avi", ("-c:a", "pcm_s24le"), 44100, video_fps="24000/1001"), seg(0.5), delay_ms=500.0, sync=True),
    Case("mka_pcm24_51", "MKA PCM s24le 5.1, −7.5 ms", Fmt("mka", ("-c:a", "pcm_s24le"), channels=6), seg(-0.0075),
         channels=6, delay_ms=-7.5),
    Case("mkv_dts_51_neg40", "MKV DTS 5.1 (ffmpeg dca), −40 s (another programme's 40 s in front)",
         Fmt("mkv", ("-c:a", "dca", "-strict", "-2", "-b:a", "1509k"), channels=6), [(0.0, D)],
         inserts={-1: (OTHER, 100.0, 140.0)}, channels=6, delay_ms=-40000.0, sync=True),
    Case("mkv_truehd_51", "MKV TrueHD 5.1, +7.777 ms", Fmt("mkv", ("-c:a", "truehd", "-strict", "-2"), channels=6),
         seg(0.007777), channels=6, delay_ms=7.777),
    Case("webm_vorbis_dub", "WebM Vorbis, dub (de/fr/es voices over the same music), +3210.875 ms",
         Fmt("webm", ("-c:a", "libvorbis", "-q:a", "4")), seg(3.210875), lang="dub", delay_ms=3210.875, sync=True),
    Case("mp4_aac_pos40", "MP4 AAC, first 40 s missing: +40 s", Fmt("mp4", ("-c:a", "aac", "-b:a", "128k")),
         [(40.0, D + 20)], delay_ms=40000.0),
    Case("mka_flac441_neg05", "MKA FLAC 44.1 kHz, −0.5 s", Fmt("mka", ("-c:a", "flac"), 44100), seg(-0.5),
         delay_ms=-500.0),
    Case("recap_cut", "MKV E-AC-3, recap missing (first 60 s cut): +60 s", Fmt("mkv", ("-c:a", "eac3", "-b:a", "224k")),
         [(60.0, D)], delay_ms=60000.0),
    Case("adbreak_ts", "MPEG-TS AC-3 2.0, 60 s ad (another programme) inserted at 100 s; +250 ms before",
         Fmt("ts", ("-c:a", "ac3", "-b:a", "192k")), [(0.25, 100.25), (100.25, D + 0.25)],
         inserts={0: (OTHER, 30.0, 90.0)}, kind="stepping", delay_ms=250.0, steps=[250.0 - 60000.0], sync=True),
    Case("pal_asetrate", "PAL 23.976→25 by asetrate+aresample (pitch follows), 25 fps video, MKV AC-3",
         Fmt("mkv", ("-c:a", "ac3", "-b:a", "192k"), video_fps="25"), seg(0.0, D + 12),
         af=f"asetrate={SR * PAL:.6f},aresample={SR}",
         kind="pal", slope_ms_s=(1 - 1 / PAL) * 1000, sync=True),
    Case("pal_atempo", "PAL 23.976→25 by ffmpeg atempo (pitch kept), 25 fps video, MP4 AAC",
         Fmt("mp4", ("-c:a", "aac", "-b:a", "160k"), video_fps="25"), seg(0.0, D + 12), af=f"atempo={PAL:.9f}",
         kind="pal", slope_ms_s=(1 - 1 / PAL) * 1000),
    Case("pal_rubberband", "PAL 23.976→25 by rubberband (pitch kept), 25 fps video, MKV E-AC-3",
         Fmt("mkv", ("-c:a", "eac3", "-b:a", "224k"), video_fps="25"), seg(0.0, D + 12), pre=rubberband_pre(1 / PAL),
         kind="pal", slope_ms_s=(1 - 1 / PAL) * 1000, sync=True),
    Case("pal_rubberband_noVideo", "PAL tempo by rubberband, audio-only MKA FLAC (no frame rate to read)",
         Fmt("mka", ("-c:a", "flac")), seg(0.0, D + 12), pre=rubberband_pre(1 / PAL), kind="pal",
         slope_ms_s=(1 - 1 / PAL) * 1000),
    Case("drift_40ppm", "linear drift +40 ppm (audio clock fast), MKV AC-3, −120.5 ms at 0",
         Fmt("mkv", ("-c:a", "ac3", "-b:a", "192k")), seg(-0.1205, D + 1),
         af=f"asetrate={SR * 1.00004:.4f},aresample={SR}",
         kind="drift", delay_ms=-120.5, slope_ms_s=(1 - 1 / 1.00004) * 1000),
    Case("drift_m100ppm_flac", "linear drift −100 ppm (slow clock), MKA FLAC, +333.25 ms at 0",
         Fmt("mka", ("-c:a", "flac")), seg(0.33325, D + 1), af=f"asetrate={SR * 0.9999:.4f},aresample={SR}",
         kind="drift", delay_ms=333.25, slope_ms_s=(1 - 1 / 0.9999) * 1000, sync=True),
    Case("trunc_mkv", "MKV (H.264 + AC-3) +800 ms, cut at 55 % of its bytes with head -c",
         Fmt("mkv", ("-c:a", "ac3", "-b:a", "192k"), video_fps="24000/1001"), seg(0.8), delay_ms=800.0,
         kind="truncated", truncate=0.55, sync=True),
    Case("trunc_mp4", "MP4 (H.264 + AAC) +800 ms, cut at 55 % (moov at the end: unreadable)",
         Fmt("mp4", ("-c:a", "aac", "-b:a", "128k"), video_fps="24000/1001"), seg(0.8), delay_ms=800.0,
         kind="broken", truncate=0.55, sync=True),
    Case("trunc_ts", "MPEG-TS AC-3 +800 ms, cut at 40 % mid-packet", Fmt("ts", ("-c:a", "ac3", "-b:a", "192k")),
         seg(0.8), delay_ms=800.0, kind="truncated", truncate=0.40),
    Case("silence_only", "a 'release' of digital silence (MKV AC-3 + video)",
         Fmt("mkv", ("-c:a", "ac3", "-b:a", "192k"), video_fps="24000/1001"), seg(0.0), kind="refuse",
         special="silence", sync=True),
    Case("noise_only", "a 'release' of pink noise at −20 dBFS (MP4 AAC)", Fmt("mp4", ("-c:a", "aac", "-b:a", "128k")),
         seg(0.0), kind="refuse", special="noise"),
    Case("other_programme", "another programme (other seed), MKV AC-3", Fmt("mkv", ("-c:a", "ac3", "-b:a", "192k")),
         seg(0.0), seed=OTHER, kind="refuse", sync=True),
    Case("other_episode", "another episode with the same title music (first 32 s identical), M4A AAC",
         Fmt("m4a", ("-c:a", "aac", "-b:a", "160k")), seg(0.0), seed=4242, kind="refuse"),
    Case("ref_mp4_vs_flac", "reference = MP4 (H.264 + AAC 44.1 kHz); other = MKA FLAC −1500.125 ms",
         Fmt("mka", ("-c:a", "flac")), seg(-1.500125), delay_ms=-1500.125, ref="ref_mp4", sync=True),
    Case("mp4_aac51_side", "MP4 AAC 5.1(side) (program config element), +2222.25 ms",
         Fmt("mp4", ("-c:a", "aac", "-b:a", "320k"), channels=6), seg(2.22225), channels=6,
         af="aformat=channel_layouts=5.1(side)", delay_ms=2222.25, sync=True),
]


# ---------------------------------------------------------------- building

_PROG: dict[int, dict[str, np.ndarray]] = {}


def programme(seed: int) -> dict[str, np.ndarray]:
    if seed not in _PROG:
        theme = {"seed": MAIN, "bpm": 118.0} if seed == 4242 else None
        _PROG[seed] = build_programme(seed, theme)
    return _PROG[seed]


def cut(st: dict[str, np.ndarray], lang: str, ch: int, a: float, b: float) -> np.ndarray:
    m = mix(st, lang, ch)
    return m[:, idx(a):idx(b)]


def case_pcm(c: Case) -> np.ndarray:
    st = programme(c.seed or MAIN)
    parts = []
    if -1 in c.inserts:
        s, a, b = c.inserts[-1]
        parts.append(cut(programme(s), "en", c.channels, a, b))
    for i, (a, b) in enumerate(c.segments):
        parts.append(cut(st, c.lang, c.channels, a, b))
        if i in c.inserts:
            s, x, y = c.inserts[i]
            parts.append(cut(programme(s), "en", c.channels, x, y))
    pcm = np.concatenate(parts, axis=1)
    if c.special == "silence":
        pcm = np.zeros_like(pcm)
    elif c.special == "noise":
        noise = lavfi("anoisesrc=c=pink:a=0.1:seed=5:r=48000", pcm.shape[1] / SR)
        pcm = np.repeat(noise[None, : pcm.shape[1]], pcm.shape[0], axis=0)
    return pcm


def fingerprint(c: Case) -> str:
    d = {k: v for k, v in c.__dict__.items() if k not in ("pre", "sync", "what")}
    d["pre"] = c.pre.__closure__[0].cell_contents if c.pre is not None else None
    return hashlib.sha1((VERSION + repr(d)).encode()).hexdigest()[:12]


def build_refs(cache: Path) -> dict[str, Path]:
    refs = {"ref": (Fmt("mkv", ("-c:a", "flac"), video_fps="24000/1001"), cache / "ref.mkv"),
            "ref_mp4": (Fmt("mp4", ("-c:a", "aac", "-b:a", "192k"), 44100, video_fps="24000/1001"),
                        cache / "ref_mp4.mp4")}
    for _name, (fmt, path) in refs.items():
        stamp = path.with_suffix(".stamp")
        if not (path.exists() and stamp.exists() and stamp.read_text() == VERSION):
            encode(cut(programme(MAIN), "en", 2, 0.0, D), fmt, path)
            stamp.write_text(VERSION)
    return {k: v[1] for k, v in refs.items()}


def build_case(c: Case, cache: Path) -> Path:
    assert c.fmt is not None
    out = cache / f"{c.name}.{c.fmt.container}"
    stamp = cache / f"{c.name}.stamp"
    fp = fingerprint(c)
    if out.exists() and stamp.exists() and stamp.read_text() == fp:
        return out
    full = out if c.truncate is None else cache / f"{c.name}.full.{c.fmt.container}"
    encode(case_pcm(c), c.fmt, full, c.af, c.pre)
    if c.truncate is not None:
        size = full.stat().st_size
        with open(out, "wb") as f:
            subprocess.run(["head", "-c", str(int(size * c.truncate)), str(full)], stdout=f, check=True)
    stamp.write_text(fp)
    return out


# ---------------------------------------------------------------- judging

@dataclass
class Verdict:
    ok: bool
    answer: str
    note: str = ""


def _fmt_delay(x: float | None) -> str:
    return "—" if x is None else f"{x:+.3f}"


def truth_text(c: Case, prim: float) -> str:
    if c.kind in ("constant", "truncated"):
        return f"UNIFORM {c.delay_ms - prim:+.3f}" + (" (or clear refusal)" if c.kind == "truncated" else "")
    if c.kind == "stepping":
        return f"STEPPING {c.delay_ms - prim:+.1f} → " + ", ".join(f"{s - prim:+.1f}" for s in c.steps)
    if c.kind == "pal":
        return f"PAL_DRIFT {c.slope_ms_s:+.2f} ms/s"
    if c.kind == "drift":
        return f"LINEAR_DRIFT {c.slope_ms_s:+.3f} ms/s, {c.delay_ms - prim:+.1f} at 0"
    if c.kind == "refuse":
        return "refused (NO_MATCH/INSUFFICIENT_DATA)"
    return "clear error, no traceback"


REFUSED = ("NO_MATCH", "INSUFFICIENT_DATA")


def judge(c: Case, prim: float, rc: int, out: dict | None, stderr: str) -> Verdict:
    if "Traceback" in stderr:
        return Verdict(False, "TRACEBACK", stderr.strip().splitlines()[-1][:120])
    if out is None or not out.get("sources"):
        msg = (stderr.strip().splitlines() or ["(no output)"])[-1][:140]
        return Verdict(c.kind in ("broken", "truncated", "refuse") and rc != 0, f"error rc={rc}", msg)
    s = out["sources"][0]
    diag, raw, drift = s.get("diagnosis"), s.get("raw_delay_ms"), s.get("drift_ms_per_s")
    ans = f"{diag} {_fmt_delay(raw)}"
    if drift is not None:
        ans += f" ({drift:+.3f} ms/s)"
    if s.get("error"):
        ans += f" [{str(s['error'])[:90]}]"
    want = c.delay_ms - prim
    if c.kind in ("constant", "truncated"):
        if diag in REFUSED and c.kind == "truncated":
            return Verdict(True, ans, "refused")
        ok = diag == "UNIFORM" and raw is not None and abs(raw - want) <= 1.0
        return Verdict(ok, ans, "" if ok else f"off by {raw - want:+.3f} ms" if raw is not None else "")
    if c.kind == "stepping":
        segs = s.get("segments") or []
        got = [g.get("raw_delay_ms") for g in segs]
        ans += " segs " + ", ".join(f"{g:+.1f}" for g in got if g is not None)
        wanted = [want] + [x - prim for x in c.steps]
        ok = diag == "STEPPING" and len(got) == len(wanted) and all(
            g is not None and abs(g - w) <= 1.0 for g, w in zip(got, wanted, strict=True))
        return Verdict(ok, ans)
    if c.kind == "pal":
        ok = diag == "PAL_DRIFT" and drift is not None and abs(drift - c.slope_ms_s) <= 0.02 * abs(c.slope_ms_s)
        return Verdict(ok, ans)
    if c.kind == "drift":
        ok = diag == "LINEAR_DRIFT" and drift is not None and abs(drift - c.slope_ms_s) <= 0.25 * abs(c.slope_ms_s)
        return Verdict(ok, ans)
    if c.kind == "refuse":
        return Verdict(diag in REFUSED, ans)
    return Verdict(False, ans, "broken input was analysed")


def analyze(ref: Path, other: Path) -> tuple[int, dict | None, str, float]:
    t = time.perf_counter()
    p = subprocess.run([VSG, "analyze", "--json", str(ref), str(other)], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    try:
        out = json.loads(p.stdout) if p.stdout.strip() else None
    except json.JSONDecodeError:
        out = None
    return p.returncode, out, p.stderr, wall


def sync(ref: Path, other: Path, work: Path, c: Case) -> tuple[str, bool, float]:
    out = work / f"{c.name}.out.mkv"
    if out.exists():
        out.unlink()
    t = time.perf_counter()
    p = subprocess.run([VSG, "sync", "--json", str(ref), str(other), "-o", str(out)], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    tb = "Traceback" in p.stderr or "Traceback" in p.stdout
    try:
        js = json.loads(p.stdout)
    except json.JSONDecodeError:
        js = None
    status, detail = "?", ""
    if isinstance(js, dict):
        jobs = js.get("jobs") or [js]
        j = jobs[0] if jobs else {}
        status = str(j.get("status"))
        detail = str(j.get("error") or "")[:110]
    want_rc = {"refuse": 1, "broken": 1}.get(c.kind, 0)
    # a truncated release: refused (1) or muxed with the audit naming the short track (3)
    ok = not tb and (p.returncode == want_rc or (c.kind == "truncated" and p.returncode in (1, 3)))
    ans = (f"rc={p.returncode} {status}" + (f" {detail}" if detail and p.returncode else "")
           + (" TRACEBACK" if tb else ""))
    if out.exists():
        out.unlink()
    return ans, ok, wall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_cache = Path(__file__).resolve().parents[1] / ".cache" / "redteam"
    ap.add_argument("--cache", default=os.environ.get("VSG_REDTEAM_CACHE", str(default_cache)))
    ap.add_argument("--only", default="", help="comma-separated case names")
    ap.add_argument("--no-sync", action="store_true")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--json", default="", help="write the results here")
    a = ap.parse_args(argv)
    cases = [c for c in CASES if not a.only or c.name in a.only.split(",")]
    if a.list:
        for c in CASES:
            print(f"{c.name:24s} {c.kind:10s} {c.what}")
        return 0
    for tool in ("ffmpeg", "espeak-ng", "rubberband", "mkvmerge"):
        if shutil.which(tool) is None:
            sys.exit(f"redteam: {tool} not found; install it (./setup_env.sh installs it)")
    cache = Path(a.cache)
    cache.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    refs = build_refs(cache)
    paths = {c.name: build_case(c, cache) for c in cases}
    ref_fmts = {"ref": Fmt("mkv", ("-c:a", "flac")), "ref_mp4": Fmt("mp4", ("-c:a", "aac", "-b:a", "192k"), 44100)}
    prims = {c.name: priming_ms(c.fmt, cache) - priming_ms(ref_fmts[c.ref], cache) for c in cases if c.fmt is not None}
    print(f"built in {time.perf_counter() - t0:.1f} s ({cache})", flush=True)
    if a.build_only:
        return 0
    rows, fails = [], 0
    work = cache / "out"
    work.mkdir(exist_ok=True)
    for c in cases:
        ref = refs[c.ref]
        rc, out, err, wall = analyze(ref, paths[c.name])
        v = judge(c, prims[c.name], rc, out, err)
        row = {"case": c.name, "truth": truth_text(c, prims[c.name]), "answer": v.answer, "ok": bool(v.ok),
               "note": v.note, "time_s": round(wall, 2), "rc": rc}
        if c.sync and not a.no_sync:
            sans, sok, swall = sync(ref, paths[c.name], work, c)
            row.update(sync=sans, sync_ok=bool(sok), sync_time_s=round(swall, 2))
        rows.append(row)
        fails += (not v.ok) + (not row.get("sync_ok", True))
        print(f"{c.name:24s} {'PASS' if v.ok else 'FAIL'} {wall:5.1f}s  truth: {row['truth']}\n"
              f"{'':24s} vsg: {v.answer} {v.note}"
              + (f"\n{'':24s} sync: {row['sync']} ({'PASS' if row['sync_ok'] else 'FAIL'}, {row['sync_time_s']:.1f}s)"
                 if "sync" in row else ""), flush=True)
    print(f"\n{len(rows)} cases, {fails} failures, {time.perf_counter() - t0:.0f} s in all")
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
