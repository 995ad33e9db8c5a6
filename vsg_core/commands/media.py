"""``vsg media``: build or list the generated test media (see vsg_core.testmedia)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..errors import VsgError


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "media", help="build or list the generated test media (releases of one synthetic programme)",
        description="Build the cached test media used by the demo and the tests: several releases of one "
                    "synthetic episode with exact ground truth (JSON next to the MKVs). Cache directory: "
                    "<repo>/.cache/testmedia/<version>/ unless --out or $VSG_MEDIA_CACHE is given.")
    sub = p.add_subparsers(dest="media_command", metavar="ACTION")
    b = sub.add_parser("build", help="build cases that are missing or out of date")
    b.add_argument("--cases", nargs="+", metavar="NAME",
                   help="cases to build (default: every default case; 'all' adds episode24)")
    b.add_argument("--out", type=Path, metavar="DIR", help="cache directory to build into")
    b.add_argument("--force", action="store_true", help="rebuild even when cached")
    ls = sub.add_parser("list", help="list the cases, whether they are built, and their ground truth")
    ls.add_argument("--out", type=Path, metavar="DIR", help="cache directory to look in")
    p.set_defaults(_media_parser=p)
    return p


def _names(requested: list[str] | None) -> list[str]:
    from ..testmedia import CASES, DEFAULT_CASES
    if not requested:
        return list(DEFAULT_CASES)
    if "all" in requested:
        return list(CASES)
    unknown = [n for n in requested if n not in CASES]
    if unknown:
        raise VsgError(f"unknown case(s): {', '.join(unknown)}; run 'vsg media list' to see the cases")
    return list(dict.fromkeys(requested))


def run(args: argparse.Namespace) -> int:
    from ..testmedia import CASES, DEFAULT_CASES, build_all, cache_dir, describe_sync, is_cached

    if args.media_command == "list":
        directory = cache_dir(args.out)
        print(f"cache: {directory}")
        for name, case in CASES.items():
            state = "built" if is_cached(name, directory) else "not built"
            tag = "" if name in DEFAULT_CASES else " (on request)"
            print(f"  {name:<16} {state:<10}{tag} {case.description}")
        return 0
    if args.media_command == "build":
        directory = cache_dir(args.out)
        print(f"cache: {directory}")
        names = _names(args.cases)
        cached = {n for n in names if not args.force and is_cached(n, directory)}
        t0 = time.perf_counter()
        built = build_all(names, directory, log=print, force=args.force)
        total = time.perf_counter() - t0
        print(f"\n{'case':<16} {'build':>7}  files / ground truth")
        for name, files in built.items():
            secs = "cached" if name in cached else f"{files.truth.raw.get('build_seconds', 0):.1f}s"
            print(f"{name:<16} {secs:>7}  {files.reference.name}"
                  + "".join(f", {t.file}: {describe_sync(t.sync)}" for t in files.truth.targets))
        print(f"total {total:.1f}s (cases build two at a time; per-case times overlap)")
        return 0
    args._media_parser.print_help()
    return 2
