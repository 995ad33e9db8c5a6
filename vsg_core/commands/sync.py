"""``vsg sync REF OTHER… -o OUT.mkv``: analyse, extract, mux and audit one job.

Default layout: the reference's video, audio and subtitles, then every other release's audio and subtitles,
languages and names kept. ``--layout FILE`` (JSON, see ``vsg sync --print-layout``) or ``--track`` selectors
choose tracks and order; ``--default``/``--forced``/``--name``/``--lang`` set per-track options.

A release whose audio does not match the reference (different programme, silent or wrong track, file too
short) is refused: the job fails before anything is written, naming the file and the likely cause. Give its
delay by hand with ``--delay 2=+1234.5`` (ms, Source 2) or leave its tracks out of the layout.

Exit codes:
  0  the output was written and the post-mux audit passed
  1  the job failed (no output written): a source could not be matched, bad input, a tool failed, cancelled
  2  bad command line
  3  the output was written but the post-mux audit failed (a track is off, too short or missing); the file
     is kept and the log says which track is off where
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from ..config import Settings
from ..errors import SettingsError
from ..extraction import tracks_by_source
from ..jobs.discovery import JobSpec
from ..jobs.layout import Layout, LayoutEntry, default_layout, select_tracks, structure_signature
from ..log import progress_line
from ..models import Track, TrackType

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_AUDIT_FAILED = 3


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("sync", help="mux tracks of several releases into one MKV, every track in sync",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("reference", type=Path, metavar="REF", help="the reference release (Source 1): video comes from it")
    p.add_argument("others", type=Path, nargs="*", metavar="OTHER", help="other releases (Source 2, 3, …)")
    p.add_argument("-o", "--output", type=Path, required=False,
                   help="output file (default: <output folder>/<REF name>.mkv)")
    p.add_argument("--layout", type=Path, help="layout file (JSON) choosing tracks, order and flags")
    p.add_argument("--track", action="append", default=[], metavar="SOURCE:ID",
                   help='keep only these tracks, in this order, e.g. --track "Source 1:0" --track "Source 2:1" '
                        '(source number alone also works: 1:0)')
    p.add_argument("--default", action="append", default=[], metavar="SOURCE:ID",
                   help="set the default flag on this track (clears it on the other tracks of its type)")
    p.add_argument("--forced", action="append", default=[], metavar="SOURCE:ID", help="mark a subtitle forced")
    p.add_argument("--name", action="append", default=[], metavar="SOURCE:ID=NAME", help="track name")
    p.add_argument("--lang", action="append", default=[], metavar="SOURCE:ID=LANG", help="track language")
    p.add_argument("--sub", action="append", default=[], metavar="FILE[=SOURCE]",
                   help="add an external subtitle file, timed like SOURCE (default Source 1)")
    p.add_argument("--print-layout", action="store_true", help="print the layout that would be used and exit")
    p.add_argument("--settings", type=Path, help="settings file (default: ~/.config/vsg/settings.json)")
    p.add_argument("--allow-negative", action="store_true",
                   help="keep negative delays instead of shifting everything later (sync_mode allow_negative)")
    p.add_argument("--no-audit", action="store_true", help="skip the post-mux audit")
    p.add_argument("--delay", action="append", default=[], metavar="SOURCE=MS", type=parse_delay,
                   help="use this delay (ms, e.g. 2=+1234.5) for a source instead of measuring it")
    p.add_argument("--json", action="store_true", help="print the job result as one JSON object on stdout")
    p.add_argument("-q", "--quiet", action="store_true", help="no log on stderr")
    return p


def parse_delay(text: str) -> tuple[str, float]:
    """``2=+1234.5`` or ``Source 2=-80`` → ("Source 2", delay ms)."""
    src, sep, value = text.partition("=")
    src = src.strip()
    key = f"Source {src}" if src.isdigit() else src
    try:
        ms = float(value)
    except ValueError:
        ms = float("nan")
    if not sep or not key.startswith("Source ") or key == "Source 1" or ms != ms or abs(ms) == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: expected SOURCE=MS with SOURCE 2, 3, … "
                                         "and MS a number of milliseconds, e.g. 2=+1234.5")
    return key, ms


def _selector(text: str) -> str:
    s = text.strip()
    src, _, tid = s.partition(":")
    if src.isdigit():
        src = f"Source {src}"
    if not tid.strip().isdigit():
        raise SettingsError(f"bad track selector {text!r}: use SOURCE:ID, e.g. 'Source 2:1' or 2:1")
    return f"{src.strip()}:{int(tid)}"


def build_layout(args: argparse.Namespace, tracks: dict[str, list[Track]]) -> Layout:
    """The layout file or the default layout of ``tracks``, then the --track/--default/… options."""
    if args.layout:
        layout = Layout.load(args.layout)
    else:
        layout = default_layout(tracks)
    if args.track:
        layout = select_tracks(layout, [_selector(t) for t in args.track])
    entries = list(layout.entries)
    index = {f"{e.source}:{e.id}": i for i, e in enumerate(entries)}

    def find(sel: str) -> int:
        key = _selector(sel)
        if key not in index:
            raise SettingsError(f"{sel!r} is not in the layout; tracks: {', '.join(index)}")
        return index[key]

    for sel in args.default:
        i = find(sel)
        for j, e in enumerate(entries):
            if e.type is entries[i].type:
                entries[j] = replace(e, is_default=(j == i))
    for sel in args.forced:
        i = find(sel)
        entries[i] = replace(entries[i], is_forced_display=True)
    for spec in args.name:
        sel, _, name = spec.partition("=")
        i = find(sel)
        entries[i] = replace(entries[i], custom_name=name)
    for spec in args.lang:
        sel, _, lang = spec.partition("=")
        i = find(sel)
        entries[i] = replace(entries[i], custom_lang=lang.strip())
    for spec in args.sub:
        path, _, src = spec.partition("=")
        p = Path(path)
        if not p.is_file():
            raise SettingsError(f"--sub: subtitle file not found: {p}")
        entries.append(LayoutEntry(source="External", id=0, type=TrackType.SUBTITLES, name=p.stem,
                                   sync_to=(f"Source {src}" if src.isdigit() else src) or "Source 1",
                                   external_path=str(p)))
    return replace(layout, entries=tuple(entries))


def run(args: argparse.Namespace) -> int:
    from ..pipeline import MERGED, run_job
    from ..pipeline.result import AUDIT_FAILED

    settings = Settings.load(args.settings) if args.settings else Settings.load()
    for w in settings.warnings:
        print(w, file=sys.stderr)
    if args.allow_negative:
        settings.set("sync_mode", "allow_negative")
    for p in [args.reference, *args.others]:
        if not p.is_file():
            raise SettingsError(f"file not found: {p}")
    sources = {"Source 1": args.reference} | {f"Source {i + 2}": p for i, p in enumerate(args.others)}
    job = JobSpec(sources)
    manual = dict(args.delay)
    for key in manual:
        if key not in sources:
            raise SettingsError(f"--delay: there is no {key} (sources are {', '.join(sources)})")
    # the files are identified once, and only when the default layout or --print-layout needs them
    tracks = tracks_by_source(job.sources) if (not args.layout or args.print_layout) else {}
    layout = build_layout(args, tracks)
    if args.print_layout:
        data = json.loads(layout.to_json())
        data["structure_signature"] = structure_signature(tracks)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    tty = sys.stderr.isatty()
    callbacks = [] if args.quiet else [lambda line: print(line, file=sys.stderr, flush=True)]
    last = [-1]

    def progress(f: float) -> None:
        pct = round(100 * max(0.0, min(1.0, f)))
        if tty and not args.quiet and pct != last[0]:
            last[0] = pct
            print(progress_line(pct), file=sys.stderr, flush=True)

    output_dir = args.output.parent if args.output else Path(settings["output_folder"])
    result = run_job(job, settings, output_dir=output_dir, output_file=args.output, layout=layout,
                     log_callbacks=callbacks, progress=progress, audit=not args.no_audit,
                     manual_delays=manual)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        _print_summary(result)
    if result.status == MERGED:
        return EXIT_OK
    return EXIT_AUDIT_FAILED if result.status == AUDIT_FAILED else EXIT_FAILED


def _print_summary(result) -> None:
    print(f"Status: {result.status}")
    for s in result.sources:
        d = "-" if s.delay_ms is None else f"{s.delay_ms:+d} ms"
        raw = "" if s.raw_delay_ms is None else f" (raw {s.raw_delay_ms:+.3f} ms)"
        print(f"  {s.key}: {d}{raw}, {s.diagnosis}, {s.accepted_chunks}/{s.total_chunks} chunks accepted")
    if result.global_shift_ms:
        print(f"  global shift: +{result.global_shift_ms} ms")
    if result.audit is not None:
        for r in result.audit.residuals:
            v = "not measurable" if r.residual_ms is None else f"{r.residual_ms:+.3f} ms"
            verdict = "ok" if r.ok else f"FAILED: {r.reason}"
            print(f"  audit: audio track {r.track_index} ({r.source}) largest residual {v}, {verdict}")
    for w in result.warnings:
        print(f"  warning: {w}")
    if result.output:
        print(f"Output: {result.output}")
    if result.error:
        print(f"Error: {result.error}")
    print(f"Log: {result.log_path}")
