"""Audio correction end to end on generated media, checked independently of vsg's own QA and audit.

After ``vsg sync`` the muxed corrected track and the reference audio track are decoded by ffmpeg on their
presentation timelines, and every 10-second window of the reference is located in the corrected track by a
GCC-PHAT cross-correlation written here (not vsg's correlator). Tolerance: 2 ms, 5 ms where the source was
made by a pitch-preserving time-stretch (PAL). Windows whose correlation peak is weak (quiet passages, the
filled gap) are not judged, but at least 85 % of the windows must be judged.

Clicks: at every splice of a stepping correction, the largest sample-to-sample jump within ±2 ms of the join
must not exceed the track's typical large jump (99.9th percentile of |x[n] − x[n−1]| over the whole track).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from vsg_core.cli import main as vsg_main

pytestmark = pytest.mark.slow

SR = 48_000
WINDOW_S = 10.0
SEARCH_S = 0.1
MIN_PEAK_RATIO = 10.0     # measured: 16–48 on PAL, 150–420 on drift, 580–1420 on stepping windows


def _decode(path: Path, ordinal: int, presentation: bool = True) -> np.ndarray:
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:a:{ordinal}"]
    if presentation:
        cmd += ["-af", "aresample=async=1:min_hard_comp=0.000001:first_pts=0"]
    cmd += ["-ac", "1", "-ar", str(SR), "-f", "f32le", "-"]
    data = subprocess.run(cmd, check=True, capture_output=True).stdout
    return np.frombuffer(data[:len(data) - len(data) % 4], dtype="<f4").astype(np.float64)


def _lag_ms(ref: np.ndarray, tgt: np.ndarray, start: int) -> tuple[float, float] | None:
    """(lag of the reference window inside the target in ms, peak / median of |correlation|) by GCC-PHAT
    (whitened cross-spectrum: robust to the phase changes of a pitch-preserving time-stretch); None when the
    window does not fit."""
    n, m = int(WINDOW_S * SR), int(SEARCH_S * SR)
    if start - m < 0 or start + n + m > len(tgt) or start + n > len(ref):
        return None
    r = ref[start:start + n]
    t = tgt[start - m:start + n + m]
    size = 1 << int(np.ceil(np.log2(len(t) + n)))
    x = np.fft.rfft(t, size) * np.conj(np.fft.rfft(r, size))
    x /= np.abs(x) + 1e-12
    c = np.fft.irfft(x, size)[:2 * m + 1]
    k = int(np.argmax(c))
    frac = 0.0
    if 0 < k < 2 * m:
        y0, y1, y2 = c[k - 1], c[k], c[k + 1]
        den = y0 - 2 * y1 + y2
        frac = 0.5 * (y0 - y2) / den if den != 0 else 0.0
    return (k + frac - m) * 1000.0 / SR, float(c[k] / (np.median(np.abs(c)) + 1e-12))


def _sync(ref: Path, other: Path, out: Path, capsys) -> dict:
    code = vsg_main(["sync", str(ref), str(other), "-o", str(out), "--json", "-q"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data.get("error")
    return data


# Cases the current analysis cannot diagnose completely; the correction must refuse them (QA), not mux them.
# step_both_opus: the 24 s segment between the cut (62 s) and the insert (88 s) holds one analysis chunk, so the
# diagnosis reports two segments instead of three; 4 of the 30 QA chunks are then found 2000 ms away.
REFUSED = {"step_both_opus"}
# Cases the current analysis does not diagnose as STEPPING at all (so no correction runs). This records the limit
# and must be turned into a full check once the diagnosis sees them.
# step_insert_quiet_flac: the insert is at 47.5 s; only 2 of the 10 analysis chunks precede it and the "normal"
# quality preset rejects a 2-chunk cluster, so the diagnosis is UNIFORM.
NOT_DIAGNOSED = {"step_insert_quiet_flac": "UNIFORM"}

CASES = [("stepping", "STEPPING", 2.0), ("pal", "PAL_DRIFT", 5.0), ("drift", "LINEAR_DRIFT", 2.0),
         ("step_insert_quiet_flac", "STEPPING", 2.0), ("step_cut_dialogue_aac", "STEPPING", 2.0),
         ("step_both_opus", "STEPPING", 2.0), ("pal_resample_flac", "PAL_DRIFT", 2.0),
         ("pal_stretch_ac3", "PAL_DRIFT", 5.0), ("drift_neg_flac", "LINEAR_DRIFT", 2.0),
         ("drift_pos_opus", "LINEAR_DRIFT", 2.0), ("step_adbreak_ac3", "STEPPING", 2.0)]


@pytest.mark.parametrize(("case", "kind", "tol_ms"), CASES)
def test_corrected_track_in_sync_everywhere(media_case, tmp_path, capsys, case: str, kind: str, tol_ms: float
                                            ) -> None:
    ref_files = media_case("ref")
    files = media_case(case)
    out = tmp_path / f"{case}.mkv"
    if case in NOT_DIAGNOSED:
        code = vsg_main(["analyze", str(ref_files.reference), str(files.other), "--json"])
        got = json.loads(capsys.readouterr().out)
        src = next(iter(got["sources"].values())) if isinstance(got["sources"], dict) else got["sources"][0]
        assert code == 0 and src["diagnosis"] == NOT_DIAGNOSED[case], src["diagnosis"]
        return
    if case in REFUSED:
        code = vsg_main(["sync", str(ref_files.reference), str(files.other), "-o", str(out), "--json", "-q"])
        data = json.loads(capsys.readouterr().out)
        assert code != 0 and data["status"] == "Failed" and "failed QA" in data["error"], data["error"]
        assert not out.exists()
        return
    data = _sync(ref_files.reference, files.other, out, capsys)
    corr = data["corrections"]
    assert [c["kind"] for c in corr] == [kind] and corr[0]["applied"] and corr[0]["qa"]["passed"]
    assert data["audit"]["issues"] == []
    # output audio: Source 1 FLAC (0), Source 1 AC-3 (1), corrected Source 2 (2)
    ref = _decode(out, 0)
    tgt = _decode(out, 2)
    judged, lags = 0, []
    starts = range(int(1 * SR), len(ref) - int((WINDOW_S + 1) * SR), int(WINDOW_S * SR))
    for s in starts:
        got = _lag_ms(ref, tgt, s)
        if got is None or got[1] < MIN_PEAK_RATIO:
            continue
        judged += 1
        lags.append((s / SR, got[0]))
    assert judged >= 0.85 * len(starts), f"only {judged} of {len(starts)} windows could be judged"
    worst = max(abs(lag) for _t, lag in lags)
    assert worst <= tol_ms, f"window lags (s, ms): {[(t, round(x, 3)) for t, x in lags]}"

    if kind == "STEPPING":
        pcm = _decode(out, 2, presentation=False)
        jumps = np.abs(np.diff(pcm))
        typical = float(np.percentile(jumps, 99.9))
        align = corr[0]["align_ms"]
        kept = [s for s in corr[0]["segments"] if s["action"] == "kept"]
        assert len(kept) == len(files.truth.sync.segments)
        # every true delay change has a splice next to it (snapping moves a splice only inside the stretch that
        # both sides explain equally, e.g. a quiet gap: allow 1 s)
        edges = [s["reference_start_s"] for s in kept[1:]] + [s["reference_end_s"] for s in kept[:-1]]
        for b in files.truth.sync.boundaries_ref_s:
            assert min(abs(e - b) for e in edges) <= 1.0, (b, edges)
        joins = [s["reference_start_s"] for s in kept[1:]] + [s["reference_end_s"] for s in kept[:-1]]
        for at in joins:
            join = round((at - align / 1000.0) * SR)
            near = jumps[max(0, join - 96):join + 96]
            assert near.size and float(near.max()) <= typical, (join / SR, float(near.max()), typical)
