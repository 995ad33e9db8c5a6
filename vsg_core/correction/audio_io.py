"""ffmpeg I/O for audio correction: probe, decode to int32 PCM, encode int32 PCM to FLAC.

PCM is read from ffmpeg's stdout only (stderr is captured apart). A decoder can end on a partial sample, so
the byte count is trimmed to whole frames (buffer alignment) before the bytes are viewed as int32.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import MediaError
from ..log import JobLog
from ..runner import run

LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1(side)", 8: "7.1"}


@dataclass(frozen=True)
class AudioProps:
    sample_rate: int
    channels: int
    layout: str
    codec: str


def probe_audio(path: Path, ordinal: int = 0, log: JobLog | None = None) -> AudioProps:
    proc = run(["ffprobe", "-v", "error", "-select_streams", f"a:{ordinal}", "-show_entries",
                "stream=codec_name,channels,channel_layout,sample_rate", "-of", "json", str(path)], log,
               what=str(path))
    try:
        streams = json.loads(proc.stdout).get("streams", [])
    except ValueError:
        streams = []
    if not streams:
        raise MediaError(f"{path}: no audio stream {ordinal} (ffprobe found none); check the file")
    s = streams[0]
    ch = int(s.get("channels") or 2)
    sr = int(s.get("sample_rate") or 48000)
    layout = str(s.get("channel_layout") or LAYOUTS.get(ch, "stereo"))
    return AudioProps(sr, ch, layout, str(s.get("codec_name") or "?"))


def aligned_frames(data: bytes, channels: int) -> np.ndarray:
    """int32 frames × channels from raw s32le bytes; a trailing partial frame is dropped."""
    frame = 4 * channels
    usable = len(data) - len(data) % frame
    return np.frombuffer(data[:usable], dtype="<i4").reshape(-1, channels)


def decode_int32(path: Path, ordinal: int = 0, *, channels: int | None = None, sample_rate: int | None = None,
                 log: JobLog | None = None) -> np.ndarray:
    """Decode one audio stream to int32 PCM (frames × channels); ``channels=1`` downmixes to mono."""
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:a:{ordinal}"]
    if channels is not None:
        cmd += ["-ac", str(channels)]
    if sample_rate is not None:
        cmd += ["-ar", str(sample_rate)]
    cmd += ["-f", "s32le", "-"]
    ch = channels if channels is not None else probe_audio(path, ordinal, log).channels
    proc = run(cmd, log, binary=True, what=f"{path.name} audio stream {ordinal}")
    pcm = aligned_frames(proc.stdout, ch)
    if pcm.shape[0] == 0:
        raise MediaError(f"{path}: audio stream {ordinal} decoded to nothing")
    return pcm


def encode_flac(pcm: np.ndarray, props: AudioProps, out: Path, log: JobLog | None = None) -> Path:
    """Write int32 frames × channels as FLAC (lossless; 24-bit samples, ffmpeg's choice for s32 input) with
    the given rate and channel layout; written to a temporary name and renamed."""
    tmp = out.with_name(f".{out.name}.partial.flac")
    data = np.ascontiguousarray(pcm, dtype="<i4")
    try:
        run(["ffmpeg", "-y", "-nostdin", "-v", "error", "-f", "s32le", "-ar", str(props.sample_rate),
             "-ch_layout", props.layout, "-i", "-", "-map_metadata", "-1", "-fflags", "+bitexact",
             "-c:a", "flac", str(tmp)], log, input_bytes=data.tobytes(), what=str(out))
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def decode_mono_int32(path: Path, ordinal: int, sample_rate: int, log: JobLog | None = None) -> np.ndarray:
    """One audio stream downmixed to mono int32 at ``sample_rate``, read from ffmpeg straight into an array
    sized from the file's duration (no second copy of the samples; longer output is appended)."""
    import subprocess
    import tempfile

    proc = run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)], log,
               check=False, what=str(path))
    try:
        dur = float(str(proc.stdout).strip().splitlines()[0])
    except (ValueError, IndexError):
        dur = 0.0
    buf = np.empty(max(1 << 16, int((dur + 2.0) * sample_rate)), dtype="<i4")
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:a:{ordinal}", "-ac", "1", "-ar",
           str(sample_rate), "-f", "s32le", "-"]
    if log is not None:
        log.log("$ " + " ".join(cmd))
    extra: list[bytes] = []
    pos = 0
    with tempfile.TemporaryFile() as errf:
        dec = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errf)
        assert dec.stdout is not None
        try:
            mv = memoryview(buf).cast("B")
            while pos < len(mv):
                n = dec.stdout.readinto(mv[pos:])
                if not n:
                    break
                pos += n
            if pos == len(mv):
                while chunk := dec.stdout.read(1 << 20):
                    extra.append(chunk)
            code = dec.wait()
        finally:
            if dec.poll() is None:
                dec.kill()
                dec.wait()
        if code != 0:
            errf.seek(0)
            msg = errf.read().decode("utf-8", "replace").strip()[-500:]
            raise MediaError(f"{path}: audio stream {ordinal} could not be decoded ({msg}); check the file")
    if extra:
        tail = b"".join(extra)
        out = np.concatenate([buf[:pos // 4], aligned_frames(tail[:len(tail) - len(tail) % 4], 1)[:, 0]])
    else:
        out = buf[:pos // 4]
    if out.size == 0:
        raise MediaError(f"{path}: audio stream {ordinal} decoded to nothing")
    return out
