"""Benchmark of the subtitle core: parse + shift + write of a 10 000-line ASS file, Rust vs the Python
reference, in one run.

    .venv/bin/python bench/subtitles.py [--lines 10000] [--repeat 5]

Paths: the Python reference (vsg_core.subtitles.engine.engine("python")), the Rust engine through the same
interface (per-call bindings), and the one-call Rust path (``vsg_core_rs.subtitles_shift_bytes``). Each is
run without and with frame-exact rounding on a 24000/1001 grid; best of ``--repeat`` runs. All outputs are
checked to be byte-identical before timing is reported.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_ass(n: int) -> bytes:
    head = ("[Script Info]\r\n; bench\r\nScriptType: v4.00+\r\nPlayResX: 1920\r\nPlayResY: 1080\r\n\r\n"
            "[V4+ Styles]\r\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
            "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, "
            "Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\r\n"
            "Style: Default,Arial,72,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,3,1,2,"
            "20,20,40,1\r\n\r\n[Events]\r\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, "
            "Effect, Text\r\n")
    lines = []
    for i in range(n):
        s = i * 2370 + (i % 7) * 10
        e = s + 1800
        def t(ms: int) -> str:
            cs = ms // 10
            return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"
        lines.append(f"Dialogue: 0,{t(s)},{t(e)},Default,,0,0,0,,Line {i}, {{\\i1}}with tags{{\\i0}} and "
                     f"text that is about as long as a real subtitle line\\Nsecond line {i}\r\n")
    return (head + "".join(lines)).encode("utf-8")


def best(fn, repeat: int) -> tuple[float, bytes]:
    out = b""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    import vsg_core_rs
    from vsg_core.subtitles.engine import engine

    data = make_ass(args.lines)
    py, rs = engine("python"), engine("rust")
    print(f"ASS file: {args.lines} dialogue lines, {len(data) / 1e6:.2f} MB; best of {args.repeat} runs")
    print(f"{'path':44s} {'no grid':>10s} {'24000/1001 grid':>16s}")
    rows = {}
    for label, grid in (("no grid", None), ("grid", (24000, 1001))):
        def run_py(grid=grid):
            d = py.parse(data, "ass")
            d.shift(1234.567)
            return d.to_bytes(grid)

        def run_rs(grid=grid):
            d = rs.parse(data, "ass")
            d.shift(1234.567)
            return d.to_bytes(grid)

        def run_rs1(grid=grid):
            return vsg_core_rs.subtitles_shift_bytes(data, "ass", 1234.567, grid)

        tp, op = best(run_py, args.repeat)
        tr, orr = best(run_rs, args.repeat)
        t1, o1 = best(run_rs1, args.repeat)
        if not (op == orr == o1):
            raise SystemExit("outputs differ between the backends")
        rows[label] = (tp, tr, t1)
    for i, name in enumerate(("Python reference", "Rust (engine interface)", "Rust (one call)")):
        print(f"{name:44s} {rows['no grid'][i] * 1000:8.1f} ms {rows['grid'][i] * 1000:14.1f} ms")
    for label in ("no grid", "grid"):
        tp, tr, t1 = rows[label]
        print(f"ratio Python/Rust ({label}): engine {tp / tr:.1f}x, one call {tp / t1:.1f}x")


if __name__ == "__main__":
    main()
