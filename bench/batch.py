"""Batch throughput: jobs per minute of `vsg batch` with the local executor (1 and 2 workers) and on a Dask
LocalCluster (1 and 2 worker processes), on the same generated pairs, in one run.

    .venv/bin/python bench/batch.py [--jobs 8] [--case delay_pos] [--repeat 1]

Each configuration runs the whole batch (analysis, mux and audit of every job) as a fresh `vsg batch`
subprocess, into its own output folder; the wall time includes the cluster's start-up for the cluster rows
(which is what a user waits for). Prints a table to copy into MIGRATION_PLAN.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CONFIGS: tuple[tuple[str, list[str]], ...] = (
    ("local executor, 1 worker", ["--workers", "1"]),
    ("local executor, 2 workers", ["--workers", "2"]),
    ("Dask LocalCluster, 1 worker", ["--cluster", "local:1"]),
    ("Dask LocalCluster, 2 workers", ["--cluster", "local:2"]),
)


def _folders(case: str, jobs: int, root: Path) -> tuple[Path, Path]:
    from vsg_core.testmedia import build_case

    files = build_case(case)
    ref_dir, oth_dir = root / "ref", root / "other"
    ref_dir.mkdir()
    oth_dir.mkdir()
    for i in range(1, jobs + 1):
        os.link(files.reference, ref_dir / f"Ep{i:02d}.mkv")
        os.link(files.other, oth_dir / f"Ep{i:02d}.mkv")
    return ref_dir, oth_dir


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--case", default="delay_pos", help="generated case whose pair every job uses")
    ap.add_argument("--repeat", type=int, default=1, help="runs per configuration (the minimum is reported)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vsg_bench_batch_") as tmp:
        root = Path(tmp)
        ref_dir, oth_dir = _folders(args.case, args.jobs, root)
        env = dict(os.environ, VSG_SETTINGS=str(root / "settings.json"), VSG_SET_TEMP_ROOT=str(root / "t"))
        cpu = platform.processor() or platform.machine()
        print(f"# {args.jobs} jobs of case {args.case}; {os.cpu_count()} cores; {cpu}")
        print(f"{'configuration':<32} {'wall s':>8} {'jobs/min':>9}  statuses")
        base = None
        for n, (name, extra) in enumerate(CONFIGS):
            best = None
            statuses: dict[str, int] = {}
            for r in range(args.repeat):
                out = root / f"out{n}_{r}"
                t0 = time.perf_counter()
                proc = subprocess.run([sys.executable, "-m", "vsg_core.cli", "batch", str(ref_dir), str(oth_dir),
                                       "-o", str(out), "--json", *extra], capture_output=True, text=True, env=env)
                wall = time.perf_counter() - t0
                try:
                    jobs = json.loads(proc.stdout)["jobs"]
                except (ValueError, KeyError):
                    print(f"{name}: failed (exit {proc.returncode})\n{proc.stderr[-2000:]}", file=sys.stderr)
                    return 1
                statuses = {}
                for j in jobs:
                    statuses[j["status"]] = statuses.get(j["status"], 0) + 1
                best = wall if best is None else min(best, wall)
            assert best is not None
            rate = args.jobs / best * 60
            base = base or rate
            print(f"{name:<32} {best:8.1f} {rate:9.2f}  {statuses}  (×{rate / base:.2f} vs first row)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
