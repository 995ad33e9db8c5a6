"""Encoding and muxing: audio codecs (with measured codec-delay compensation), ASS subtitles, Matroska
chapter XML and the final mkvmerge mux.

Codec delay compensation: encoders prime their output (AAC 1024 samples, AC-3 256, MP3 ≈ 2257 in an
MKV without a gapless header …). Unless the container signals it (Opus does, via CodecDelay) the decoded
stream starts that many samples late. For each codec the generator measures the offset ``c`` once
(seeded noise → ffmpeg encode → mkvmerge → ``ffmpeg -ac 1 -ar 48000`` decode → cross-correlation) and
feeds the encoder the wanted PCM advanced by ``c`` samples, so the *decoded* audio of every release is
exactly the intended audio (its first sample is the intended first sample). The measured ``c`` is
recorded in the ground truth (``codec_offset_samples``).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import CommandError, ToolMissingError
from ..tools import install_hint
from .cache import write_json_atomic
from .programme import FS


@dataclass(frozen=True)
class AudioCodec:
    key: str                      # short id used in case parameters
    ffmpeg_args: tuple[str, ...]  # encoder options
    ext: str                      # elementary-stream file extension mkvmerge reads
    channels: int
    mkv_codec: str                # codec name `mkvmerge -J` reports
    label: str                    # human description (track name)
    lossless: bool = False

    @property
    def layout(self) -> str:
        return {1: "mono", 2: "stereo", 6: "5.1"}[self.channels]


CODECS: dict[str, AudioCodec] = {c.key: c for c in (
    AudioCodec("flac", ("-c:a", "flac", "-sample_fmt", "s16", "-compression_level", "5"), "flac", 2,
               "FLAC", "FLAC 2.0", lossless=True),
    AudioCodec("ac3_51", ("-c:a", "ac3", "-b:a", "448k"), "ac3", 6, "AC-3", "AC-3 5.1 448 kbps"),
    AudioCodec("ac3", ("-c:a", "ac3", "-b:a", "192k"), "ac3", 2, "AC-3", "AC-3 2.0 192 kbps"),
    AudioCodec("eac3", ("-c:a", "eac3", "-b:a", "224k"), "eac3", 2, "E-AC-3", "E-AC-3 2.0 224 kbps"),
    AudioCodec("aac", ("-c:a", "aac", "-b:a", "192k"), "aac", 2, "AAC", "AAC-LC 2.0 192 kbps"),
    AudioCodec("aac_pal", ("-c:a", "aac", "-b:a", "160k"), "aac", 2, "AAC", "AAC-LC 2.0 160 kbps"),
    AudioCodec("opus", ("-c:a", "libopus", "-b:a", "128k"), "opus", 2, "Opus", "Opus 2.0 128 kbps"),
    AudioCodec("opus96", ("-c:a", "libopus", "-b:a", "96k"), "opus", 2, "Opus", "Opus 2.0 96 kbps"),
    AudioCodec("mp3_low", ("-c:a", "libmp3lame", "-b:a", "40k"), "mp3", 2, "MP3", "MP3 2.0 40 kbps"),
)}


def _missing(exe: str) -> ToolMissingError:
    name = Path(exe).name
    return ToolMissingError(f"program not found: {exe}; {install_hint([name])}")


def _check(proc: subprocess.CompletedProcess, what: str, ok: Sequence[int] = (0,)) -> None:
    if proc.returncode not in ok:
        err = proc.stderr.decode(errors="replace") if isinstance(proc.stderr, bytes) else str(proc.stderr)
        out = (proc.stdout.decode(errors="replace") if isinstance(proc.stdout, bytes)
               else str(proc.stdout or ""))
        tail = (err.strip() or out.strip())[-400:]
        raise CommandError(f"{what} failed with exit code {proc.returncode}: {tail}", proc.returncode, err)


def _run(cmd: Sequence[str], what: str, ok: Sequence[int] = (0,)) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(list(cmd), capture_output=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise _missing(cmd[0]) from None
    _check(proc, what, ok)
    return proc


def encode_audio(path: Path, pcm: np.ndarray, codec: AudioCodec, ffmpeg: str = "ffmpeg") -> None:
    """Encode float PCM (samples × channels, 48 kHz) to the elementary stream ``path``."""
    if pcm.shape[1] != codec.channels:
        raise ValueError(f"{codec.key} wants {codec.channels} channels, got {pcm.shape[1]}")
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(FS), "-ch_layout", codec.layout,
           "-i", "-", *codec.ffmpeg_args, "-fflags", "+bitexact", "-flags:a", "+bitexact", str(path)]
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise _missing(ffmpeg) from None
    assert proc.stdin is not None and proc.stderr is not None
    data = np.ascontiguousarray(pcm, dtype="<f4")
    step = FS * 10
    try:
        for a in range(0, data.shape[0], step):
            proc.stdin.write(data[a:a + step].tobytes())
        proc.stdin.close()
    except BrokenPipeError:
        pass
    err = proc.stderr.read().decode(errors="replace")
    rc = proc.wait()
    if rc != 0:
        raise CommandError(f"ffmpeg failed with exit code {rc} while encoding {path.name} ({codec.label}): "
                           f"{err.strip()[-300:]}", rc, err)


def decode_mono(path: Path, ordinal: int = 0, ffmpeg: str = "ffmpeg") -> np.ndarray:
    """Audio track ``ordinal`` of ``path`` decoded as 48 kHz mono float32 (ffmpeg's default downmix)."""
    proc = _run([ffmpeg, "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:a:{ordinal}", "-ac", "1",
                 "-ar", str(FS), "-f", "f32le", "-"], f"ffmpeg decode of {path.name}")
    return np.frombuffer(proc.stdout, dtype="<f4")


# --------------------------------------------------------------------------------------------- calibration

_cal_lock = threading.Lock()
_cal_mem: dict[str, int] = {}


def _tool_versions(ffmpeg: str, mkvmerge: str) -> str:
    a = _run([ffmpeg, "-version"], "ffmpeg -version").stdout.decode(errors="replace").splitlines()[0]
    b = _run([mkvmerge, "--version"], "mkvmerge --version").stdout.decode(errors="replace").splitlines()[0]
    return f"{a} | {b}"


def _measure_offset(codec: AudioCodec, ffmpeg: str, mkvmerge: str) -> int:
    rng = np.random.default_rng(12345)
    n = 5 * FS
    mono = rng.standard_normal(n).astype(np.float32) * 0.1
    mono[: FS // 2] = 0  # silence first, so priming/padding cannot wrap into the measurement
    pcm = np.repeat(mono[:, None], codec.channels, axis=1)
    with tempfile.TemporaryDirectory(prefix="vsg-cal-") as d:
        es = Path(d) / f"cal.{codec.ext}"
        mkv = Path(d) / "cal.mkv"
        encode_audio(es, pcm, codec, ffmpeg)
        _run([mkvmerge, "-q", "-o", str(mkv), str(es)], f"mkvmerge (calibration of {codec.label})", ok=(0, 1))
        y = decode_mono(mkv, 0, ffmpeg)
    m = min(len(y), n)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    cc = np.fft.irfft(np.fft.rfft(y[:m], size) * np.conj(np.fft.rfft(mono[:m], size)), size)
    max_lag = 8192
    lags = np.concatenate([np.arange(0, max_lag), np.arange(-max_lag, 0)])
    vals = np.concatenate([cc[:max_lag], cc[-max_lag:]])
    k = int(np.argmax(vals))
    norm = float(vals[k] / np.sqrt(np.dot(mono[:m], mono[:m]) * np.dot(y[:m], y[:m]) + 1e-20))
    if norm < 0.2:
        raise CommandError(f"could not measure the codec delay of {codec.label} (peak {norm:.2f})")
    return int(lags[k])


def codec_offset(codec: AudioCodec, cache: Path, ffmpeg: str = "ffmpeg", mkvmerge: str = "mkvmerge") -> int:
    """Samples by which the decoded stream lags the encoder input (measured once, cached on disk)."""
    with _cal_lock:
        versions = _tool_versions(ffmpeg, mkvmerge)
        key = f"{codec.key}|{'/'.join(codec.ffmpeg_args)}|{codec.channels}|{versions}"
        if key in _cal_mem:
            return _cal_mem[key]
        path = cache / "codec_offsets.json"
        table: dict[str, int] = {}
        if path.exists():
            try:
                table = {str(k): int(v) for k, v in json.loads(path.read_text()).items()}
            except (ValueError, OSError, AttributeError):
                table = {}
        if key not in table:
            table[key] = _measure_offset(codec, ffmpeg, mkvmerge)
            cache.mkdir(parents=True, exist_ok=True)
            write_json_atomic(path, table)
        _cal_mem[key] = table[key]
        return table[key]


# --------------------------------------------------------------------------------------------- subs/chapters


def _ass_time(t: float) -> str:
    cs = round(t * 100)
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def write_ass(path: Path, events: Sequence[tuple[float, float, str]], title: str
              ) -> list[tuple[float, float, str]]:
    """Write an ASS file; returns the events with the times as written (centiseconds)."""
    head = (
        "[Script Info]\n"
        f"Title: {title}\n"
        "ScriptType: v4.00+\n"
        "WrapStyle: 0\n"
        "PlayResX: 320\n"
        "PlayResY: 180\n"
        "ScaledBorderAndShadow: yes\n\n"
        "[V4+ Styles]\n"
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
        "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
        "Alignment, MarginL, MarginR, MarginV, Encoding\n"
        "Style: Default,Arial,14,&H00FFFFFF,&H000000FF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,1,0,"
        "2,10,10,8,1\n\n"
        "[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    )
    written: list[tuple[float, float, str]] = []
    lines = [head]
    for a, b, text in events:
        sa, sb = _ass_time(a), _ass_time(b)
        lines.append(f"Dialogue: 0,{sa},{sb},Default,,0,0,0,,{text}\n")
        written.append((round(a * 100) / 100, round(b * 100) / 100, text))
    path.write_text("".join(lines), encoding="utf-8")
    return written


def _chapter_time(ms: int) -> str:
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}000000"


def write_chapters(path: Path, chapters: Sequence[tuple[float, str]], lang: str, uid_seed: int
                   ) -> list[tuple[float, str]]:
    """Matroska chapter XML with deterministic UIDs; returns the chapters with times as written (ms)."""
    rng = np.random.default_rng([uid_seed, 77])
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE Chapters SYSTEM "matroskachapters.dtd">\n',
           "<Chapters>\n  <EditionEntry>\n",
           f"    <EditionUID>{int(rng.integers(1, 2**53))}</EditionUID>\n"]
    written: list[tuple[float, str]] = []
    for t, title in chapters:
        ms = round(t * 1000)
        out.append("    <ChapterAtom>\n"
                   f"      <ChapterUID>{int(rng.integers(1, 2**53))}</ChapterUID>\n"
                   f"      <ChapterTimeStart>{_chapter_time(ms)}</ChapterTimeStart>\n"
                   "      <ChapterDisplay>\n"
                   f"        <ChapterString>{title}</ChapterString>\n"
                   f"        <ChapterLanguage>{lang}</ChapterLanguage>\n"
                   "      </ChapterDisplay>\n"
                   "    </ChapterAtom>\n")
        written.append((ms / 1000, title))
    out.append("  </EditionEntry>\n</Chapters>\n")
    path.write_text("".join(out), encoding="utf-8")
    return written


# --------------------------------------------------------------------------------------------- mux


@dataclass(frozen=True)
class MuxInput:
    path: Path
    language: str
    name: str
    sync_ms: int = 0          # mkvmerge --sync 0:+N (container delay)
    default: bool = True


def mux(out: Path, video: Path, audios: Sequence[MuxInput], subs: Sequence[MuxInput],
        chapters: Path | None, title: str, seed: int, mkvmerge: str = "mkvmerge") -> None:
    """mkvmerge the parts into ``out``; track ids follow the argument order (video 0, audios, subs)."""
    cmd = [mkvmerge, "-q", "--deterministic", str(seed), "-o", str(out), "--title", title]
    if chapters is not None:
        cmd += ["--chapters", str(chapters)]
    cmd += ["--language", "0:und", "--track-name", "0:Video", str(video)]
    for a in [*audios, *subs]:
        cmd += ["--language", f"0:{a.language}", "--track-name", f"0:{a.name}",
                "--default-track-flag", f"0:{'yes' if a.default else 'no'}"]
        if a.sync_ms:
            cmd += ["--sync", f"0:{a.sync_ms:+d}"]
        cmd.append(str(a.path))
    _run(cmd, f"mkvmerge writing {out.name}", ok=(0, 1))
