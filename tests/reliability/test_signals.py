"""SIGINT, SIGTERM and SIGHUP at each phase cancel the same way; SIGKILL leftovers are swept by the next vsg
command of any kind; leftovers of live owners are never touched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from vsg_core import scratch

from .conftest import Sandbox, sha

pytestmark = pytest.mark.media

# markers the job log prints when a phase starts (the signal is sent as soon as the line appears)
PHASES = {
    "analysis": "--- Analysis Phase ---",
    "extraction": "--- Extraction Phase ---",
    "mux": "--- Mux ---",
    "audit": "Post-Merge: Running Final Audit",
}
OLD = b"the earlier output, to be kept unless a new one passed its audit"


def _start_until(box: Sandbox, out: Path, marker: str) -> tuple[subprocess.Popen, list[str]]:
    box.settings(scan_chunk_count=4, scan_chunk_duration=6)   # a shorter analysis: the phases come sooner
    proc = subprocess.Popen(box.cmd("sync", box.media.ref, box.media.other, "-o", out, "--overwrite"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=box.env(), cwd=box.root)
    seen: list[str] = []
    assert proc.stderr is not None
    for line in proc.stderr:
        seen.append(line)
        if marker in line:
            return proc, seen
    proc.wait()
    raise AssertionError(f"{marker!r} never appeared:\n{''.join(seen[-30:])}")


@pytest.mark.slow
@pytest.mark.parametrize("phase", list(PHASES))
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["INT", "TERM", "HUP"])
def test_signal_cancels_cleanly(box: Sandbox, sig: signal.Signals, phase: str) -> None:
    out = box.out / "movie.mkv"
    out.write_bytes(OLD)
    proc, seen = _start_until(box, out, PHASES[phase])
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    stderr = "".join(seen) + stderr
    assert "Traceback" not in stderr
    assert proc.returncode == 128 + sig, (proc.returncode, stderr[-2000:])
    assert f"cancelled by {sig.name}" in stderr
    assert "Status: Cancelled" in stdout
    assert out.read_bytes() == OLD, "the earlier output was replaced although the job was cancelled"
    assert sorted(p.name for p in box.out.iterdir()) == ["movie.log", "movie.mkv"]
    assert "Job cancelled" in (box.out / "movie.log").read_text(encoding="utf-8")
    box.assert_clean()


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.slow
@pytest.mark.parametrize("phase", list(PHASES))
def test_sigkill_leftovers_swept_by_next_command(box: Sandbox, phase: str) -> None:
    out = box.out / "movie.mkv"
    out.write_bytes(OLD)
    proc, _ = _start_until(box, out, PHASES[phase])
    kids = _children(proc.pid)
    proc.kill()
    proc.communicate(timeout=60)
    # children die with vsg (no mkvmerge writing on after its parent was killed)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{k}").exists() and "Z" not in _state(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [k for k in kids if Path(f"/proc/{k}").exists() and "Z" not in _state(k)], "children outlived vsg"
    # any vsg command sweeps what the killed run left
    p = box.vsg("media", "list")
    assert p.returncode == 0
    assert out.read_bytes() == OLD
    left = box.leftovers()
    assert not left, f"left after the sweep: {left}\n{p.stderr}"
    box.media.check_unchanged()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


@pytest.mark.slow
def test_batch_sigterm_cancels_queue(box: Sandbox) -> None:
    refs, others = box.root / "refs", box.root / "others"
    refs.mkdir()
    others.mkdir()
    for n in ("a", "b"):
        os.link(box.media.ref, refs / f"{n}.mkv")
        os.link(box.media.other, others / f"{n}.mkv")
    proc = subprocess.Popen(box.cmd("batch", refs, others, "-o", box.out, "--json", "-v"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=box.env(), cwd=box.root)
    seen = []
    assert proc.stderr is not None
    for line in proc.stderr:
        seen.append(line)
        if "--- Extraction Phase ---" in line:
            break
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, "".join(seen) + stderr
    jobs = json.loads(stdout)["jobs"]
    assert [j["status"] for j in jobs] == ["Cancelled", "Cancelled"]
    assert not [p for p in box.out.iterdir() if p.suffix == ".mkv"]
    box.assert_clean()


def test_sweep_removes_dead_owner_leftovers_and_says_so(box: Sandbox) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    start = 12345
    tag = f"{dead.pid}-{start}"
    box.temp_root.mkdir()
    job_dir = box.temp_root / f"vsg-{tag}-job-movie-abcd"
    job_dir.mkdir()
    (job_dir / "track.flac").write_bytes(b"x" * 1000)
    partial = box.out / f".vsg-partial-{tag}-0011.mkv"
    partial.write_bytes(b"half a file")
    lock = box.out / ".vsg-lock-0123456789abcdef0123"
    lock.write_bytes(b"")
    (job_dir / "owner.json").write_text(json.dumps({"partial": str(partial), "lock": str(lock)}))
    p = box.vsg("analyze", box.media.ref, box.root / "missing.mkv")     # any command, even one that fails
    assert p.returncode == 1 and "missing.mkv" in p.stderr
    assert "[Cleanup]" in p.stderr and str(job_dir) in p.stderr and str(partial) in p.stderr
    assert not job_dir.exists() and not partial.exists() and not lock.exists()
    box.assert_clean()


def test_sweep_keeps_live_owner_leftovers(box: Sandbox) -> None:
    me = scratch.me()
    box.temp_root.mkdir()
    mine = box.temp_root / f"vsg-{me.tag}-job-live-abcd"
    mine.mkdir()
    partial = box.out / f".vsg-partial-{me.tag}-0022.mkv"
    partial.write_bytes(b"being written")
    (mine / "owner.json").write_text(json.dumps({"partial": str(partial)}))
    p = box.vsg("analyze", box.media.ref, box.root / "missing.mkv")
    assert p.returncode == 1 and "[Cleanup]" not in p.stderr
    assert mine.is_dir() and partial.read_bytes() == b"being written"
    # a PID reused by another process (different start time) does not make the leftover "alive"
    reused = scratch.Owner(me.pid, me.start + 1)
    assert not reused.alive()
    assert sha(box.media.ref) == box.media.hashes[box.media.ref]
