"""``vsg sync REF OTHER… -o OUT.mkv``: analyse, extract, mux and audit one job.

Default layout: the reference's video, audio and subtitles, then every other release's audio and subtitles,
languages and names kept. ``--layout FILE`` (JSON, see ``vsg sync --print-layout``) or ``--track`` selectors
choose tracks and order; ``--default``/``--forced``/``--name``/``--lang`` set per-track options.

A release whose audio does not match the reference (different programme, silent or wrong track, file too
short) is refused: the job fails before anything is written, naming the file and the likely cause. Give its
delay by hand with ``--delay 2=+1234.5`` (ms, Source 2) or leave its tracks out of the layout.

Exit codes:
  0  the output was written and the post-mux audit passed
  1  the job failed (no output written): a source could not be matched, bad input, a tool failed
  2  bad command line
  3  the output was written but the post-mux audit failed (a track is off, too short or missing); the file
     is kept and the log says which track is off where
  128+N  cancelled by signal N (130 for Ctrl+C, 143 for SIGTERM); nothing written, an earlier output kept
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

from .. import identification
from ..cancel import exit_code
from ..config import Settings
from ..errors import SettingsError
from ..extraction import tracks_by_source
from ..jobs.discovery import JobSpec
from ..jobs.layout import Layout, LayoutEntry, default_layout, select_tracks, structure_signature
from ..log import progress_line
from ..models import Track, TrackType
from ..setting_ranges import validate_settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_AUDIT_FAILED = 3


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("sync", help="mux tracks of several releases into one MKV, every track in sync",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("reference", type=Path, metavar="REF", help="the reference release (Source 1): video comes from it")
    p.add_argument("others", type=Path, nargs="*", metavar="OTHER", help="other releases (Source 2, 3, …)")
    p.add_argument("-o", "--output", type=str, required=False,
                   help="output file (.mkv, .mka or .mks); a folder (existing, or ending in /) writes "
                        "<REF name>.mkv into it (default: <output folder>/<REF name>.mkv)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing output (only after the new file passed its audit)")
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


def _selector(text: str, sources: list[str] | None = None) -> str:
    s = text.strip()
    src, _, tid = s.partition(":")
    src = src.strip()
    if src.isdigit():
        src = f"Source {int(src)}"
    if not tid.strip().isdigit():
        raise SettingsError(f"bad track selector {text!r}: use SOURCE:ID, e.g. 'Source 2:1' or 2:1")
    if sources is not None and src not in sources:
        raise SettingsError(f"track selector {text!r} names {src!r}, but the job has only {', '.join(sources)}")
    return f"{src}:{int(tid)}"


def build_layout(args: argparse.Namespace, tracks: dict[str, list[Track]]) -> Layout:
    """The layout file or the default layout of ``tracks``, then the --track/--default/… options."""
    from ..pipeline.preflight import check_subtitle_file

    if args.layout:
        layout = Layout.load(args.layout)
    else:
        layout = default_layout(tracks)
    names = list(tracks) or None
    if args.track:
        layout = select_tracks(layout, [_selector(t, names) for t in args.track])
    entries = list(layout.entries)
    index = {f"{e.source}:{e.id}": i for i, e in enumerate(entries)}

    def find(sel: str) -> int:
        key = _selector(sel, names)
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
        # FILE=SOURCE splits at the last '=': a file name may hold '=' itself (a whole spec naming a file is FILE)
        path, _, src = ("", "", "") if os.path.isfile(spec) else spec.rpartition("=")
        if not path:
            path, src = spec, ""
        p = Path(os.path.abspath(path))
        sync_to = (f"Source {int(src)}" if src.strip().isdigit() else src.strip()) or "Source 1"
        if names is not None and sync_to not in names:
            raise SettingsError(f"--sub {spec!r}: {sync_to!r} is not a source of this job; use one of "
                                f"{', '.join(names)}")
        check_subtitle_file(p, f"--sub {path}")
        entries.append(LayoutEntry(source="External", id=0, type=TrackType.SUBTITLES, name=p.stem,
                                   sync_to=sync_to, external_path=str(p)))
    return replace(layout, entries=tuple(entries))


def run(args: argparse.Namespace) -> int:
    from ..pipeline.output_policy import OutputLock, resolve_output
    from ..pipeline.preflight import check_sources

    # every check runs before the first file is identified or analysed
    settings = Settings.load(args.settings) if args.settings else Settings.load()
    for w in settings.warnings:
        print(w, file=sys.stderr)
    if args.allow_negative:
        settings.set("sync_mode", "allow_negative")
    validate_settings(settings, str(settings.path or ""))
    sources = {"Source 1": args.reference} | {f"Source {i + 2}": p for i, p in enumerate(args.others)}
    sources = {k: Path(os.path.abspath(p)) for k, p in sources.items()}
    check_sources(sources)
    output_dir = Path(settings["output_folder"]) if args.output is None else None
    if not args.print_layout:
        plan = resolve_output(sources["Source 1"], sources, output_dir=output_dir, output_file=args.output,
                              overwrite=args.overwrite)
        OutputLock(plan.final).probe()   # another job writing the same output: say so before any work
    # one identification per file for the layout and the job (the job's scope joins this one); every file's
    # mkvmerge -J and ffprobe start at once, in the background, while the pipeline's modules are imported
    from ..cancel import cancel_scope
    from ..cli import cancel_token

    with cancel_scope(cancel_token(args)), identification.job_scope():
        if not args.print_layout:
            identification.start_prefetch(list(sources.values()))
        return _run(args, settings, JobSpec(sources), output_dir)


def _run(args: argparse.Namespace, settings: Settings, job: JobSpec, output_dir: Path | None) -> int:
    from ..cli import cancel_token
    from ..pipeline import CANCELLED, MERGED
    from ..pipeline.preflight import check_layout, reference_video_check
    from ..pipeline.result import AUDIT_FAILED
    from .report import print_one

    manual = dict(args.delay)
    for key in manual:
        if key not in job.sources:
            raise SettingsError(f"--delay: there is no {key} (sources are {', '.join(job.sources)})")
    from ..pipeline.orchestrator import run_job  # the heavy import, while the identification runs

    tracks = tracks_by_source(job.sources)
    layout = build_layout(args, tracks)
    check_layout(layout, job.sources, tracks, where=str(args.layout) if args.layout else "layout")
    if args.print_layout:
        data = json.loads(layout.to_json())
        data["structure_signature"] = structure_signature(tracks)
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    no_video = reference_video_check(tracks, layout)
    if no_video:
        raise SettingsError(no_video)
    tty = sys.stderr.isatty()
    callbacks = [] if args.quiet else [lambda line: print(line, file=sys.stderr, flush=True)]
    last = [-1]

    def progress(f: float) -> None:
        pct = round(100 * max(0.0, min(1.0, f)))
        if tty and not args.quiet and pct != last[0]:
            last[0] = pct
            print(progress_line(pct), file=sys.stderr, flush=True)

    token = cancel_token(args)
    result = run_job(job, settings, output_dir=output_dir, output_file=args.output, layout=layout,
                     log_callbacks=callbacks, progress=progress, audit=not args.no_audit,
                     cancel_token=token, overwrite=args.overwrite, manual_delays=manual)
    print_one(result, as_json=args.json)
    if result.status == MERGED:
        return EXIT_OK
    if result.error:
        print(f"vsg: {'error: ' if result.status != CANCELLED else ''}{result.error}", file=sys.stderr)
    if result.status == CANCELLED:
        return exit_code(token)
    return EXIT_AUDIT_FAILED if result.status == AUDIT_FAILED else EXIT_FAILED

