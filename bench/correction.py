"""Benchmark of stepping correction on a 24-minute source, in one run.

    .venv/bin/python bench/correction.py [--case episode24_stepping]

1. **Floor**: one ffmpeg decode + FLAC encode of the source's audio track (what any correction must at least
   do), wall time.
2. **Correction**: the analysis runs first (not timed); then, in a fresh subprocess, the whole stepping
   correction of that track as the pipeline runs it — mono 16 kHz decodes for the boundary search, ffmpeg
   silencedetect around each splice, boundary search and snapping, EDL and plan, decode to raw PCM, streaming
   assembly into the FLAC encoder, and the QA re-correlation over the whole programme. Wall time and peak RSS
   of that process (VmHWM; ffmpeg children are separate processes), per backend.

Prints the ratio correction / floor (target ≤ 3) and the peak RSS (target ≤ 400 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import compile_sources, peak_mb  # noqa: E402  (bench/ is on sys.path when run as a script)


def worker(spec_path: str) -> dict:
    """The correction of one track in this fresh process (inputs from the analysis, as JSON)."""
    from vsg_core.backend import set_backend
    from vsg_core.correction import apply as ca

    spec = json.loads(Path(spec_path).read_text())
    set_backend(spec["backend"])
    cfg = ca.CorrectionConfig()
    work = Path(spec["work"])

    class Seg:
        def __init__(self, d: dict) -> None:
            self.start_s, self.end_s = d["reference_start_s"], d["reference_end_s"]
            self.raw_delay_ms = d["raw_delay_ms"]

    segs = [Seg(d) for d in spec["segments"]]
    centres = [tuple(c) for c in spec["centres"]]
    t0 = time.perf_counter()
    ref, tgt = ca.decode_search_pair(Path(spec["ref"]), 0, Path(spec["tgt"]), 0)
    zones = []
    for k in range(1, len(segs)):
        lo, hi = ca._search_interval(segs, centres, k, 15.0)
        d = [segs[k - 1].raw_delay_ms / 1000.0, segs[k].raw_delay_ms / 1000.0]
        zones.append(ca.silencedetect_zones(Path(spec["tgt"]), 0, lo - max(d) - 1.0, hi - min(d) + 1.0,
                                            cfg.ffmpeg_noise_db, cfg.ffmpeg_min_s))
    plan = ca.plan_stepping(ref, tgt, segs, centres, 15.0, spec["align"], cfg, zones)
    del tgt
    t_plan = time.perf_counter() - t0
    props = ca.probe_audio(Path(spec["tgt"]), 0)
    out = work / f"corrected_{spec['backend']}.flac"
    ca.assemble_track(Path(spec["tgt"]), props, plan.edl, spec["align"], cfg, out, work)
    t_assemble = time.perf_counter() - t0 - t_plan
    qa = ca.judge_qa(ca.measure_in_memory(ref, out, spec["align"], cfg), spec["align"], cfg)
    total = time.perf_counter() - t0
    return {"total_s": total, "plan_s": t_plan, "assemble_s": t_assemble, "qa_s": total - t_plan - t_assemble,
            "peak_mb": peak_mb(), "qa": qa.to_json(), "splices": [s.to_dict() for s in plan.splices]}


def main() -> int:
    compile_sources()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default="episode24_stepping")
    ap.add_argument("--backends", nargs="+", default=["rust", "python"], choices=["rust", "python"])
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0

    from vsg_core.analysis.job import analyze_job
    from vsg_core.testmedia import build_case

    files = build_case(args.case, log=print)
    ref, tgt = files.reference, files.other
    with tempfile.TemporaryDirectory(prefix="vsg_bench_corr_") as d:
        work = Path(d)
        t0 = time.perf_counter()
        subprocess.run(["ffmpeg", "-y", "-nostdin", "-v", "error", "-i", str(tgt), "-map", "0:a:0", "-c:a", "flac",
                        str(work / "floor.flac")], check=True)
        floor = time.perf_counter() - t0
        (work / "floor.flac").unlink()
        a = analyze_job(ref, [tgt])
        src = a.sources[0]
        if src.diagnosis.kind.value != "STEPPING":
            print(f"the analysis diagnosed {src.diagnosis.kind.value}, not STEPPING; nothing to benchmark")
            return 1
        chunk_s = 15.0
        spec = {"ref": str(ref), "tgt": str(tgt), "align": float(src.correlation_delay_ms), "work": str(work),
                "segments": [{"reference_start_s": g.start_s, "reference_end_s": g.end_s,
                              "raw_delay_ms": g.raw_delay_ms} for g in src.diagnosis.segments],
                "centres": [(c.start_s + chunk_s / 2.0, c.raw_delay_ms) for c in src.chunks if c.accepted]}
        print(f"case {args.case}: {len(spec['segments'])} segments, align {spec['align']:+.0f} ms")
        print(f"floor (ffmpeg decode + FLAC encode of the track): {floor:.2f} s")
        for backend in args.backends:
            spec["backend"] = backend
            sp = work / "spec.json"
            sp.write_text(json.dumps(spec))
            proc = subprocess.run([sys.executable, __file__, "--worker", str(sp)], capture_output=True, text=True,
                                  env=dict(os.environ))
            if proc.returncode != 0:
                print(proc.stderr[-2000:])
                return 1
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"{backend:>6}: correction {r['total_s']:.2f} s (plan {r['plan_s']:.2f}, assemble "
                  f"{r['assemble_s']:.2f}, QA {r['qa_s']:.2f}) = {r['total_s'] / floor:.2f}x floor; peak RSS "
                  f"{r['peak_mb']:.0f} MB; QA {'passed' if r['qa']['passed'] else 'FAILED'} "
                  f"(median {r['qa']['median_ms']}, worst {r['qa']['max_abs_ms']})")
            for s in r["splices"]:
                print(f"        splice at {s['position'] / 16000:.3f} s ({s['snap']}), removed {s['removed']}, "
                      f"filled {s['filled']} samples @16 kHz, score {s['score']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
