"""The ``vsg`` command line. Each subcommand lives in ``vsg_core/commands/<name>.py`` and provides
``add_parser(subparsers)`` and ``run(args) -> int``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .errors import VsgError

# Subcommand modules, in the order `vsg --help` lists them.
COMMANDS = ("sync", "batch", "analyze", "settings", "media", "demo")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vsg",
        description="Video Sync GUI: measure each release's audio delay against a reference, diagnose drift "
                    "and stepping, and mux the chosen tracks into one lossless MKV with every delay applied.",
    )
    parser.add_argument("--version", action="version", version=f"vsg {__version__}")
    parser.add_argument("--backend", choices=("rust", "python"),
                        help="compute backend (default: rust when vsg_core_rs is installed; env VSG_BACKEND)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        mod = importlib.import_module(f"vsg_core.commands.{name}")
        p = mod.add_parser(sub)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        if args.backend:
            from .backend import set_backend
            set_backend(args.backend)
        return int(args._run(args) or 0)
    except VsgError as e:
        print(f"vsg: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("vsg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
