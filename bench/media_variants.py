"""Bench-only media derived from the generated 24-minute episode (not test media; built once, cached).

* ``codec_variant(case, codec)``: the episode's other release re-encoded to another codec of the generator
  (``vsg_core.testmedia.encode.CODECS``) with the generator's codec-delay compensation, so its decoded audio
  is the AC-3 release's decoded audio: the delay truth is the episode's.
* ``looped_film(case, codec, loops)``: reference and other release both made of their first ``LOOP_S``
  seconds repeated ``loops`` times (6 → 2.4 hours). Within each loop the delay is the episode's; only the
  ``|delay|`` seconds after each seam differ, which chunks placed 14.4 minutes apart seldom touch.

Files go to ``$VSG_BENCH_CACHE`` (default ``<repo>/.cache/bench``); audio-only Matroska via mkvmerge.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from vsg_core.testmedia.encode import CODECS, codec_offset
from vsg_core.testmedia.programme import FS

ROOT = Path(__file__).resolve().parents[1]
LOOP_S = 1430
BENCH_CODECS = ("flac", "ac3", "eac3", "aac", "opus", "mp3_low")


def bench_cache() -> Path:
    d = Path(os.environ.get("VSG_BENCH_CACHE", ROOT / ".cache" / "bench"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def _encode_pcm_stream(src: Path, out: Path, codec_key: str, loops: int, seconds: float | None) -> None:
    """Decode ``src`` audio (stereo float, 48 kHz), advance it by the codec's offset, optionally cut to
    ``seconds`` and repeat ``loops`` times, encode with the generator's codec settings and mux."""
    codec = CODECS[codec_key]
    cache = Path(os.environ.get("VSG_MEDIA_CACHE", ROOT / ".cache" / "testmedia" / "v2"))
    skip = codec_offset(codec, cache)
    with tempfile.TemporaryDirectory(dir=bench_cache()) as td:
        raw = Path(td) / "a.f32"
        trim = f"atrim=start_sample={skip}" + (f":end_sample={skip + round(seconds * FS)}" if seconds else "")
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(src), "-map", "0:a:0", "-af",
                        trim, "-ac", str(codec.channels), "-ar", str(FS), "-f", "f32le", str(raw)], check=True)
        es = Path(td) / f"a.{codec.ext}"
        enc = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(FS),
                                "-ch_layout", codec.layout, "-i", "-", *codec.ffmpeg_args, str(es)],
                               stdin=subprocess.PIPE)
        assert enc.stdin is not None
        for _ in range(loops):
            with raw.open("rb") as f:
                while block := f.read(1 << 24):
                    enc.stdin.write(block)
        enc.stdin.close()
        if enc.wait() != 0:
            raise RuntimeError(f"ffmpeg failed encoding {out.name}")
        tmp = out.with_suffix(".tmp.mkv")
        r = subprocess.run(["mkvmerge", "-q", "-o", str(tmp), str(es)])
        if r.returncode not in (0, 1):
            raise RuntimeError(f"mkvmerge failed writing {out.name}")
        tmp.replace(out)


def codec_variant(other: Path, codec_key: str) -> Path:
    out = bench_cache() / f"{other.stem}_{codec_key}.mkv"
    if not out.is_file():
        _encode_pcm_stream(other, out, codec_key, 1, None)
    return out


def looped_film(reference: Path, other: Path, codec_key: str, loops: int = 6) -> tuple[Path, Path]:
    ref = bench_cache() / f"{reference.stem}_loop{loops}.mkv"
    if not ref.is_file():
        _encode_pcm_stream(reference, ref, "flac", loops, LOOP_S)
    tgt = bench_cache() / f"{other.stem}_loop{loops}_{codec_key}.mkv"
    if not tgt.is_file():
        _encode_pcm_stream(other, tgt, codec_key, loops, LOOP_S)
    return ref, tgt
