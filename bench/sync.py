"""`vsg sync` against a bare mkvmerge remux of the same tracks, in one run.

    .venv/bin/python bench/sync.py [--case episode24] [--repeat 3]

For the generated pair (default: the 24-minute episode, FLAC reference with video and subtitles, AC-3 other
release with subtitles), each a fresh subprocess, min of ``--repeat`` runs:

1. ``vsg analyze`` (wall);
2. ``vsg sync`` with the default layout, post-mux audit included (wall, peak RSS of the process tree's
   largest member, and the peak size of its temp folder, sampled every 10 ms);
3. a bare ``mkvmerge`` remux of the same tracks (the reference's video, audio and subtitles, the other
   release's audio and subtitles with ``--sync`` at the delay vsg found);
4. the post-mux audit alone on the last sync's output (in this process, ``audit.measure_residuals``: the
   windowed decode and the correlation, docs/audit.md), to show its share of the sync.

Prints the target of the speed issue: sync ≤ analysis + 1.5 × remux + 0.5 s.
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


def _tree_size(root: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            try:
                total += os.lstat(os.path.join(dirpath, f)).st_size
            except OSError:
                pass
    return total


def _timed(cmd: list[str], env: dict[str, str], watch: Path | None = None) -> tuple[float, float, int, str]:
    """(wall s, peak RSS MB of the process tree's largest member (wait4), peak bytes under ``watch``, stdout)."""
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
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        stop.set()
        th.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024.0, peak, stdout


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
        for i in range(args.repeat):
            out = root / f"sync{i}.mkv"
            syncs.append(_timed([*VSG, "sync", ref, oth, "-o", str(out), "-q"], env, temp_root))
            if i + 1 < args.repeat:
                out.unlink(missing_ok=True)
        audit_wall = _audit_wall(out, args.repeat)
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

    target = a_wall + 1.5 * r_wall + 0.5
    print(f"{'step':<44} {'wall s':>8}")
    print(f"{'vsg analyze':<44} {a_wall:8.2f}")
    print(f"{'vsg sync (analysis, mux, audit)':<44} {s_wall:8.2f}   peak RSS {s_rss:.0f} MB, "
          f"temp folder peak {s_temp / 2**20:.1f} MB")
    print(f"{'  of which the audit (alone, in-process)':<44} {audit_wall:8.2f}   "
          f"({audit_wall / s_wall * 100:.0f} % of the sync)")
    print(f"{'bare mkvmerge remux, same tracks':<44} {r_wall:8.2f}")
    print(f"target: sync ≤ analysis + 1.5 × remux + 0.5 s = {target:.2f} s → "
          f"{'met' if s_wall <= target else 'NOT met'} (sync/remux = {s_wall / r_wall:.1f}×)")
    return 0


def _audit_wall(output: Path, repeat: int) -> float:
    """Min wall time of the audit's measurement (identification included) on ``output``."""
    from vsg_core.log import JobLog
    from vsg_core.pipeline import audit

    best = float("inf")
    for _ in range(repeat + 1):   # the first run also imports the correlation engine
        t0 = time.perf_counter()
        info = audit._identify(output, None)
        duration = info["container"]["properties"]["duration"] / 1e9
        res = audit.measure_residuals(output, [], info["tracks"], JobLog(None), None, duration)
        best = min(best, time.perf_counter() - t0)
        if not res or not all(r.ok for r in res):
            raise SystemExit(f"the audit of {output.name} did not pass: {[r.reason for r in res]}")
    return best


def _delay_ms(data: dict) -> float:
    """The delay `vsg analyze --json` found for Source 2 (ms)."""
    for src in data.get("sources", []):
        if isinstance(src.get("delay_ms"), (int, float)):
            return float(src["delay_ms"])
    raise SystemExit(f"no delay in vsg analyze --json output: {list(data)}")


if __name__ == "__main__":
    raise SystemExit(main())
