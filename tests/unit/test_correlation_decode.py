"""Decoding for the correlation (docs/analysis.md#decoding): stdout-only PCM, the trailing-bytes rule and its log line,
and windowed decoding that returns exactly the samples of a full decode. Runs the real ffmpeg on small files
encoded here (a missing ffmpeg fails the test)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from vsg_core.analysis import decode as dec
from vsg_core.log import JobLog
from vsg_core.tools import require

SR = 48000


def _encode(tmp: Path, name: str, codec_args: list[str], rate: int = SR, seconds: float = 40.0) -> Path:
    """A stereo test signal (noise + sweep, not periodic) encoded to MKV with ffmpeg."""
    ff = require("ffmpeg")["ffmpeg"]
    rng = np.random.default_rng(3)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    x = 0.2 * rng.standard_normal((n, 2)) + 0.3 * np.sin(2 * np.pi * (100 * t + 40 * t * t))[:, None]
    raw = tmp / f"{name}.f32"
    x.astype("<f4").tofile(raw)
    out = tmp / f"{name}.mkv"
    subprocess.run([ff, "-v", "error", "-y", "-f", "f32le", "-ar", str(rate), "-ac", "2", "-i", str(raw),
                    *codec_args, str(out)], check=True)
    return out


CODECS = {
    "ac3": ["-c:a", "ac3", "-b:a", "192k"],
    "flac": ["-c:a", "flac"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "128k"],
    "aac": ["-c:a", "aac", "-b:a", "128k"],
    "opus": ["-c:a", "libopus", "-b:a", "96k"],
}
EXACT = {"ac3": True, "flac": True, "mp3": True, "aac": False, "opus": False}
FRAMED = {"aac", "opus"}   # placed by packet index (decode.decode_windows_framed)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("decode")
    files = {k: _encode(tmp, k, v) for k, v in CODECS.items()}
    files["aac44"] = _encode(tmp, "aac44", CODECS["aac"], rate=44100)
    return files


WINDOWS = [dec.Window(-3000, 9000), dec.Window(5 * SR + 17, 4 * SR), dec.Window(13 * SR + 1, 6 * SR),
           dec.Window(33 * SR - 5, 9 * SR)]   # before the start, inside (unaligned), past the end


def _expected(full: np.ndarray, w: dec.Window) -> np.ndarray:
    out = np.zeros(w.length, dtype=np.float32)
    a, b = max(0, w.start), min(full.size, w.start + w.length)
    out[a - w.start:b - w.start] = full[a:b]
    return out


@pytest.mark.parametrize("codec", [*sorted(EXACT), "aac44"])
def test_windows_equal_full_decode(media: dict[str, Path], codec: str) -> None:
    path = media[codec]
    info = dec.probe(path)
    assert dec.seek_is_exact(info) is EXACT.get(codec, False)
    full = dec.decode_full(path, codec=info.codec)
    with dec.window_store(WINDOWS) as store:
        used = dec.decode_windows(info, store)
        assert used == ("seek" if EXACT.get(codec, False) else "framed" if codec in FRAMED else "stream")
        for i, w in enumerate(WINDOWS):
            got = store.load(i)
            if codec == "aac":
                _assert_aligned(got, _expected(full, w), f"{codec} window {i}")
            else:
                np.testing.assert_array_equal(got, _expected(full, w), err_msg=f"{codec} window {i}")
        if used == "stream":
            assert store.total_samples == full.size


def _assert_aligned(got: np.ndarray, want: np.ndarray, what: str) -> None:
    """Same samples at the same positions: the residual at the found position is a few % of the signal (the
    AAC decoder's noise substitution draws other random numbers than in the full decode) and at least 10×
    smaller than one sample to either side."""
    rms = float(np.sqrt(np.mean(want.astype(np.float64) ** 2)))

    def resid(shift: int) -> float:
        return float(np.sqrt(np.mean((np.roll(got, shift).astype(np.float64) - want) ** 2))) / rms

    r0 = resid(0)
    assert r0 < 0.1, (what, r0)
    assert min(resid(s) for s in range(-48, 49) if s) > 3 * r0, (what, r0)


@pytest.mark.parametrize("codec", ["aac", "opus"])
def test_framed_windows_are_placed_exactly(media: dict[str, Path], codec: str) -> None:
    """Many windows at irregular positions (every residue of the frame grid) decoded "framed": Opus equals
    the full decode sample for sample, AAC is at the same positions (noise substitution aside)."""
    path = media[codec]
    info = dec.probe(path)
    full = dec.decode_full(path, codec=info.codec)
    ws = [dec.Window(round(s * SR) + 37 * j, 2 * SR) for j, s in enumerate(np.arange(1.1, 37.0, 1.7))]
    with dec.window_store(ws) as store:
        assert dec.decode_windows(info, store) == "framed"
        for i, w in enumerate(ws):
            if codec == "opus":
                np.testing.assert_array_equal(store.load(i), _expected(full, w), err_msg=f"window {i}")
            else:
                _assert_aligned(store.load(i), _expected(full, w), f"window {i}")


@pytest.mark.parametrize("codec", ["aac", "opus"])
def test_seeking_is_not_exact_for_aac_and_opus(media: dict[str, Path], codec: str) -> None:
    """Why those codecs stream: a sought window is shifted (AAC: ms-rounded frame timestamps; Opus:
    pre-skip) — measured here, not assumed."""
    path = media[codec]
    info = dec.probe(path)
    full = dec.decode_full(path)
    ws = [dec.Window(round(s * SR) + 17, 3 * SR) for s in np.arange(2.3, 34.0, 3.1)]
    worst = 0.0
    with dec.window_store(ws) as store:
        dec.decode_windows(info, store, mode="seek")
        for i, w in enumerate(ws):
            worst = max(worst, float(np.abs(store.load(i) - _expected(full, w)).max()))
    assert worst > 1e-3


def test_trailing_bytes_rule_and_log() -> None:
    log = JobLog()
    assert dec._align(b"\0" * 4003, "film.mkv", log) == 4000
    assert log.lines[-1].endswith("[BUFFER ALIGNMENT] Trimmed 3 bytes from film.mkv (likely Opus/other codec)")
    n = len(log.lines)
    assert dec._align(b"\0" * 4000, "film.mkv", log) == 4000 and len(log.lines) == n


def test_full_decode_is_stdout_only_and_logged(media: dict[str, Path]) -> None:
    log = JobLog()
    x = dec.decode_full(media["flac"], log=log)
    assert x.dtype == np.float32 and x.size == 40 * SR
    assert any("$ " in ln and "-f f32le -" in ln for ln in log.lines)
    # every sample in place (no diagnostic text inside the PCM): ffmpeg's mono downmix is (L+R)/√2
    ff = require("ffmpeg")["ffmpeg"]
    st = np.frombuffer(subprocess.run([ff, "-v", "error", "-i", str(media["flac"]), "-f", "s16le", "-"],
                                      capture_output=True, check=True).stdout, "<i2").reshape(-1, 2) / 32768.0
    np.testing.assert_allclose(x, (st[:, 0] + st[:, 1]) * np.sqrt(0.5), rtol=0, atol=1e-4)


def test_missing_track_and_file_errors(media: dict[str, Path], tmp_path: Path) -> None:
    from vsg_core.errors import MediaError

    with pytest.raises(MediaError, match="no audio track a:3"):
        dec.probe(media["flac"], 3)
    with pytest.raises(MediaError, match="file not found"):
        dec.probe(tmp_path / "missing.mkv")
    junk = tmp_path / "notes.mkv"
    junk.write_text("not a media file")
    with pytest.raises(MediaError, match=r"notes\.mkv: ffprobe cannot read it"):
        dec.probe(junk)


def test_speed_hypotheses() -> None:
    pal = 25 / (24000 / 1001)
    s = dec.Speed(pal, "resample")
    assert s.effective == 48000 / 46034 and "asetrate=46034" in s.filter
    t = dec.Speed(pal, "tempo")
    assert t.effective == pal and "atempo=0.959040959" in t.filter


def test_decode_groups_split_long_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows adding up to more than PARALLEL_WINDOW_S go to several concurrent ffmpeg runs (one per CPU at
    most), in consecutive groups of about equal length that together hold every window once."""
    monkeypatch.setattr(dec, "cpu_count", lambda: 4)
    ref = dec.WindowStore([dec.Window(i * 100 * SR, 15 * SR) for i in range(10)], Path("."))
    assert dec.decode_groups(ref) == [list(range(10))]                      # 150 s: one run
    tgt = dec.WindowStore([dec.Window(i * 100 * SR, 45 * SR) for i in range(10)], Path("."))
    groups = dec.decode_groups(tgt)                                          # 450 s: three runs
    assert len(groups) == 3 and [i for g in groups for i in g] == list(range(10))
    assert max(len(g) for g in groups) - min(len(g) for g in groups) <= 1
    monkeypatch.setattr(dec, "cpu_count", lambda: 2)
    assert len(dec.decode_groups(tgt)) == 2


def test_whole_decode_is_kept_for_the_analysis(media: dict[str, Path]) -> None:
    """A track that is decoded whole (44.1 kHz AAC: no exact windows) is decoded once inside
    ``keep_whole_decodes``: the next request takes its windows from the kept samples, which equal a decode of
    their own; the kept file is removed when the block ends."""
    path = media["aac44"]
    info = dec.probe(path)
    full = dec.decode_full(path, codec=info.codec)
    later = [dec.Window(2 * SR + 5, 3 * SR), dec.Window(20 * SR, 5 * SR), dec.Window(38 * SR, 5 * SR)]
    lines: list[str] = []
    log = JobLog(callbacks=[lines.append])
    with dec.keep_whole_decodes():
        with dec.window_store(WINDOWS) as first:
            assert dec.decode_windows(info, first, log=log) == "stream"
        kept = dec._KEPT.get()
        assert kept is not None and len(kept.files) == 1
        (kept_path, samples), = kept.files.values()
        assert samples == full.size and kept_path.stat().st_size == 4 * full.size
        with dec.window_store(later) as second:
            assert dec.decode_windows(info, second, log=log) == "stream"
            for i, w in enumerate(later):
                np.testing.assert_array_equal(second.load(i), _expected(full, w), err_msg=f"window {i}")
            assert second.total_samples == full.size
    assert sum("$ " in ln and "ffmpeg" in ln for ln in lines) == 1, lines
    assert sum("windows taken from its whole decode" in ln for ln in lines) == 1
    assert not kept_path.exists() and not kept_path.parent.exists()
    assert dec._KEPT.get() is None



def test_two_tracks_decoded_whole_at_once_keep_their_own_samples(media: dict[str, Path], tmp_path: Path) -> None:
    """Two tracks that stream, decoded concurrently within one ``keep_whole_decodes`` (as a reference and a
    target of one analysis): each kept file holds its own track's samples."""
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    first = media["aac44"]
    second = tmp_path / "aac44_quieter.mkv"     # other samples: the same signal at half the level
    subprocess.run([require("ffmpeg")["ffmpeg"], "-v", "error", "-y", "-i", str(first), "-af", "volume=0.5",
                    "-c:a", "aac", "-b:a", "128k", str(second)], check=True)
    infos = [dec.probe(first), dec.probe(second)]
    fulls = [dec.decode_full(p, codec=i.codec) for p, i in zip((first, second), infos, strict=True)]
    with dec.keep_whole_decodes():
        def decode(info: dec.AudioInfo) -> None:
            with dec.window_store(WINDOWS) as store:
                dec.decode_windows(info, store)

        with ThreadPoolExecutor(max_workers=2) as ex:
            for f in [ex.submit(contextvars.copy_context().run, decode, info) for info in infos]:
                f.result()
        kept = dec._KEPT.get()
        assert kept is not None and len(kept.files) == 2
        paths = {path for path, _n in kept.files.values()}
        assert len(paths) == 2
        # two requests before either is filed get two names
        kept.lock(("x",))
        kept.lock(("y",))
        assert kept.new_file(4) != kept.new_file(4)
        for info, full in zip(infos, fulls, strict=True):
            with dec.window_store(WINDOWS) as store:
                dec.decode_windows(info, store)
                for i, w in enumerate(WINDOWS):
                    np.testing.assert_array_equal(store.load(i), _expected(full, w), err_msg=f"{info.path.name} {i}")
