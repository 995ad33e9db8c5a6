"""vsg batch on a Dask LocalCluster of worker processes on 127.0.0.1: same results as the local executor, a
worker killed mid-job is replaced and its job retried without leftovers, a bad pair fails once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

pytestmark = [pytest.mark.media, pytest.mark.slow]

# Six pairs made of the generated constant-delay cases (hard links: sources are only read).
PAIRS = ("delay_pos", "delay_neg", "dub", "noisy", "container_delay", "delay_pos")


def _folders(media_case, root: Path) -> tuple[Path, Path]:
    ref_dir, oth_dir = root / "ref", root / "other"
    ref_dir.mkdir(parents=True)
    oth_dir.mkdir()
    for i, name in enumerate(PAIRS, 1):
        case = media_case(name)
        os.link(case.reference, ref_dir / f"Ep{i:02d}.mkv")
        os.link(case.other, oth_dir / f"Ep{i:02d}.mkv")
    return ref_dir, oth_dir


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, VSG_SETTINGS=str(tmp_path / "settings.json"), VSG_SET_TEMP_ROOT=str(tmp_path / "tmp"))


def _batch(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vsg_core.cli", "batch", *args, "--json"], capture_output=True,
                          text=True, env=env, timeout=900)


def _summary(proc: subprocess.CompletedProcess[str]) -> dict[str, tuple]:
    jobs = json.loads(proc.stdout)["jobs"]
    return {j["name"]: (j["status"], j["global_shift_ms"], tuple((s["key"], s["delay_ms"]) for s in j["sources"]))
            for j in jobs}


def _leftovers(out: Path, temp_root: Path) -> list[str]:
    hidden = [p.name for p in out.iterdir() if p.name.startswith(".")] if out.exists() else []
    temps = [p.name for p in temp_root.iterdir()] if temp_root.exists() else []
    return hidden + temps


def test_cluster_matches_local_executor(media_case, tmp_path: Path) -> None:
    ref_dir, oth_dir = _folders(media_case, tmp_path)
    env = _env(tmp_path)
    local = _batch([str(ref_dir), str(oth_dir), "-o", str(tmp_path / "out_local")], env)
    assert local.returncode == 0, local.stderr[-3000:]
    cluster = _batch([str(ref_dir), str(oth_dir), "-o", str(tmp_path / "out_cluster"), "--cluster", "local:2"], env)
    assert cluster.returncode == 0, cluster.stderr[-3000:]
    assert _summary(cluster) == _summary(local)
    assert all(status == "Merged" for status, _, _ in _summary(cluster).values())
    assert len(_summary(cluster)) == len(PAIRS)
    assert sorted(p.name for p in (tmp_path / "out_cluster").glob("*.mkv")) == [
        f"Ep{i:02d}.mkv" for i in range(1, len(PAIRS) + 1)]
    # the live line and the dashboard address reach the user
    assert "[Cluster] scheduler tcp://127.0.0.1:" in cluster.stderr and "dashboard http://127.0.0.1:" in cluster.stderr
    assert f"[Cluster] {len(PAIRS)}/{len(PAIRS)} done, 0 failed" in cluster.stderr
    # every job's log was written by the worker next to the output
    for job in json.loads(cluster.stdout)["jobs"]:
        assert Path(job["log"]).is_file() and Path(job["log"]).parent == tmp_path / "out_cluster"
        assert job["worker"] in ("0", "1")


def _muxing(proc: psutil.Process) -> bool:
    """mkvmerge writing an output (not identifying a file with -J)."""
    args = proc.cmdline()
    return proc.name().startswith("mkvmerge") and "-J" not in args and "--identify" not in args


def _worker_muxing(root: psutil.Process) -> psutil.Process | None:
    """A worker process of the LocalCluster (a descendant Python process) whose job is in its mux phase, so
    that its hidden partial output and its temp folder exist when it is killed."""
    for proc in root.children(recursive=True):
        try:
            if "python" in proc.name().lower() and any(_muxing(k) for k in proc.children()):
                return proc
        except psutil.NoSuchProcess:
            continue
    return None


def test_killed_worker_job_is_retried_without_leftovers(media_case, tmp_path: Path) -> None:
    ref_dir, oth_dir = _folders(media_case, tmp_path)
    env = _env(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "vsg_core.cli", "batch", str(ref_dir), str(oth_dir), "-o",
                             str(out), "--cluster", "local:2", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    killed = None
    try:
        root = psutil.Process(proc.pid)
        deadline = time.monotonic() + 300
        while killed is None and proc.poll() is None and time.monotonic() < deadline:
            victim = _worker_muxing(root)
            if victim is not None:
                victim.send_signal(signal.SIGKILL)
                killed = victim.pid
            else:
                psutil.wait_procs([root], timeout=0.02)  # poll the process tree, not a fixed sleep
        stdout, stderr = proc.communicate(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert killed is not None, "no worker was seen muxing: the batch finished before one could be killed"
    assert proc.returncode == 0, stderr[-3000:]
    jobs = json.loads(stdout)["jobs"]
    assert [j["status"] for j in jobs] == ["Merged"] * len(PAIRS)
    assert sorted(p.name for p in out.glob("*.mkv")) == [f"Ep{i:02d}.mkv" for i in range(1, len(PAIRS) + 1)]
    # the dead run's partial and temp folder were swept by the retried run (or a later command)
    subprocess.run([sys.executable, "-m", "vsg_core.cli", "--help"], capture_output=True, env=env, check=True)
    assert _leftovers(out, tmp_path / "tmp") == []


def test_bad_pair_fails_once_with_its_message(media_case, tmp_path: Path) -> None:
    case = media_case("delay_pos")
    ref_dir, oth_dir = tmp_path / "ref", tmp_path / "other"
    ref_dir.mkdir()
    oth_dir.mkdir()
    os.link(case.reference, ref_dir / "Good.mkv")
    os.link(case.other, oth_dir / "Good.mkv")
    os.link(case.reference, ref_dir / "Bad.mkv")
    (oth_dir / "Bad.mkv").write_bytes(b"this is not a Matroska file\n" * 100)
    env = _env(tmp_path)
    proc = _batch([str(ref_dir), str(oth_dir), "-o", str(tmp_path / "out"), "--cluster", "local:2"], env)
    assert proc.returncode == 1
    jobs = {j["name"]: j for j in json.loads(proc.stdout)["jobs"]}
    assert jobs["Good.mkv"]["status"] == "Merged"
    bad = jobs["Bad.mkv"]
    assert bad["status"] == "Failed" and "Bad.mkv" in bad["error"]
    # failed once: the job log holds a single run of the job, and the dashboard line reports one failure
    log = Path(bad["log"]).read_text(encoding="utf-8")
    assert log.count("=== Starting Job") == 1
    assert "[Cluster] 2/2 done, 1 failed" in proc.stderr


def test_missing_extra_gives_install_hint(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['distributed'] = None; from vsg_core.cli import main; "
            f"sys.exit(main(['batch', {str(tmp_path)!r}, {str(tmp_path)!r}, '-o', {str(tmp_path / 'o')!r}, "
            "'--cluster', 'local:2']))")
    (tmp_path / "Ep.mkv").write_bytes(b"x")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(tmp_path))
    assert proc.returncode != 0
    assert "pip install 'vsg[cluster]'" in proc.stderr
    assert "Traceback" not in proc.stderr
