"""``vsg demo``: build demo releases (cached) and run the main job (``vsg sync``) on them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEMO_CASES = ("delay_pos", "dub")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("demo", help="run the main job on demo media vsg generates itself",
                       description="Builds (or reuses from the cache) a reference release and two other releases "
                                   "of the same synthetic programme (one with a +1234.567 ms delay, a German dub "
                                   "with +733.125 ms), muxes them into one MKV with vsg sync and prints the "
                                   "delays found next to the true ones.")
    p.add_argument("-o", "--output", type=Path, default=Path("demo_out"),
                   help="output folder for the muxed file and the job log (default: ./demo_out)")
    p.add_argument("-v", "--verbose", action="store_true", help="print the full job log")
    return p


def run(args: argparse.Namespace) -> int:
    from ..cli import cancel_token
    from ..config import Settings
    from ..jobs.discovery import JobSpec
    from ..pipeline import MERGED, run_job
    from ..testmedia import build_case

    print("Building demo media (cached after the first run)…", file=sys.stderr, flush=True)
    cases = [build_case(name) for name in DEMO_CASES]
    sources = {"Source 1": cases[0].reference} | {f"Source {i + 2}": c.other for i, c in enumerate(cases)}
    callbacks = [lambda line: print(line, file=sys.stderr, flush=True)] if args.verbose else []
    print("Running the job (analysis, extraction, mux, audit)…", file=sys.stderr, flush=True)
    out: Path = args.output
    # the demo's own output is rebuilt each run (overwrite)
    result = run_job(JobSpec(sources), Settings(), output_dir=out, output_file=out / "demo_synced.mkv",
                     log_callbacks=callbacks, overwrite=True, cancel_token=cancel_token(args))
    print(f"Reference: {sources['Source 1']}")
    print(f"{'source':<10} {'file':<14} {'found (ms)':>11} {'raw (ms)':>11} {'truth (ms)':>11}  diagnosis")
    for src, case in zip(result.sources, cases, strict=True):
        truth = case.truth.sync.delay_ms
        found = "-" if src.delay_ms is None else f"{src.delay_ms:+d}"
        raw = "-" if src.raw_delay_ms is None else f"{src.raw_delay_ms:+.3f}"
        print(f"{src.key:<10} {src.path.name:<14} {found:>11} {raw:>11} {truth:>+11.3f}  {src.diagnosis}")
    if result.audit is not None:
        for r in result.audit.residuals:
            v = "n/a" if r.residual_ms is None else f"{r.residual_ms:+.3f} ms"
            print(f"audit: audio track {r.track_index} ({r.source}) residual offset {v}")
    print(f"Status: {result.status}")
    if result.output:
        print(f"Output: {result.output}")
    if result.error:
        print(f"Error: {result.error}")
    print(f"Job log: {result.log_path}")
    return 0 if result.status == MERGED else 1
