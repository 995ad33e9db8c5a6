"""The ``vsg`` command line. Each subcommand lives in ``vsg_core/commands/<name>.py`` and provides
``add_parser(subparsers)`` and ``run(args) -> int``.

Exit status: 0 success, 1 a failed job or a refused input (the message names the file, key or flag), 2 a
command-line usage error, 128+N when signal N (SIGINT 130, SIGTERM 143, SIGHUP 129) cancelled the run. With
``--json`` a failure still prints one JSON object on stdout (``{"status": "Failed", "error": …}``). Tracebacks
are shown only with ``--debug``. Every run first removes the leftovers of vsg runs that were killed
(see docs/reliability.md).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import traceback
from collections.abc import Sequence

from . import __version__, scratch
from .cancel import Cancelled, CancelToken, exit_code, signals_cancel
from .errors import VsgError

# Subcommand modules, in the order `vsg --help` lists them.
COMMANDS = ("sync", "batch", "analyze", "clip", "settings", "media", "demo")
# Commands that run jobs: SIGINT/SIGTERM/SIGHUP cancel them cleanly (the others keep Python's default handling).
CANCELLABLE = frozenset({"sync", "batch", "analyze", "demo"})


class UsageError(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        raise UsageError(self, message)


def _named_command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names (its first word that is not an option or an option's value), if known."""
    skip = False
    for tok in argv:
        if skip:
            skip = False
        elif tok == "--backend":
            skip = True
        elif not tok.startswith("-"):
            return tok if tok in COMMANDS else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The ``vsg`` parser; with ``only``, just that subcommand's module is imported (the others are not
    needed to parse its arguments, and importing all of them costs start-up time)."""
    parser = _Parser(
        prog="vsg",
        description="Video Sync GUI: measure each release's audio delay against a reference, diagnose drift "
                    "and stepping, and mux the chosen tracks into one lossless MKV with every delay applied.",
    )
    parser.add_argument("--version", action="version", version=f"vsg {__version__}")
    parser.add_argument("--backend", choices=("rust", "python"),
                        help="compute backend (default: rust when vsg_core_rs is installed; env VSG_BACKEND)")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an internal error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if only is None else (only,):
        mod = importlib.import_module(f"vsg_core.commands.{name}")
        p = mod.add_parser(sub)
        p.set_defaults(_run=mod.run)
    return parser


def _wants_json(argv: Sequence[str]) -> bool:
    return "--json" in argv


def _json_error(message: str, status: str = "Failed", code: int = 1) -> None:
    print(json.dumps({"status": status, "error": message, "exit_code": code}, ensure_ascii=False))


def _sweep(args: argparse.Namespace) -> None:
    """Remove what killed vsg runs left in temp_root; say so on stderr."""
    temp_root = None
    try:
        from .config import Settings

        path = getattr(args, "settings", None)
        temp_root = Settings.load(path)["temp_root"] if path else Settings.load()["temp_root"]
    except (VsgError, OSError, KeyError):
        temp_root = None          # the command reports a bad settings file itself
    scratch.configure(temp_root)
    for p in scratch.sweep():
        print(f"[Cleanup] removed a leftover of an earlier vsg run that ended abnormally: {p}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_named_command(argv))
    as_json = _wants_json(argv)
    try:
        args = parser.parse_args(argv)
    except UsageError as e:
        e.parser.print_usage(sys.stderr)
        print(f"{e.parser.prog}: error: {e}", file=sys.stderr)
        if as_json:
            _json_error(f"usage: {e}", code=2)
        return 2
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    as_json = bool(getattr(args, "json", False))
    token = CancelToken()
    args.cancel_token = token
    try:
        with signals_cancel(token) if args.command in CANCELLABLE else contextlib.nullcontext():
            _sweep(args)
            if args.backend:
                from .backend import set_backend
                set_backend(args.backend)
            return int(args._run(args) or 0)
    except Cancelled as e:
        code = exit_code(token)
        print(f"vsg: {e}; nothing was written", file=sys.stderr)
        if as_json:
            _json_error(str(e), "Cancelled", code)
        return code
    except VsgError as e:
        print(f"vsg: error: {e}", file=sys.stderr)
        if as_json:
            _json_error(str(e))
        return 1
    except KeyboardInterrupt:
        print("vsg: interrupted", file=sys.stderr)
        if as_json:
            _json_error("interrupted", "Cancelled", 130)
        return 130
    except OSError as e:
        where = f": {os.fsdecode(e.filename)}" if e.filename else ""
        msg = f"{e.strerror or e}{where}"
        print(f"vsg: error: {msg}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        if as_json:
            _json_error(msg)
        return 1
    except Exception as e:  # a bug: one line for the user, the traceback with --debug
        msg = f"internal error ({type(e).__name__}: {e})"
        print(f"vsg: {msg}; run again with --debug for details and report it", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        if as_json:
            _json_error(msg)
        return 1


def cancel_token(args: argparse.Namespace) -> CancelToken | None:
    """The run's cancel token (set by :func:`main`; None when a command is called directly)."""
    return getattr(args, "cancel_token", None)


if __name__ == "__main__":
    sys.exit(main())
