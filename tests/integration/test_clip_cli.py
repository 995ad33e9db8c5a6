"""``vsg clip`` on generated media with the real ffmpeg: every timestamp form, stream copy and --accurate,
every refused request, batch with workers, API lists, stats, Ctrl-C cleanup.

Tolerances: a stream copy's length matches the request within one keyframe interval of the input (measured
here with ffprobe: the largest gap between keyframes); an --accurate clip's within one frame (1/fps).
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from vsg_core.cli import main

pytestmark = [pytest.mark.media, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("VSG_CLIP_HISTORY", str(state / "history.jsonl"))
    monkeypatch.setenv("VSG_SETTINGS", str(state / "no-settings.json"))
    for k in list(os.environ):
        if k.startswith("VSG_SET_CLIP_"):
            monkeypatch.delenv(k)


@pytest.fixture(scope="module")
def ref(media_case) -> Path:
    return Path(media_case("ref").reference)


def _ffprobe_json(*args: str) -> Any:
    out = subprocess.run(["ffprobe", "-v", "error", *args, "-of", "json"], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def keyframe_interval_ms(ref: Path) -> float:
    frames = _ffprobe_json("-select_streams", "v:0", "-skip_frame", "nokey", "-show_entries", "frame=pts_time",
                           str(ref))["frames"]
    times = [float(f["pts_time"]) * 1000 for f in frames]
    assert len(times) > 5
    return max(b - a for a, b in itertools.pairwise(times))


@pytest.fixture(scope="module")
def frame_ms(ref: Path) -> float:
    s = _ffprobe_json("-select_streams", "v:0", "-show_entries", "stream=r_frame_rate", str(ref))["streams"][0]
    num, den = s["r_frame_rate"].split("/")
    return 1000 * int(den) / int(num)


def clip(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    rc = main(["clip", "--json", *args])
    cap = capsys.readouterr()
    try:
        data = json.loads(cap.out) if cap.out.strip() else None
    except ValueError:
        data = cap.out
    return rc, data, cap.err


FORMS = [  # (start, end, duration, requested ms)
    ("1:30", "1:40", None, 10_000),
    ("00:01:30.5", None, "10", 10_000),
    ("90", None, "PT10S", 10_000),
    ("1m30s", "1m42.5s", None, 12_500),
    ("PT1M30S", "PT1M40S", None, 10_000),
    ("95.25", "01:45", None, 9_750),
]


@pytest.mark.parametrize(("start", "end", "duration", "want_ms"), FORMS)
def test_stream_copy_every_form(ref: Path, tmp_path: Path, capsys, keyframe_interval_ms: float,
                                start: str, end: str | None, duration: str | None, want_ms: int) -> None:
    args = [str(ref), "-s", start, "-o", str(tmp_path)]
    args += ["-e", end] if end else ["-d", duration or ""]
    rc, r, err = clip(capsys, *args)
    assert rc == 0, err
    out = Path(r["output"])
    assert out.is_file() and out.parent == tmp_path
    assert out.name.startswith("ref_clip_") and out.suffix == ".mkv"
    assert r["end_ms"] - r["start_ms"] == want_ms
    # the copy starts on a keyframe at or before the requested start, at most one interval earlier
    assert r["copy_start_ms"] <= r["start_ms"] < r["copy_start_ms"] + keyframe_interval_ms
    assert abs(r["output_duration_ms"] - want_ms) <= keyframe_interval_ms
    # what the clip really holds: the video runs from the keyframe to the requested end (± one frame)
    assert abs(r["output_duration_ms"] - (r["end_ms"] - r["copy_start_ms"])) <= 50
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".mkv"] == [out.name]  # no temp file left


@pytest.mark.parametrize(("start", "end", "duration", "want_ms"), [
    ("01:30.5", None, "PT5S", 5_000),
    ("95", "1m40.25s", None, 5_250),
])
def test_accurate_within_one_frame(ref: Path, tmp_path: Path, capsys, frame_ms: float,
                                   start: str, end: str | None, duration: str | None, want_ms: int) -> None:
    out = tmp_path / "exact.mkv"
    args = [str(ref), "-s", start, "-o", str(out), "--accurate", "--preset", "ultrafast"]
    args += ["-e", end] if end else ["-d", duration or ""]
    rc, r, err = clip(capsys, *args)
    assert rc == 0, err
    assert r["output"] == str(out) and out.is_file()
    assert r["copy_start_ms"] is None
    assert abs(r["output_duration_ms"] - want_ms) <= frame_ms
    v = _ffprobe_json("-select_streams", "v:0", "-show_entries", "stream=start_time", str(out))["streams"][0]
    assert abs(float(v["start_time"])) < frame_ms / 1000  # the picture starts at the clip's start


@pytest.mark.parametrize(("args", "message"), [
    (["-s", "1:3x", "-e", "2:00"], "invalid timestamp '1:3x'"),
    (["-s", "2:00", "-e", "1:00"], "end '1:00' (00:01:00) must be after start '2:00'"),
    (["-s", "2:00", "-e", "2:00"], "must be after start"),
    (["-s", "9:00", "-d", "5"], "start '9:00' (00:09:00) is past the end of the input"),
    (["-s", "3:00", "-e", "4:00"], "end '4:00' (00:04:00) is past the end of the input"),
    (["-s", "1", "-d", "0"], "duration '0' must be greater than 0"),
])
def test_bad_ranges_are_refused(ref: Path, tmp_path: Path, capsys, args: list[str], message: str) -> None:
    rc = main(["clip", str(ref), "-o", str(tmp_path), *args])
    err = capsys.readouterr().err
    assert rc == 1
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_missing_input_unwritable_and_existing_outputs(ref: Path, tmp_path: Path, capsys) -> None:
    rc = main(["clip", str(tmp_path / "nope.mkv"), "-s", "1", "-e", "2", "-o", str(tmp_path)])
    assert rc == 1 and f"input file {tmp_path / 'nope.mkv'} not found" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []

    rc = main(["clip", str(ref), "-s", "1", "-e", "2", "-o", "/proc/vsg_clip_test.mkv"])
    assert rc == 1 and "cannot write /proc/vsg_clip_test.mkv" in capsys.readouterr().err

    rc = main(["clip", str(ref), "-s", "1", "-e", "2", "-o", str(tmp_path / "missing" / "x.mkv")])
    assert rc == 1 and "does not exist" in capsys.readouterr().err

    existing = tmp_path / "keep.mkv"
    existing.write_bytes(b"user data")
    rc = main(["clip", str(ref), "-s", "1", "-e", "2", "-o", str(existing)])
    assert rc == 1 and "already exists" in capsys.readouterr().err
    assert existing.read_bytes() == b"user data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.mkv"]


def test_input_with_a_255_byte_name(ref: Path, tmp_path: Path, capsys) -> None:
    """The automatic clip name (and the hidden partial name) of an input whose name has the most bytes a file
    name may have are cut to fit, twice in a row (the second gets _2)."""
    src = tmp_path / ("é" * 125 + "x.mkv")
    assert len(os.fsencode(src.name)) == 255
    os.symlink(ref, src)
    out = tmp_path / "out"
    out.mkdir()
    for n in (1, 2):
        rc, data, err = clip(capsys, str(src), "-s", "1:30", "-e", "1:32", "-o", f"{out}/")
        assert rc == 0, err
        made = Path(data["output"])
        assert made.parent == out and made.stat().st_size > 0 and len(os.fsencode(made.name)) <= 255
        assert made.name.startswith("é" * 100) and made.name.endswith("_clip_01-30_to_01-32.mkv" if n == 1
                                                                      else "_clip_01-30_to_01-32_2.mkv")
    assert len(list(out.iterdir())) == 2  # no partial left


def test_truncated_input_fails_instead_of_a_short_clip(ref: Path, tmp_path: Path, capsys) -> None:
    """A truncated download keeps its header's duration: a range past the real end used to give a much shorter
    clip and exit 0. It fails, names the file and leaves nothing; a range inside the data still works."""
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(ref.read_bytes()[: ref.stat().st_size // 4])
    header_s = float(_ffprobe_json("-show_entries", "format=duration", str(cut))["format"]["duration"])
    assert header_s > 200  # the header still claims the whole programme
    out = tmp_path / "out"
    out.mkdir()
    rc, _, err = clip(capsys, str(cut), "-s", "1:00", "-e", "3:00", "-o", f"{out}/")
    assert rc == 1 and "cut.mkv ends early" in err and "truncated" in err, err
    assert list(out.iterdir()) == []
    rc, _, err = clip(capsys, str(cut), "-s", "5", "-e", "10", "-o", f"{out}/")
    assert rc == 0, err
    assert [p.name for p in out.iterdir()] == ["cut_clip_00-05_to_00-10.mkv"]


def test_batch_of_20_with_2_workers_one_failing(ref: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    jobs: list[dict[str, Any]] = [{"input": str(ref), "start": f"{10 * i}", "duration": "3"} for i in range(19)]
    jobs.insert(7, {"input": str(ref), "start": "3:20", "end": "3:50"})  # past the 210 s input
    jobs[3]["output"] = str(out / "named.mkv")
    jobs[5]["accurate"] = True
    jobs[5]["preset"] = "ultrafast"
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    out.mkdir()
    rc = main(["clip", "batch", str(tmp_path / "jobs.json"), "--workers", "2", "-O", str(out)])
    cap = capsys.readouterr()
    assert rc == 1
    made = sorted(p.name for p in out.iterdir())
    assert len(made) == 19 and "named.mkv" in made and not any(".partial" in m for m in made)
    assert "19 of 20 clips made, 1 failed" in cap.out
    assert "FAILED" in cap.out and "end '3:50' (00:03:50) is past the end of the input" in cap.out
    lines = cap.out.splitlines()
    assert lines[0].split()[:3] == ["#", "status", "output"]
    assert len([ln for ln in lines if " ok " in ln]) == 19

    rc, st, _ = clip(capsys, "stats")
    assert rc == 0 and st["jobs"] == 20 and st["successes"] == 19 and st["failures"] == 1
    assert st["bytes"] == sum(p.stat().st_size for p in out.iterdir())


def test_api_lists(ref: Path, tmp_path: Path, capsys) -> None:
    info = {"extractor": "generic", "title": "Show", "filepath": str(ref),
            "chapters": [{"start_time": 10.0, "end_time": 14.5, "title": "Intro"},
                         {"start_time": 60, "end_time": 63, "title": "Part: 2"}]}
    (tmp_path / "info.json").write_text(json.dumps(info))
    rc, r, err = clip(capsys, "api", str(tmp_path / "info.json"), str(tmp_path / "yt"))
    assert rc == 0, err
    assert sorted(p.name for p in (tmp_path / "yt").iterdir()) == ["Show - Intro.mkv", "Show - Part_ 2.mkv"]
    generic = [{"path": str(ref), "start": "0:05", "end": "0:08", "title": "a"},
               {"url": str(ref), "start": 20, "duration": "2s"},
               {"start": 1, "end": 2}]
    (tmp_path / "g.json").write_text(json.dumps({"clips": generic}))
    rc, r, _ = clip(capsys, "api", str(tmp_path / "g.json"), str(tmp_path / "g"), "--api-type", "generic")
    assert rc == 1
    assert [c["ok"] for c in r["clips"]] == [True, True, False]
    assert "'input' (a file path or URL) is missing" in r["clips"][2]["error"]
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == ["a.mkv", "ref_clip_00-20_to_00-22.mkv"]


@pytest.fixture(scope="module")
def long_encode_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 s of 640×360 test pattern with a tone: an accurate ``veryslow`` clip of it takes tens of seconds,
    so a Ctrl+C a moment after the partial appears always lands mid-encode (the generated 'ref' is so small
    that its whole encode finished within 0.1 s of the partial appearing, and the SIGINT found a done job)."""
    out = tmp_path_factory.mktemp("long") / "pattern.mkv"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=24:d=60",
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=60", "-c:v", "libx264", "-preset",
                    "ultrafast", "-g", "48", "-c:a", "flac", str(out)], check=True)
    return out


@pytest.mark.parametrize("inherited", ["default", "ignored"])
def test_ctrl_c_removes_the_partial_output(long_encode_source: Path, tmp_path: Path, inherited: str) -> None:
    """SIGINT stops the clip and removes its partial output — also when vsg was started with SIGINT ignored
    (a background job of a shell without job control: Python keeps an inherited SIG_IGN, so vsg clip sets
    its handler itself)."""
    env = dict(os.environ)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    disposition = signal.SIG_DFL if inherited == "default" else signal.SIG_IGN
    p = subprocess.Popen([sys.executable, "-m", "vsg_core.cli", "clip", str(long_encode_source), "-s", "0",
                          "-e", "1:00", "--accurate", "--preset", "veryslow", "-o", str(out_dir / "out.mkv")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, disposition))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(".partial" in f.name for f in out_dir.iterdir()):
        time.sleep(0.05)
    partial = [f for f in out_dir.iterdir() if ".partial" in f.name]
    assert partial, "the clip never started writing"
    time.sleep(0.5)
    assert partial[0].exists() and p.poll() is None, "the clip finished before it could be interrupted"
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert list(out_dir.iterdir()) == []


def test_progress_bar_only_on_a_terminal(ref: Path, tmp_path: Path) -> None:
    import pty

    cmd = [sys.executable, "-m", "vsg_core.cli", "clip", str(ref), "-s", "10", "-d", "4", "--accurate",
           "--preset", "ultrafast", "-q"]
    master, slave = pty.openpty()
    try:
        p = subprocess.run([*cmd, "-o", str(tmp_path / "tty.mkv")], stderr=slave, stdout=subprocess.PIPE,
                           timeout=120, env=dict(os.environ))
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    assert p.returncode == 0
    tty_err = b"".join(chunks).decode("utf-8", "replace")
    assert "Progress: 100% [##############################]" in tty_err
    p = subprocess.run([*cmd, "-o", str(tmp_path / "pipe.mkv")], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "Progress" not in p.stderr and p.stderr == ""


def test_python_backend_gives_the_same_clip(ref: Path, tmp_path: Path, capsys) -> None:
    results = []
    for backend in ("python", "rust"):
        d = tmp_path / backend
        d.mkdir()
        rc = main(["--backend", backend, "clip", "--json", str(ref), "-s", "1m", "-e", "PT1M5S", "-o", str(d)])
        assert rc == 0
        r = json.loads(capsys.readouterr().out)
        same = {k: v for k, v in r.items() if k not in ("output", "seconds")}
        results.append(same | {"name": Path(r["output"]).name})
    assert results[0] == results[1]


def test_sigterm_during_a_batch_removes_every_partial_output(ref: Path, tmp_path: Path) -> None:
    jobs = [{"input": str(ref), "start": str(10 * i), "duration": "60", "accurate": True, "preset": "veryslow"}
            for i in range(4)]
    (tmp_path / "j.json").write_text(json.dumps(jobs))
    out = tmp_path / "out"
    p = subprocess.Popen([sys.executable, "-m", "vsg_core.cli", "clip", "batch", str(tmp_path / "j.json"),
                          "--workers", "2", "-O", str(out), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.is_dir() and
                                               sum(".partial" in f.name for f in out.iterdir()) == 2):
        time.sleep(0.05)
    assert sum(".partial" in f.name for f in out.iterdir()) == 2, "the two workers never started writing"
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert list(out.iterdir()) == []
