"""``vsg batch REF_DIR OTHER_DIR… -o OUT_DIR``: one job per reference file, matched by name in the other folders.

Every file in REF_DIR (.mkv, .mp4, .m4v) is a job; each other folder contributes the file with the same name,
or else the one media file with the same stem (ep1.mkv ↔ ep1.mp4 or ep1.mka).
A layout file (``--layout``) is re-applied to every job whose track structure matches the job it was made from
(``vsg sync --print-layout`` writes one with its structure); other jobs use the default layout.

A job whose other release does not match its reference fails (nothing written for it); a job whose post-mux
audit fails keeps its output and is counted as "audit failed". Exit code 0 when every job merged (or was
analysed) cleanly, 1 otherwise, 128+N when cancelled by signal N (130 for Ctrl+C).
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..cancel import exit_code, wait_result
from ..config import Settings
from ..errors import SettingsError, VsgError
from ..jobs.discovery import JobSpec, discover_jobs
from ..jobs.layout import Layout, compatible, default_layout, structure_signature
from ..setting_ranges import check_workers, validate_settings


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("batch", help="sync every file of a folder with the same-named files of other folders",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("reference", type=Path, metavar="REF_DIR", help="folder of reference releases (Source 1)")
    p.add_argument("others", type=Path, nargs="+", metavar="OTHER_DIR", help="folders of other releases")
    p.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    p.add_argument("--layout", type=Path, help="layout file to re-apply where the track structure matches")
    p.add_argument("--analyze-only", action="store_true", help="only measure the delays, do not mux")
    p.add_argument("--workers", type=int, default=1, help="jobs run in parallel (default 1, at least 1)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace existing outputs (each only after its new file passed the audit)")
    p.add_argument("--cluster", metavar="ADDRESS",
                   help="run the jobs on a Dask cluster: tcp://HOST:8786 (an existing scheduler whose workers see "
                        "the same paths) or local:N (N worker processes on this machine); needs the cluster "
                        "extra: pip install 'vsg[cluster]'")
    p.add_argument("--settings", type=Path, help="settings file")
    p.add_argument("--json", action="store_true", help="print all results as one JSON object on stdout")
    p.add_argument("-v", "--verbose", action="store_true", help="print every job's log on stderr")
    return p


def layout_for(job: JobSpec, template: tuple[Layout, dict | None] | None) -> tuple[Layout, str]:
    from ..extraction import tracks_by_source

    tracks = tracks_by_source(job.sources)
    if template is not None:
        layout, structure = template
        if structure is None or compatible(structure, structure_signature(tracks)):
            return layout, "layout file"
    return default_layout(tracks), "default layout"


def _load_template(path: Path) -> tuple[Layout, dict | None]:
    layout = Layout.load(path)
    try:
        structure = json.loads(path.read_text(encoding="utf-8-sig")).get("structure_signature")
    except (OSError, ValueError, AttributeError):
        structure = None
    return layout, structure


def run(args: argparse.Namespace) -> int:
    from ..cli import cancel_token
    from ..pipeline import CANCELLED, FAILED, JobResult
    from ..pipeline.output_policy import resolve_output
    from ..pipeline.preflight import check_layout

    check_workers(args.workers)
    if not args.reference.is_dir():
        raise SettingsError(f"REF_DIR must be a folder: {args.reference} (use vsg sync for single files)")
    for d in args.others:
        if not d.is_dir():
            raise SettingsError(f"OTHER_DIR must be a folder: {d}")
    settings = Settings.load(args.settings) if args.settings else Settings.load()
    for w in settings.warnings:
        print(w, file=sys.stderr)
    validate_settings(settings, str(settings.path or ""))
    sources = {"Source 1": args.reference} | {f"Source {i + 2}": d for i, d in enumerate(args.others)}
    jobs = discover_jobs(sources)
    if not jobs:
        print(f"No .mkv/.mp4/.m4v files in {args.reference}", file=sys.stderr)
        return 1
    template = _load_template(args.layout) if args.layout else None
    if template is not None:
        check_layout(template[0], {k: Path(d) for k, d in sources.items()}, where=str(args.layout))
    # two jobs that would write the same output: refused before any job starts
    by_output: dict[Path, list[JobSpec]] = {}
    for job in jobs:
        final = resolve_output(job.reference, job.sources, output_dir=args.output, overwrite=True,
                               analyze_only=True).final
        by_output.setdefault(final, []).append(job)
    clashes = {f: js for f, js in by_output.items() if len(js) > 1}
    if clashes:
        lines = [f"{f.name}: " + ", ".join(str(j.reference) for j in js) for f, js in clashes.items()]
        raise SettingsError("these jobs would write the same output file (rename one of the reference "
                            "files): " + "; ".join(lines))
    from ..pipeline.orchestrator import run_job

    token = cancel_token(args)
    print(f"[Queue] {len(jobs)} job(s) from {args.reference}", file=sys.stderr, flush=True)
    if args.cluster:
        if args.workers != 1:
            raise SettingsError("--workers sets the local executor's parallelism; with --cluster the cluster's "
                                "workers run the jobs (local:N starts N of them)")
        return _run_cluster(args, jobs, settings, template)

    def one(job: JobSpec) -> JobResult:
        cbs = [lambda line: print(f"[{job.name}] {line}", file=sys.stderr, flush=True)] if args.verbose else []
        if token is not None and token.cancelled:
            return JobResult(CANCELLED, job.reference.name, job.reference, error=f"not started: {token.reason}")
        if len(job.sources) < 2:
            r = JobResult(FAILED, job.reference.name, job.reference,
                          error="no matching file in the other folders")
            return r
        try:
            layout, how = (None, "analysis only") if args.analyze_only else layout_for(job, template)
        except (VsgError, OSError) as e:  # identification failure: report per job
            return JobResult(FAILED, job.reference.name, job.reference, error=str(e))
        print(f"[Queue] {job.name}: starting ({how})", file=sys.stderr, flush=True)
        res = run_job(job, settings, output_dir=args.output, layout=layout, analyze_only=args.analyze_only,
                      log_callbacks=cbs, cancel_token=token, overwrite=args.overwrite)
        print(f"[Queue] {job.name}: {res.status}" + (f" ({res.error})" if res.error else ""),
              file=sys.stderr, flush=True)
        return res

    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        # waited for in short steps, so the main thread runs the signal handlers while jobs are running
        results = [wait_result(f) for f in [pool.submit(one, job) for job in jobs]]
    if token is not None and token.cancelled:
        report(args, results)
        return exit_code(token)
    return report(args, results)


def _run_cluster(args: argparse.Namespace, jobs: list[JobSpec], settings: Settings,
                 template: tuple[Layout, dict | None] | None) -> int:
    from ..cluster import parse_cluster, run_on_cluster
    from ..config import AVAILABLE
    from ..pipeline import JobResult

    spec = parse_cluster(args.cluster)
    raw = run_on_cluster(
        spec, [{k: str(v) for k, v in j.sources.items()} for j in jobs],
        {k: v for k, v in settings.as_dict().items() if k in AVAILABLE}, args.output,
        None if template is None else (template[0].to_json(), template[1]), args.analyze_only,
        retries=settings["cluster_retries"], overwrite=args.overwrite)
    return report(args, [JobResult.from_json(r) for r in raw])


def report(args: argparse.Namespace, results: list) -> int:
    """Print the results (JSON or the summary table); the exit code: 0 only when every job succeeded."""
    from ..pipeline import ANALYZED, MERGED
    from .report import print_many

    print_many(results, as_json=args.json)
    return 0 if all(r.status in (MERGED, ANALYZED) for r in results) else 1
