"""The WASM build of the clip core and the static page web/.

- web/build_wasm.sh builds web/vsg_clip.wasm with a rustc that has the wasm32 standard library (Debian's
  rustc + libstd-rust-dev-wasm32 + lld; ./setup_env.sh installs them). Missing tools fail loudly.
- Node loads the module; native (vsg_core_rs) and WASM answers agree on every case of the shared table
  tests/data/clip_cases.json, and both match its hand-written expectations.
- Headless Chromium (Debian's chromium, driven over the DevTools protocol by tests/web/page_driver.js) opens
  web/index.html on a generated video, sets in/out points on the <video> element, adds clips by typed
  timestamps, and the page shows the validated clip list and the batch JSON; an invalid clip shows an error.
Tolerance: exact (identical values and messages).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import vsg_core_rs
from vsg_core.clip.engine import RustClipEngine
from vsg_core.clip.types import ClipError, ClipRange, EncodeSettings

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CASES = ROOT / "tests" / "data" / "clip_cases.json"


def _need(tool: str, hint: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: {hint} (or run ./setup_env.sh)")
    return path


@pytest.fixture(scope="session")
def wasm() -> Path:
    proc = subprocess.run(["bash", str(WEB / "build_wasm.sh")], capture_output=True, text=True)
    assert proc.returncode == 0, f"web/build_wasm.sh failed:\n{proc.stdout}\n{proc.stderr}"
    out = WEB / "vsg_clip.wasm"
    assert out.stat().st_size > 1000
    return out


def _node() -> str:
    return _need("node", "sudo apt-get install nodejs")


def _native(fn: str, args: list[Any]) -> dict[str, Any]:
    eng = RustClipEngine()
    try:
        if fn == "parse_timestamp":
            t = eng.parse_timestamp(*args)
            return {"ok": True, "ms": t.ms, "form": t.form}
        if fn == "format_timestamp":
            if args[1] not in ("hms", "ms", "seconds", "human", "iso"):
                vsg_core_rs.clip_format_timestamp(*args)
            return {"ok": True, "text": eng.format_timestamp(*args)}
        if fn == "resolve_range":
            r = eng.resolve_range(*args)
            return {"ok": True, "start_ms": r.start_ms, "end_ms": r.end_ms, "duration_ms": r.duration_ms}
        if fn == "plan":
            p = args[0]
            plan = eng.plan_clip(p["input"], p["output"], p["output_dir"], ClipRange(p["start_ms"], p["end_ms"]),
                                 p["mode"], EncodeSettings(p["video_codec"], p["audio_codec"], p["preset"],
                                                           p["crf"], p["max_file_size"]), p["taken"])
            return {"ok": True, "output": plan.output, "args": list(plan.args), "start_ms": plan.start_ms,
                    "end_ms": plan.end_ms, "mode": plan.mode}
        if fn == "progress_fraction":
            return {"ok": True, "fraction": eng.progress_fraction(*args)}
    except (ClipError, ValueError) as e:
        return {"ok": False, "error": str(e)}
    raise AssertionError(f"unknown case function {fn}")


def _matches(answer: dict[str, Any], expect: dict[str, Any]) -> bool:
    if not expect["ok"]:
        want = expect["contains"] if "contains" in expect else f"'{expect['quotes']}'"
        return answer["ok"] is False and want in answer["error"]
    return all(answer.get(k) == v for k, v in expect.items())


def test_native_and_wasm_agree_on_the_case_table(wasm: Path) -> None:
    table = json.loads(CASES.read_text(encoding="utf-8"))["cases"]
    proc = subprocess.run([_node(), str(ROOT / "tests" / "web" / "run_cases.js"), str(wasm), str(CASES)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    wasm_answers = json.loads(proc.stdout)
    assert len(wasm_answers) == len(table)
    for case, w in zip(table, wasm_answers, strict=True):
        n = _native(case["fn"], case["args"])
        assert w == n, f"{case}: wasm {w} != native {n}"
        if "expect" in case:
            assert _matches(n, case["expect"]), f"{case}: got {n}"


@pytest.fixture(scope="module")
def page_dir(tmp_path_factory: pytest.TempPathFactory, wasm: Path) -> Path:
    d = tmp_path_factory.mktemp("page")
    for name in ("index.html", "app.js", "vsg_clip.js", "vsg_clip_wasm.js"):
        shutil.copy(WEB / name, d / name)
    ffmpeg = _need("ffmpeg", "sudo apt-get install ffmpeg")
    subprocess.run([ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=160x90:rate=25", "-t", "20", "-c:v", "libvpx-vp9", "-b:v", "100k", "-g", "50",
                    "-y", str(d / "sample.webm")], check=True)
    return d


@pytest.mark.slow
def test_page_builds_a_clip_list_in_headless_chromium(page_dir: Path) -> None:
    chromium = _need("chromium", "sudo apt-get install chromium")
    url = (page_dir / "index.html").as_uri() + \
        "?video=sample.webm&marks=1.5,3.25;2,4&clips=0:10~0:12;10s~PT12S;5~30"
    proc = subprocess.run([_node(), "--experimental-websocket", str(ROOT / "tests" / "web" / "page_driver.js"),
                           chromium, url, "60"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = json.loads(proc.stdout)
    assert page["state"] == "ready"
    # in/out points set on the <video> element, then two typed clips (the second name collides and gets _2)
    assert page["rows"] == [
        ["1", "00:00:01.500", "00:00:03.250", "1.75s", "sample_clip_00-01.5_to_00-03.25.webm"],
        ["2", "00:00:02", "00:00:04", "2s", "sample_clip_00-02_to_00-04.webm"],
        ["3", "00:00:10", "00:00:12", "2s", "sample_clip_00-10_to_00-12.webm"],
        ["4", "00:00:10", "00:00:12", "2s", "sample_clip_00-10_to_00-12_2.webm"],
    ]
    # the 5~30 clip ends past the 20 s video: refused with the core's message, not listed
    assert "end '30'" in page["error"] and "past the end of the input" in page["error"]
    batch = page["batch"]
    assert [j["output"] for j in batch] == [r[4] for r in page["rows"]]
    assert batch[3] == {"input": "sample.webm", "start": "10s", "end": "PT12S",
                        "output": "sample_clip_00-10_to_00-12_2.webm"}
