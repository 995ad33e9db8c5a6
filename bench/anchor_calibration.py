"""Calibration of the guided pass's anchor location: a coarse search at 8 kHz, then 48 kHz ±0.25 s there.

    .venv/bin/python bench/anchor_calibration.py [--chunks 40] [--json out.json]

The signals are those of bench/confidence_calibration.py: the reference mix of the synthetic programme against
positives (the same programme delayed and degraded: lossless, AC-3, AAC, Opus, noisy MP3, a German dub, linear
drift) and negatives (an unrelated programme, silence, near-silence, noise, room tone, tones). Every chunk of
the placement (vsg defaults: 15 s chunks, ±15 s search, Rust backend) is measured twice:

* **full** — the 48 kHz search over the whole ±15 s window, as the anchors were searched before;
* **located** — ``locate_anchor`` (both signals decimated by 6, the coarse search's score) and, when that
  score reaches the bar, the 48 kHz search of ±0.25 s around the coarse position, kept only when it
  ``confirms`` that position (peak within ±0.125 s, confidence ≥ 80).

Per class it prints how many chunks the located path placed with the full search's record (**same**: both
accepted, raw delays within 0.01 ms), how many it left to the full search (**fallback**: safe, only slower)
and how many it placed *differently* from the full search (**different**: a wrong anchor — must be none), with
the coarse scores of each group. A bar is safe when no chunk with a score at or above it is "different";
``ANCHOR_COARSE_MIN`` is chosen from these figures (docs/analysis.md#guided-search records them).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def measure(ref: np.ndarray, tgt: np.ndarray, chunks: int, backend: str = "rust") -> list[dict]:
    from vsg_core.analysis.chunks import place_chunks
    from vsg_core.analysis.correlate import (
        GUIDE_MARGIN_S,
        confirm_located,
        correlate_lags,
        locate_anchor,
        make_record,
    )
    from vsg_core.analysis.correlation_options import SR, CorrelationOptions

    opts = CorrelationOptions(chunk_count=chunks)
    key = opts.method_key
    big_m = opts.search_samples
    m = round(GUIDE_MARGIN_S * SR)
    out = []
    for c in place_chunks(ref.size, tgt.size, chunks, opts.chunk_duration_s, opts.scan_start_pct,
                          opts.scan_end_pct):
        if c.start - big_m < 0 or c.start + c.length + big_m > tgt.size:
            continue
        r = ref[c.start:c.start + c.length]
        t = tgt[c.start - big_m:c.start + c.length + big_m]
        full = make_record(c, correlate_lags([r], [t], key, opts, backend)[0], key, opts, None)
        p, score = locate_anchor(r, t, backend)
        # the production path without the score bar, so every chunk shows what the bar would decide
        located = confirm_located([(c, r, t, p)], big_m, m, opts, key, backend)[0]
        if located is None:
            kind = "fallback"
        elif full.accepted and abs(full.raw_delay_ms - located.raw_delay_ms) <= 0.01:
            kind = "same"
        else:
            kind = "different"
        out.append({"chunk": c.index, "score": score, "kind": kind, "full_raw": full.raw_delay_ms,
                    "full_conf": full.match_pct, "full_ok": full.accepted,
                    "located_raw": located.raw_delay_ms if located else None,
                    "located_conf": located.match_pct if located else None})
    return out


def _rng(v: list[float]) -> str:
    return f"{min(v):5.1f}–{max(v):5.1f}" if v else "     –     "


def main() -> None:
    from confidence_calibration import build_pairs

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=40)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    ref, pairs = build_pairs()
    res = {name: measure(ref, tgt, a.chunks) for name, (tgt, _truth) in pairs.items()}
    print(f"{'class':<24} {'same':>5} {'fallbk':>6} {'diff':>5}   score same   score fallbk  score diff")
    for name, rows in res.items():
        by = {k: [r["score"] for r in rows if r["kind"] == k] for k in ("same", "fallback", "different")}
        print(f"{name:<24} {len(by['same']):5d} {len(by['fallback']):6d} {len(by['different']):5d}   "
              f"{_rng(by['same'])}  {_rng(by['fallback'])}  {_rng(by['different'])}")
    rows = [r for v in res.values() for r in v]
    diff = [r["score"] for r in rows if r["kind"] == "different"]
    same = sorted(r["score"] for r in rows if r["kind"] == "same")
    print(f"chunks {len(rows)}: same {len(same)}, fallback {sum(r['kind'] == 'fallback' for r in rows)}, "
          f"different {len(diff)} (largest coarse score of a different one: {max(diff) if diff else 'none'})")
    if same:
        lo, q5, mid = same[0], same[len(same) // 20], same[len(same) // 2]
        print(f"coarse score of the 'same' chunks: min {lo:.1f}, 5 % {q5:.1f}, median {mid:.1f}")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
