"""The post-mux audit's windowed decoding against a full decode of the same muxed file (docs/audit.md#decoding).

Outputs are muxed with mkvmerge from default generated cases (no new case): the reference's FLAC and AC-3
tracks, AC-3 5.1 at +1235 ms, Opus at −987 ms and AAC at +733 ms (``--sync``, the track starts after the first
window's start or before 0); the 5-minute reach reference with an AAC release that starts 40.3 s late; and
three tracks cut short by ffmpeg (stream copy) at 20, 60 and 70 s. Each audit window's residual is compared with
the residual of the same window taken from a full presentation-timeline decode
(tests/integration/window_check.py: its own ffmpeg command), searched the same way (narrow, then the full
±10 s search where the narrow one does not confirm). Tolerance 1 ms: Matroska stores millisecond timestamps,
and a window that starts mid-track is placed by its first frame's rounded timestamp while the full decode
counts samples from the track's first frame (measured: 0.0001 ms on FLAC, AC-3, Opus; up to 0.83 ms on AAC,
whose 21.33 ms frames do not fall on whole milliseconds).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from window_check import decode

from vsg_core.log import JobLog
from vsg_core.pipeline import audit as A

pytestmark = [pytest.mark.media, pytest.mark.slow]

SR = 48_000


def _mux(out: Path, reference: Path, others: list[tuple[Path, int, int]]) -> Path:
    """``reference`` without subtitles and chapters plus each other file's audio track ``tid`` at ``sync`` ms."""
    cmd = ["mkvmerge", "-q", "-o", str(out), "-S", "--no-chapters", str(reference)]
    for path, tid, sync in others:
        cmd += ["-D", "-S", "-B", "--no-chapters", "-a", str(tid), "--sync", f"{tid}:{sync}", str(path)]
    subprocess.run(cmd, check=True)
    return out


def _audit(out: Path, tmp_path: Path) -> tuple[list[A.AudioResidual], list[int]]:
    info = A._identify(out, None)
    tracks = info["tracks"]
    log = JobLog(tmp_path / "audit.log")
    res = A.measure_residuals(out, [], tracks, log, None, info["container"]["properties"]["duration"] / 1e9)
    return res, [i for i, t in enumerate(tracks) if t["type"] == "audio"]


def _full_decode_windows(ref: np.ndarray, tgt: np.ndarray, starts_ms: list[int]) -> list[float | None]:
    """The audit's searches on windows cut from full decodes."""
    win = round(A.AUDIT_WINDOW_S * SR)

    def cut(x: np.ndarray, start: int, n: int) -> np.ndarray:
        out = np.zeros(n, np.float32)
        a, b = max(0, start), min(x.size, start + n)
        if b > a:
            out[a - start:b - start] = x[a:b]
        return out

    refs = [cut(ref, t * SR // 1000, win) for t in starts_ms]
    m = round(0.25 * SR)
    recs = A.narrow_search(refs, [cut(tgt, t * SR // 1000 - m, win + 2 * m) for t in starts_ms], starts_ms)
    redo = [k for k, r in enumerate(recs) if r is None]
    w = round(A.AUDIT_SEARCH_S * SR)
    wide = A.full_search([refs[k] for k in redo], [cut(tgt, starts_ms[k] * SR // 1000 - w, win + 2 * w)
                                                   for k in redo], [starts_ms[k] for k in redo])
    for k, r in zip(redo, wide, strict=True):
        recs[k] = r
    return [r.raw_delay_ms if r is not None and r.accepted else None for r in recs]


def _compare(out: Path, tmp_path: Path) -> list[A.AudioResidual]:
    res, audio = _audit(out, tmp_path)
    ref = decode(out, 0).astype(np.float32)
    for r in res:
        tgt = decode(out, audio.index(r.track_index)).astype(np.float32)
        assert r.duration_s == pytest.approx(tgt.size / SR, abs=0.002), "track end"
        starts = [round(w.start_s * 1000) for w in r.windows]
        full = _full_decode_windows(ref, tgt, starts)
        for w, f in zip(r.windows, full, strict=True):
            assert (w.residual_ms is None) == (f is None), (r.track_index, w, f)
            if f is not None:
                assert w.residual_ms == pytest.approx(f, abs=1.0), (r.track_index, w.start_s)
    return res


def test_windowed_audit_equals_the_full_decode(media_case, tmp_path: Path) -> None:
    ref = media_case("ref").reference
    pos, neg, dub = media_case("delay_pos"), media_case("delay_neg"), media_case("dub")
    out = _mux(tmp_path / "out.mkv", ref, [(pos.other, 1, 1235), (neg.other, 1, -987), (dub.other, 1, 733)])
    res = _compare(out, tmp_path)
    assert len(res) == 4 and all(r.ok for r in res), [r.reason for r in res]
    assert all(sum(w.residual_ms is not None for w in r.windows) >= 10 for r in res)


def test_windowed_audit_of_a_track_that_starts_late(media_case, tmp_path: Path) -> None:
    cf = media_case("reach_short_pos40")
    out = _mux(tmp_path / "late.mkv", cf.reference, [(cf.other, 1, 40321)])
    (r,) = _compare(out, tmp_path)
    assert r.ok and r.windows[0].start_s == 0.0 and r.windows[0].residual_ms is None   # silence before 40 s
    assert sum(w.residual_ms is not None for w in r.windows) >= 8


def test_truncated_tracks_fail_the_shortfall_rule(media_case, tmp_path: Path) -> None:
    """Cut at 20 s, 60 s and 70 s: with the +1235 ms sync they end at about 21.2 s, 61.2 s and 71.2 s (inside a
    window or between two of them: both ways of finding the end). The file's grid has one window in the
    first 21.2 s: that track gets the grid of its own length instead; the one ending at 71.2 s gets a window
    ending there, decoded apart (the file's 15 s tail does not hold it)."""
    ref = media_case("ref").reference
    pos = media_case("delay_pos").other
    cuts = []
    for s in (20, 60, 70):
        piece = tmp_path / f"cut{s}.mka"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(pos), "-map", "0:a:0", "-c", "copy",
                        "-t", str(s), str(piece)], check=True)
        cuts.append((piece, 0, 1235))
    out = _mux(tmp_path / "short.mkv", ref, [(pos, 1, 1235), *cuts])
    res = _compare(out, tmp_path)
    *whole, cut20, cut60, cut70 = res      # the reference's AC-3 track, the uncut AC-3 5.1, the cut ones
    assert len(whole) == 2 and all(r.ok for r in whole)
    own = A.window_starts_ms(cut20.duration_s)
    assert len(cut20.windows) == len(own) >= 2
    assert abs(cut20.windows[-1].start_s * 1000 - own[-1]) <= 1
    for r, s in zip((cut20, cut60, cut70), (20, 60, 70), strict=True):
        assert not r.ok and r.duration_s == pytest.approx(s + 1.235, abs=0.1)
        assert f"the track ends at {r.duration_s:.1f} s" in r.reason
        assert all(w.start_s + A.AUDIT_WINDOW_S <= r.duration_s for w in r.windows)
        # the last window ends near the track's end, also where the file's tail does not hold it (decoded apart)
        assert r.windows[-1].start_s + 2 * A.AUDIT_WINDOW_S >= r.duration_s
