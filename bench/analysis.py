"""Benchmark of the Phase 2 correlation engine: Rust vs the Python reference, in one run.

    .venv/bin/python bench/analysis.py [--case episode24] [--repeat 10] [--quick]

Prints a compact table (copy the numbers into MIGRATION_PLAN.md):

1. **Correlation on identical chunks** (the 10 chunk windows of the case, decoded once; synthetic chunks
   too): the Python reference of the original algorithm (GCC-PHAT, FFT length 2L−1, identical windows), the Python
   reference of vsg's algorithm (fast real FFTs, chunk ± 15 s target windows, mask, fit) and Rust running
   vsg's algorithm (the default) and the original's; ratios of the same-algorithm and of the
   default-vs-reference pairs.
2. **Whole analysis** of the episode against its other release, decode included, each path in its own
   subprocess: Python reference path = ``CorrelationOptions.spec()`` (full decodes, band-pass over the
   whole signal, spec correlation) with the Python backend; vsg path with the Python backend; Rust path =
   vsg defaults with the Rust backend. Wall time, split into decode/correlate, and peak RSS of the
   analysing process (``VmHWM``; ffmpeg children are separate processes).
3. **RSS growth** over ``--repeat`` consecutive Rust-path analyses in one process (RSS after the first vs
   after the last).
4. **Where the time goes** (``--phases``): ``vsg analyze`` (Rust backend) under cProfile — Python imports,
   identification (ffprobe, mkvmerge -J), decode, correlation, diagnosis, rest — wall and CPU (this process
   plus its ffmpeg children, so a loaded machine shows up as wall ≫ CPU).
5. **Codec pairs and programme length** (``--codecs``): ``vsg analyze`` as a user runs it (a fresh process,
   min of 3: wall and peak RSS of the process tree's largest member) for the episode's other release
   re-encoded to each codec of the generator, and for a 2.4-hour film (both releases looped, see
   ``bench/media_variants.py``) with the codecs of ``--film``: decode modes, max |raw − truth|, and the
   film/episode time ratio (requirement ≤ 1.5).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import MeasuredRun, compile_sources, peak_mb  # noqa: E402  (bench/ is on sys.path when run as a script)


# ---------------------------------------------------------------------------------------------- workers
def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20



def worker_analysis(path: str, ref: str, tgt: str) -> dict:
    """One whole analysis in this (fresh) process: timings and peak RSS."""
    from vsg_core.analysis.correlate import correlate_files
    from vsg_core.analysis.correlation_options import CorrelationOptions

    opts = CorrelationOptions.spec() if path == "python-reference" else CorrelationOptions()
    backend = "rust" if path == "rust" else "python"
    base = _rss_mb()
    t0 = time.perf_counter()
    run = correlate_files(ref, tgt, opts, backend=backend)
    wall = time.perf_counter() - t0
    return {"path": path, "wall_s": wall, "decode_s": run.timings.get("decode", 0.0),
            "correlate_s": run.timings.get("correlate", 0.0), "peak_rss_mb": peak_mb(),
            "start_rss_mb": base, "delays": [c.raw_delay_ms for c in run.chunks],
            "decode": run.decode}


def worker_repeat(ref: str, tgt: str, n: int) -> dict:
    from vsg_core.analysis.correlate import correlate_files
    from vsg_core.analysis.correlation_options import CorrelationOptions

    rss = []
    for _ in range(n):
        correlate_files(ref, tgt, CorrelationOptions(), backend="rust")
        rss.append(_rss_mb())
    return {"rss_mb": rss, "peak_rss_mb": peak_mb()}


def _in_subprocess(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------- chunks
def _time(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def bench_chunks(refs: list, tgts_same: list, tgts_win: list, label: str, methods: list[str],
                 repeat: int) -> list[tuple[str, str, float, float, float, float]]:
    from vsg_core.analysis.correlate import correlate_lags
    from vsg_core.analysis.correlation_options import CorrelationOptions

    vsg, spec = CorrelationOptions(), CorrelationOptions.spec()
    rows = []
    for m in methods:
        py_ref = _time(lambda m=m: correlate_lags(refs, tgts_same, m, spec, backend="python"), 1)
        py_vsg = _time(lambda m=m: correlate_lags(refs, tgts_win, m, vsg, backend="python"), 1)
        rs_vsg = _time(lambda m=m: correlate_lags(refs, tgts_win, m, vsg, backend="rust"), repeat)
        rs_spec = _time(lambda m=m: correlate_lags(refs, tgts_same, m, spec, backend="rust"), repeat)
        rows.append((label, m, py_ref, py_vsg, rs_vsg, rs_spec))
    return rows


def case_chunks(ref: Path, tgt: Path) -> tuple[list, list, list]:
    """The case's 10 default chunk windows, decoded once (reference chunk, same target window, ±15 s)."""
    from vsg_core.analysis import decode as dec
    from vsg_core.analysis.chunks import place_chunks
    from vsg_core.analysis.correlation_options import CorrelationOptions

    o = CorrelationOptions()
    ri, ti = dec.probe(ref), dec.probe(tgt)
    chunks = place_chunks(ri.est_samples, ti.est_samples, o.chunk_count, o.chunk_duration_s,
                          o.scan_start_pct, o.scan_end_pct)
    m = o.search_samples
    with dec.window_store([dec.Window(c.start, c.length) for c in chunks]) as rs_, \
            dec.window_store([dec.Window(c.start - m, c.length + 2 * m) for c in chunks]) as ts_:
        dec.decode_windows(ri, rs_)
        dec.decode_windows(ti, ts_)
        refs = [rs_.load(i) for i in range(len(chunks))]
        wins = [ts_.load(i) for i in range(len(chunks))]
    same = [w[m:m + r.size].copy() for r, w in zip(refs, wins, strict=True)]
    return refs, same, wins


def synthetic_chunks(n: int = 10, seconds: float = 15.0) -> tuple[list, list, list]:
    import numpy as np

    rng = np.random.default_rng(1)
    L = round(seconds * 48000)
    m = L
    refs, same, wins = [], [], []
    for _ in range(n):
        x = rng.standard_normal(L + 2 * m).astype(np.float32)
        d = int(rng.integers(-24000, 24000))
        y = np.roll(x, d) + 0.3 * rng.standard_normal(x.size).astype(np.float32)
        refs.append(x[m:m + L].copy())
        wins.append(y.astype(np.float32))
        same.append(y[m:m + L].astype(np.float32).copy())
    return refs, same, wins


# ---------------------------------------------------------------------------------------------- phases
# Where the time goes, measured from the outside of vsg's functions: every external command is timed where the
# runner starts and waits for it (identification = ffprobe, mkvmerge, mkvextract; decode = ffmpeg), the
# analysis engine's methods (both backends' classes) give correlation and diagnosis.
ENGINE_PHASES = {"correlate_fft": "correlation", "coarse_search": "correlation", "dbscan": "diagnosis",
                 "select_delay": "diagnosis", "diagnose": "diagnosis"}
TOOL_PHASES = {"ffmpeg": "decode", "ffprobe": "identification", "mkvmerge": "identification",
               "mkvextract": "identification"}


def worker_phases(ref: str, tgt: str) -> dict:
    """``vsg analyze`` in this fresh process; each phase's intervals are recorded (decodes and identification
    run in threads, so a phase's time is the union of its intervals, i.e. its wall time). Imports are timed
    separately; "rest" is the wall time covered by no phase (start-up, planning, logging, exit)."""
    import functools

    t0 = time.perf_counter()
    c0 = os.times()
    import vsg_core.runner as runner
    spans: dict[str, list[tuple[float, float]]] = {k: [] for k in (*TOOL_PHASES.values(), "correlation",
                                                                   "diagnosis")}
    counts: dict[str, int] = {}

    def timed_tool(fn):
        @functools.wraps(fn)
        def wrapper(args, *a, **kw):
            tool = Path(str(args[0])).name
            phase = TOOL_PHASES.get(tool, "identification")
            counts[tool] = counts.get(tool, 0) + 1
            start = time.perf_counter()
            try:
                return fn(args, *a, **kw)
            finally:
                spans[phase].append((start, time.perf_counter()))
        return wrapper

    runner._run_cancellable = timed_tool(runner._run_cancellable)
    runner._run_streaming = timed_tool(runner._run_streaming)
    import vsg_core.cli as cli  # imports counted as a phase
    import vsg_core.commands.analyze  # noqa: F401
    from vsg_core.analysis import engine as eng

    t_imp = time.perf_counter() - t0
    for cls in (eng.PythonEngine, eng.RustEngine):
        for name, phase in ENGINE_PHASES.items():
            fn = getattr(cls, name)

            @functools.wraps(fn)
            def timed(*args, __fn=fn, __phase=phase, **kw):
                start = time.perf_counter()
                try:
                    return __fn(*args, **kw)
                finally:
                    spans[__phase].append((start, time.perf_counter()))
            setattr(cls, name, timed)
    cli.main(["--backend", "rust", "analyze", "-q", ref, tgt])
    wall = time.perf_counter() - t0
    c1 = os.times()
    cpu = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user) + \
        (c1.children_system - c0.children_system)
    out = {"import": t_imp}
    covered: list[tuple[float, float]] = []
    for phase, iv in spans.items():
        tot, end = 0.0, float("-inf")
        for a, b in sorted(iv):
            if b > end:
                tot += b - max(a, end)
                end = b
        out[phase] = tot
        covered += iv
    tot, end = 0.0, float("-inf")
    for a, b in sorted(covered):                     # wall time covered by any phase (they overlap)
        if b > end:
            tot += b - max(a, end)
            end = b
    out["rest"] = wall - t_imp - tot
    return {"phases": out, "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak_mb(), "commands": counts}


def bench_phases(ref: Path, tgt: Path, repeat: int = 3) -> None:
    runs = [_in_subprocess("phases", str(ref), str(tgt)) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["wall_s"])
    print("\n## 4. Where the time goes: `vsg analyze` (Rust), best of 3 by wall (seconds; phases overlap, so")
    print("   they add up to more than the wall time; rest = time in no phase)")
    print("  ".join(f"{k} {v:.3f}" for k, v in best["phases"].items()))
    print("commands run: " + ", ".join(f"{k} ×{v}" for k, v in sorted(best["commands"].items())))
    print(f"wall {best['wall_s']:.3f}  CPU (with ffmpeg children) {best['cpu_s']:.3f}  "
          f"peak RSS {best['peak_rss_mb']:.0f} MB")


def cli_run(ref: Path, tgt: Path, repeat: int = 3) -> dict:
    """``vsg analyze`` (Rust) in a fresh process, min wall of ``repeat``, its peak RSS (the largest process
    of the tree: Python; ffmpeg children are separate; measured by the launcher of ``_common``) and the JSON
    result of the last run."""
    best, rss, res = float("inf"), 0.0, {}
    for _ in range(repeat):
        run = MeasuredRun([sys.executable, "-m", "vsg_core.cli", "--backend", "rust", "analyze", "--json",
                           str(ref), str(tgt)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
        out = run.proc.stdout.read() if run.proc.stdout else b""
        m = run.wait()
        best = min(best, m.wall_s)
        rss = max(rss, m.peak_mb)
        try:
            res = json.loads(out)
        except ValueError:
            res = {}
    return {"wall_s": best, "peak_rss_mb": rss, "result": res}


def _summary(res: dict, truth: float) -> tuple[float, str]:
    src = (res.get("sources") or [{}])[0]
    raws = [c["raw_delay_ms"] for c in src.get("chunks", []) if c.get("accepted")]
    err = max((abs(r - truth) for r in raws), default=float("nan"))
    return err, f"{src.get('diagnosis', '?')} {len(raws)} chunks"


def bench_codecs(ref: Path, tgt: Path, truth: float, film_codecs: list[str]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from media_variants import BENCH_CODECS, codec_variant, looped_film

    from vsg_core.analysis import decode as dec

    print("\n## 5. `vsg analyze` per codec pair (FLAC reference; min of 3; requirement ≤ 1.0 s, ≤ 200 MB)")
    print(f"{'pair':22s} {'wall s':>7s} {'RSS MB':>7s} {'max |err| ms':>13s}  decode modes / result")
    episode: dict[str, float] = {}
    for codec in BENCH_CODECS:
        t = codec_variant(tgt, codec)
        r = cli_run(ref, t)
        err, what = _summary(r["result"], truth)
        modes = _modes(dec, ref, t)
        episode[codec] = r["wall_s"]
        print(f"{'episode flac/' + codec:22s} {r['wall_s']:7.2f} {r['peak_rss_mb']:7.0f} {err:13.4f}  {modes} {what}")
    for codec in film_codecs:
        fr, ft = looped_film(ref, tgt, codec)
        r = cli_run(fr, ft)
        err, what = _summary(r["result"], truth)
        ratio = r["wall_s"] / episode[codec] if codec in episode else float("nan")
        print(f"{'film2.4h flac/' + codec:22s} {r['wall_s']:7.2f} {r['peak_rss_mb']:7.0f} {err:13.4f}  "
              f"{_modes(dec, fr, ft)} {what}; film/episode = {ratio:.2f} (requirement ≤ 1.5)")


def _modes(dec, ref: Path, tgt: Path) -> str:
    """Which decode strategy each file gets (auto mode, no speed hypothesis)."""
    def mode(p: Path) -> str:
        i = dec.probe(p)
        return "seek" if dec.seek_is_exact(i) else "framed" if dec.frame_grid(i) else "stream"
    return f"{mode(ref)}/{mode(tgt)}"


# ---------------------------------------------------------------------------------------------- main
def main() -> int:
    compile_sources()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default="episode24")
    ap.add_argument("--repeat", type=int, default=10, help="consecutive analyses for the RSS-growth check")
    ap.add_argument("--quick", action="store_true", help="GCC-PHAT only on the chunks")
    ap.add_argument("--phases", action="store_true", help="only section 4 (where the time goes)")
    ap.add_argument("--codecs", action="store_true", help="only section 5 (codec pairs, programme length)")
    ap.add_argument("--film", default="aac,opus,ac3", help="codecs of the 2.4-hour film in section 5")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        kind, *rest = a.worker
        res = worker_repeat(rest[0], rest[1], int(rest[2])) if kind == "repeat" else \
            worker_phases(rest[0], rest[1]) if kind == "phases" else worker_analysis(kind, rest[0], rest[1])
        print(json.dumps(res))
        return 0

    import vsg_core_rs  # noqa: F401  (fail loudly when the extension is missing)
    from vsg_core.testmedia import build_case

    cf = build_case(a.case)
    ref, tgt = cf.reference, cf.other
    truth = cf.truth.sync.correlation_delay_ms
    print(f"# bench/analysis.py — case {a.case}: {ref.name} vs {tgt.name} (truth {truth:+.3f} ms); "
          f"{os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")
    if a.phases or a.codecs:
        if a.phases:
            bench_phases(ref, tgt)
        if a.codecs:
            bench_codecs(ref, tgt, truth, [c for c in a.film.split(",") if c])
        return 0

    methods = ["gcc_phat"] if a.quick else ["gcc_phat", "scc", "gcc_scot", "gcc_whiten"]
    rows = bench_chunks(*case_chunks(ref, tgt), a.case, methods, 3)
    rows += bench_chunks(*synthetic_chunks(), "synthetic", ["gcc_phat"], 3)
    print("\n## 1. Correlation of 10 × 15 s chunks (seconds; ratio = Python / Rust)")
    print(f"{'chunks':10s} {'method':11s} {'py spec':>8s} {'py vsg':>8s} {'rs vsg':>8s} {'rs spec':>8s} "
          f"{'spec/vsg-rs':>12s} {'py/rs vsg':>10s} {'py/rs spec':>11s}")
    for label, m, p_ref, p_vsg, r_vsg, r_spec in rows:
        print(f"{label:10s} {m:11s} {p_ref:8.2f} {p_vsg:8.2f} {r_vsg:8.2f} {r_spec:8.2f} {p_ref / r_vsg:11.1f}× "
              f"{p_vsg / r_vsg:9.1f}× {p_ref / r_spec:10.1f}×")

    print(f"(peak RSS of this benchmark process so far: {peak_mb():.0f} MB)")
    print("\n## 2. Whole analysis, decode included (one subprocess per path)")
    res = {p: _in_subprocess(p, str(ref), str(tgt)) for p in ("python-reference", "python-vsg", "rust")}
    print(f"{'path':17s} {'wall s':>7s} {'decode':>7s} {'correl':>7s} {'peak RSS MB':>12s} "
          f"{'max |err| ms':>12s}  decode")
    for p, r in res.items():
        err = max(abs(d - truth) for d in r["delays"]) if r["delays"] else float("nan")
        print(f"{p:17s} {r['wall_s']:7.2f} {r['decode_s']:7.2f} {r['correlate_s']:7.2f} "
              f"{r['peak_rss_mb']:12.0f} {err:12.4f}  {r['decode']}")
    ratio = res["rust"]["wall_s"] / res["python-reference"]["wall_s"]
    print(f"Rust path / Python reference path = {ratio:.3f} (requirement ≤ 0.25); "
          f"Rust path / Python vsg path = {res['rust']['wall_s'] / res['python-vsg']['wall_s']:.3f}")

    print(f"\n## 3. RSS over {a.repeat} consecutive Rust-path analyses in one process")
    rep = _in_subprocess("repeat", str(ref), str(tgt), str(a.repeat))
    rss = rep["rss_mb"]
    growth = (rss[-1] - rss[0]) / rss[0] * 100.0
    print(f"RSS after each (MB): {', '.join(f'{v:.0f}' for v in rss)}")
    print(f"growth first→last: {growth:+.1f} % (requirement < 5 %); peak RSS {rep['peak_rss_mb']:.0f} MB "
          f"(requirement < 300 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
