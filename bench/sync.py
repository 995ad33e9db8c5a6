"""`vsg sync` against a bare mkvmerge remux of the same tracks, in one run.

    .venv/bin/python bench/sync.py [--case episode24] [--repeat 3]

For the generated pair (default: the 24-minute episode, FLAC reference with video and subtitles, AC-3 other
release with subtitles), each a fresh subprocess, min of ``--repeat`` runs:

1. ``vsg analyze`` (wall);
2. ``vsg sync`` with the default layout, post-mux audit included (wall, peak RSS of the process tree's
   largest member, and the peak size of its temp folder, sampled every 10 ms);
3. a bare ``mkvmerge`` remux of the same tracks (the reference's video, audio and subtitles, the other
   release's audio and subtitles with ``--sync`` at the delay vsg found).

Prints the target of the speed issue: sync ≤ analysis + 1.5 × remux + 0.5 s.

Each sync's log (stderr) is read as it is written, and the times its phase markers appear give, per run: the
analysis phase (``--- Analysis Phase ---`` → ``--- Extraction Phase ---``), the gap from the end of the analysis
to the start of the mux, the mux, and the post-mux audit (its marker → the end of the process). ``vsg sync``
runs with the setting ``prepare_during_analysis`` on (the default) and off, alternately, so the two can be
compared under the same machine load: on should close the gap without making the analysis phase noticeably
longer.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VSG = [sys.executable, "-m", "vsg_core.cli"]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import MeasuredRun  # noqa: E402  (bench/ is on sys.path when run as a script)


def _tree_size(root: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            try:
                total += os.lstat(os.path.join(dirpath, f)).st_size
            except OSError:
                pass
    return total


MARKERS = {"analysis": "--- Analysis Phase ---", "extraction": "--- Extraction Phase ---", "mux": "--- Mux ---",
           "audit": "--- Post-Merge: Running Final Audit ---"}


def _timed(cmd: list[str], env: dict[str, str], watch: Path | None = None,
           marks: dict[str, float] | None = None) -> tuple[float, float, int, str]:
    """(wall s, peak RSS MB of the process tree's largest member (wait4 in the launcher of ``_common``), peak
    bytes under ``watch``, stdout). Wall is measured by the launcher (fork to exit); the marks are seconds
    since this process started the launcher (a bare interpreter, ~15 ms earlier than the fork).

    ``marks``: filled with the time (s from the start) each of :data:`MARKERS` appeared on stderr."""
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_size(watch)) if watch is not None else 0
            stop.wait(0.01)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    t0 = time.perf_counter()
    err_lines: list[str] = []

    def read_log(stream) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode(errors="replace").rstrip("\n")
            err_lines.append(line)
            if marks is not None:
                for name, marker in MARKERS.items():
                    if line == marker and name not in marks:
                        marks[name] = time.perf_counter() - t0

    with tempfile.TemporaryFile() as out:
        run = MeasuredRun(cmd, env=env, stdout=out, stderr=subprocess.PIPE)
        reader = threading.Thread(target=read_log, args=(run.proc.stderr,), daemon=True)
        reader.start()
        m = run.wait()
        wall = m.wall_s
        stop.set()
        th.join()
        reader.join()
        out.seek(0)
        stdout, stderr = out.read().decode(), "\n".join(err_lines)
    if m.code != 0:
        raise SystemExit(f"command failed ({m.code}): {' '.join(cmd)}\n{stderr[-2000:]}")
    return wall, m.peak_mb, peak, stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default="episode24")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from vsg_core.identification import mkvmerge_identify
    from vsg_core.testmedia import build_case

    cf = build_case(args.case)
    ref, oth = str(cf.reference), str(cf.other)
    with tempfile.TemporaryDirectory(prefix="vsg_bench_sync_") as tmp:
        root = Path(tmp)
        temp_root = root / "t"
        temp_root.mkdir()
        env = dict(os.environ, VSG_SETTINGS=str(root / "settings.json"), VSG_SET_TEMP_ROOT=str(temp_root))
        load = os.getloadavg()[0]
        print(f"# bench/sync.py — case {args.case}: {Path(ref).name} vs {Path(oth).name}; "
              f"{os.cpu_count()} CPUs; load {load:.1f}; min of {args.repeat}")

        analyze = [_timed([*VSG, "analyze", ref, oth, "--json"], env) for _ in range(args.repeat)]
        a_wall = min(a[0] for a in analyze)
        data = json.loads(analyze[0][3])
        delay = _delay_ms(data)

        syncs = []
        phases: dict[bool, list[dict[str, float]]] = {True: [], False: []}
        walls: dict[bool, list[float]] = {True: [], False: []}
        for i in range(args.repeat):
            for prepare in (True, False):
                out = root / f"sync{i}_{prepare}.mkv"
                marks: dict[str, float] = {}
                run_env = dict(env, VSG_SET_PREPARE_DURING_ANALYSIS="true" if prepare else "false")
                res = _timed([*VSG, "sync", ref, oth, "-o", str(out)], run_env, temp_root, marks)
                marks["end"] = res[0]
                if prepare:
                    syncs.append(res)
                phases[prepare].append(marks)
                walls[prepare].append(res[0])
                out.unlink(missing_ok=True)
                out.with_suffix(".log").unlink(missing_ok=True)
        s_wall = min(s[0] for s in syncs)
        s_rss = min(s[1] for s in syncs)
        s_temp = max(s[2] for s in syncs)

        tracks = mkvmerge_identify(oth).tracks
        audio = [t["id"] for t in tracks if t.get("type") == "audio"]
        subs = [t["id"] for t in tracks if t.get("type") == "subtitles"]
        remux = ["mkvmerge", "-q", "-o", str(root / "remux.mkv"), ref, "-D", "--no-chapters",
                 "--audio-tracks", ",".join(map(str, audio)),
                 *(["--subtitle-tracks", ",".join(map(str, subs))] if subs else ["-S"]),
                 *[x for tid in audio + subs for x in ("--sync", f"{tid}:{round(delay)}")], oth]
        remuxes = [_timed(remux, env) for _ in range(args.repeat)]
        r_wall = min(r[0] for r in remuxes)

    print(f"{'vsg sync phases (from the live log)':<44} {'min':>8} {'median':>8}")
    for prepare in (True, False):
        tag = "prepared" if prepare else "in turn "
        rows = [("analysis phase", lambda m: m["extraction"] - m["analysis"]),
                ("analysis end → mux start", lambda m: m["mux"] - m["extraction"]),
                ("mux (→ audit)", lambda m: m["audit"] - m["mux"]),
                ("audit (→ end of vsg sync)", lambda m: m["end"] - m["audit"]),
                ("start → mux start", lambda m: m["mux"])]
        for name, fn in rows:
            vals = sorted(fn(m) for m in phases[prepare] if all(k in m for k in MARKERS))
            if vals:
                print(f"  {tag} {name:<33} {vals[0]:8.3f} {vals[len(vals) // 2]:8.3f}")
        w = sorted(walls[prepare])
        print(f"  {tag} {'whole sync':<33} {w[0]:8.3f} {w[len(w) // 2]:8.3f}")
    target = a_wall + 1.5 * r_wall + 0.5
    print(f"{'step':<44} {'wall s':>8}")
    print(f"{'vsg analyze':<44} {a_wall:8.2f}")
    print(f"{'vsg sync (analysis, mux, audit; prepared)':<44} {s_wall:8.2f}   peak RSS {s_rss:.0f} MB, "
          f"temp folder peak {s_temp / 2**20:.1f} MB")
    print(f"{'bare mkvmerge remux, same tracks':<44} {r_wall:8.2f}")
    print(f"target: sync ≤ analysis + 1.5 × remux + 0.5 s = {target:.2f} s → "
          f"{'met' if s_wall <= target else 'NOT met'} (sync/remux = {s_wall / r_wall:.1f}×)")
    return 0


def _delay_ms(data: dict) -> float:
    """The delay `vsg analyze --json` found for Source 2 (ms)."""
    for src in data.get("sources", []):
        if isinstance(src.get("delay_ms"), (int, float)):
            return float(src["delay_ms"])
    raise SystemExit(f"no delay in vsg analyze --json output: {list(data)}")


if __name__ == "__main__":
    raise SystemExit(main())
