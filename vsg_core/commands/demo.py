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
                                   "delays found next to the true ones (the same report as vsg sync).")
    p.add_argument("-o", "--output", type=Path, default=Path("demo_out"),
                   help="output folder for the muxed file and the job log (default: ./demo_out)")
    p.add_argument("-v", "--verbose", action="store_true", help="print the full job log")
    p.add_argument("--json", action="store_true", help="print the job result as JSON (as vsg sync --json)")
    return p


def run(args: argparse.Namespace) -> int:
    from ..cli import cancel_token
    from ..config import Settings
    from ..jobs.discovery import JobSpec
    from ..pipeline import MERGED, run_job
    from ..testmedia import build_case
    from .report import print_one

    print("Building demo media (cached after the first run)…", file=sys.stderr, flush=True)
    cases = [build_case(name) for name in DEMO_CASES]
    sources = {"Source 1": cases[0].reference} | {f"Source {i + 2}": c.other for i, c in enumerate(cases)}
    callbacks = [lambda line: print(line, file=sys.stderr, flush=True)] if args.verbose else []
    print("Running the job (analysis, extraction, mux, audit)…", file=sys.stderr, flush=True)
    out: Path = args.output
    # the demo's own output is rebuilt each run (overwrite)
    result = run_job(JobSpec(sources), Settings(), output_dir=out, output_file=out / "demo_synced.mkv",
                     log_callbacks=callbacks, overwrite=True, cancel_token=cancel_token(args))
    if not args.json:
        print(f"Reference: {sources['Source 1']}")
    truth = {f"Source {i + 2}": c.truth.sync.delay_ms for i, c in enumerate(cases)}
    print_one(result, as_json=args.json, truth_ms=truth)
    return 0 if result.status == MERGED else 1
