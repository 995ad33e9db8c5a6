"""Benchmark of the reach (docs/reach.md): what the coarse search costs, in one run.

    .venv/bin/python bench/reach.py [--case episode24] [--repeat 3]

Each measurement is a whole analysis (decode included, Rust backend, ``correlate_files``) in its own
subprocess: wall time (min of ``--repeat`` runs), the coarse search's own time split into decoding the
span and the search itself, and the peak RSS of the analysing process (``VmHWM``; ffmpeg children are
separate processes). Printed:

1. the 24-minute episode as it comes (its chunks agree: the coarse search must not run);
2. the same with the coarse search forced (``reach_always``, ±600 s): its cost when it runs;
3. the extra seconds and the ratio of 2 to 1, and the floor set by ffmpeg alone: decoding the same span
   of the other release to /dev/null (one process, no resampling), for comparison;
4. reach cases whose chunks do not agree around 0, when already built (``--cases``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import peak_mb  # noqa: E402  (bench/ is on sys.path when run as a script)


def worker(ref: str, tgt: str, force: bool) -> dict:
    from vsg_core.analysis.correlate import correlate_files
    from vsg_core.analysis.correlation_options import CorrelationOptions

    t0 = time.perf_counter()
    run = correlate_files(ref, tgt, CorrelationOptions(reach_always=force), backend="rust")
    wall = time.perf_counter() - t0
    acc = sorted(c.raw_delay_ms for c in run.chunks if c.accepted)
    t = run.timings
    return {"wall": wall, "reach": t.get("reach", 0.0), "decode": t.get("coarse_decode", 0.0),
            "search": t.get("coarse_search", 0.0), "span_s": t.get("coarse_span_s", 0.0),
            "ran": run.reach_s is not None, "peak_mb": peak_mb(), "accepted": len(acc),
            "chunks": len(run.chunks), "raw": acc[len(acc) // 2] if acc else None}


def measure(ref: Path, tgt: Path, force: bool, repeat: int) -> dict:
    best: dict | None = None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--worker", str(ref), str(tgt), "1" if force else "0"],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None or r["wall"] < best["wall"]:
            best = r
    assert best is not None
    return best


def ffmpeg_floor(tgt: Path, span_s: float) -> float:
    """Seconds ffmpeg alone needs to decode ``span_s`` of the other release's first audio track."""
    t0 = time.perf_counter()
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-t", f"{span_s:.3f}", "-i", str(tgt), "-map", "0:a:0",
                    "-f", "null", "-"], check=True)
    return time.perf_counter() - t0


def line(label: str, r: dict, truth: float | None) -> str:
    err = "" if truth is None or r["raw"] is None else f"  median raw − truth {r['raw'] - truth:+.4f} ms"
    coarse = (f"reach {r['reach']:5.2f} s (span decode {r['decode']:.2f} s, search {r['search']:.2f} s, refinement "
              f"{r['reach'] - r['decode'] - r['search']:.2f} s)"
              if r["ran"] else "coarse not run")
    return (f"  {label:<30} {r['wall']:6.2f} s  {coarse}  peak RSS {r['peak_mb']:6.1f} MB  "
            f"accepted {r['accepted']}/{r['chunks']}{err}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2], sys.argv[3], sys.argv[4] == "1")))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default="episode24")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cases", nargs="*", default=["reach_pos300", "reach_ad90"],
                    help="reach cases to time too when they are already built")
    args = ap.parse_args()
    from vsg_core.testmedia import build_case
    from vsg_core.testmedia.cases import is_cached

    cf = build_case(args.case)
    truth = cf.truth.sync.correlation_delay_ms
    print(f"Reach benchmark (Rust backend, min of {args.repeat} runs, one process per run)")
    a = measure(cf.reference, cf.other, False, args.repeat)
    b = measure(cf.reference, cf.other, True, args.repeat)
    print(line(f"{args.case}: chunks agree", a, truth))
    print(line(f"{args.case}: coarse forced", b, truth))
    floor = min(ffmpeg_floor(cf.other, b["span_s"]) for _ in range(args.repeat))
    print(f"  the coarse search adds {b['wall'] - a['wall']:+.2f} s ({b['wall'] / a['wall']:.2f}×) when it runs "
          f"over a {b['span_s']:.0f} s span, {a['reach']:.2f} s when the chunks agree; ffmpeg alone decodes that "
          f"span in {floor:.2f} s; peak RSS {a['peak_mb']:.0f} → {b['peak_mb']:.0f} MB")
    for name in args.cases:
        if is_cached(name):
            c = build_case(name)
            print(line(name, measure(c.reference, c.other, False, 1), None))


if __name__ == "__main__":
    main()
