"""Batch jobs as Dask tasks: ``vsg batch … --cluster tcp://HOST:8786`` or ``--cluster local:N``.

Each job of a batch is one task. The worker that runs it reads the sources where they are (shared storage:
every worker must see the same paths as the client), identifies them, picks the layout, writes the output and
the job log next to it, and returns only the job result as JSON-able data. The client prints a live line
(done / failed / running per worker) and the same summary table as the local batch.

Retry policy (see docs/cluster.md):
- a job that fails for a reason that retrying cannot fix (bad input, no match, audit failed) is a *result*,
  not an exception: it is reported once and never retried;
- a worker that dies mid-job (killed, out of memory, machine lost) makes the scheduler run the task again on
  another worker; the dead run's hidden partial file and temp folder carry its PID and are swept by the next
  run, and nothing ever exists under the final output name before a job has passed its audit;
- an unexpected exception inside the task (a bug, a transient I/O error on the share) is retried up to
  ``cluster_retries`` times by Dask.

Dask is an optional extra: ``pip install 'vsg[cluster]'``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .errors import VsgError

INSTALL_HINT = "install the cluster extra: pip install 'vsg[cluster]' (or ./setup_env.sh, which installs it)"


class ClusterError(VsgError):
    """The cluster cannot be reached or used."""


@dataclass(frozen=True)
class ClusterSpec:
    """Where the jobs run: a LocalCluster of ``workers`` processes, or an existing scheduler at ``address``."""

    workers: int = 0
    address: str = ""

    @property
    def local(self) -> bool:
        return not self.address


def parse_cluster(text: str) -> ClusterSpec:
    """``local:N`` (N ≥ 1 worker processes on this machine) or a scheduler address ``tcp://HOST:PORT``."""
    value = text.strip()
    if value.startswith("local:"):
        n = value[len("local:"):]
        if not n.isdigit() or int(n) < 1:
            raise ClusterError(f"--cluster {text!r}: local:N needs a whole number of workers ≥ 1, e.g. local:2")
        return ClusterSpec(workers=int(n))
    if value == "local":
        return ClusterSpec(workers=os.cpu_count() or 1)
    for scheme in ("tcp://", "tls://", "ws://", "wss://"):
        if value.startswith(scheme):
            host_port = value[len(scheme):]
            host, _, port = host_port.rpartition(":")
            if not host or not port.isdigit():
                raise ClusterError(f"--cluster {text!r}: expected {scheme}HOST:PORT, e.g. tcp://nas:8786")
            return ClusterSpec(address=value)
    raise ClusterError(f"--cluster {text!r}: use local:N or a scheduler address such as tcp://HOST:8786")


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as e:
        raise ClusterError(f"--cluster needs Dask distributed, which is not installed: {INSTALL_HINT}") from e
    return distributed


@contextlib.contextmanager
def connect(spec: ClusterSpec, retries: int) -> Iterator[Any]:
    """A ``distributed.Client`` for ``spec``; a LocalCluster is started (and stopped afterwards) for local:N.

    ``retries`` is the number of times the scheduler may lose a worker while it runs one task before the task
    is given up (Dask's ``allowed-failures``); for a remote scheduler its own configuration decides.
    """
    distributed = _import_distributed()
    import dask

    if spec.local:
        with dask.config.set({"distributed.scheduler.allowed-failures": retries,
                              "distributed.worker.daemon": False,
                              "distributed.admin.tick.limit": "10s"}):
            try:
                cluster = distributed.LocalCluster(
                    n_workers=spec.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address="127.0.0.1:0", silence_logs=40)
            except OSError as e:
                raise ClusterError(f"cannot start a local Dask cluster: {e}") from e
            try:
                with distributed.Client(cluster) as client:
                    yield client
            finally:
                cluster.close()
        return
    try:
        client = distributed.Client(spec.address, timeout="10s")
    except (OSError, TimeoutError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {spec.address}: {e}. Is `dask scheduler` "
                           "running there, and is the port open from this machine?") from e
    with client:
        yield client


def job_task(sources: dict[str, str], settings_values: dict[str, Any], output_dir: str,
             template: tuple[str, dict | None] | None, analyze_only: bool, overwrite: bool = False
             ) -> dict[str, Any]:
    """Runs on a worker: one whole job. Returns the job result as JSON-able data (never raises for a job
    failure; those are results, not retried)."""
    from .commands.batch import layout_for
    from .config import Settings
    from .jobs.discovery import JobSpec
    from .jobs.layout import Layout
    from .pipeline import FAILED, JobResult, run_job

    job = JobSpec({k: Path(v) for k, v in sources.items()})
    settings = Settings(settings_values)
    started = time.time()
    if len(job.sources) < 2:
        res = JobResult(FAILED, job.reference.name, job.reference, error="no matching file in the other folders")
    else:
        tmpl = None if template is None else (Layout.from_json(template[0]), template[1])
        try:
            layout = None if analyze_only else layout_for(job, tmpl)[0]
        except VsgError as e:
            res = JobResult(FAILED, job.reference.name, job.reference, error=str(e))
        else:
            res = run_job(job, settings, output_dir=Path(output_dir), layout=layout, analyze_only=analyze_only,
                          overwrite=overwrite)
    out = res.to_json()
    out["worker"] = _worker_name()
    out["seconds"] = round(time.time() - started, 3)
    return out


def _worker_name() -> str:
    try:
        from distributed import get_worker

        w = get_worker()
        return str(w.name if w.name is not None else w.address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


class LiveLine:
    """``[Cluster] 3/8 done, 1 failed · running: 0: 1, 1: 1`` — rewritten in place on a terminal, printed on
    change otherwise."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream = total, stream
        self.tty = stream.isatty()
        self.last = ""

    def show(self, done: int, failed: int, running: dict[str, int]) -> None:
        busy = ", ".join(f"{w}: {n}" for w, n in sorted(running.items()) if n) or "none"
        line = f"[Cluster] {done}/{self.total} done, {failed} failed · running: {busy}"
        if line == self.last:
            return
        self.last = line
        if self.tty:
            self.stream.write("\r\x1b[2K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.last:
            self.stream.write("\n")
            self.stream.flush()


def _running_per_worker(client: Any, names: dict[str, str]) -> dict[str, int]:
    try:
        processing = client.processing()
    except Exception:  # the scheduler is busy or restarting a worker: show nothing this tick
        return {}
    return {names.get(addr, addr): len(keys) for addr, keys in processing.items()}


def run_on_cluster(spec: ClusterSpec, jobs: Sequence[dict[str, str]], settings_values: dict[str, Any],
                   output_dir: Path, template: tuple[str, dict | None] | None, analyze_only: bool,
                   retries: int, overwrite: bool = False, stream: TextIO = sys.stderr,
                   on_connected: Callable[[Any], None] | None = None) -> list[dict[str, Any]]:
    """Run every job as a Dask task; results in the order of ``jobs``."""
    distributed = _import_distributed()
    with connect(spec, retries) as client:
        print(f"[Cluster] scheduler {client.scheduler.address}; dashboard {client.dashboard_link}",
              file=stream, flush=True)
        if on_connected is not None:
            on_connected(client)
        workers = client.scheduler_info().get("workers", {})
        names = {addr: str(info.get("name", addr)) for addr, info in workers.items()}
        futures = [client.submit(job_task, job, settings_values, str(output_dir), template, analyze_only,
                                 overwrite, key=f"vsg-job-{i}-{Path(job['Source 1']).name}", pure=False,
                                 retries=retries)
                   for i, job in enumerate(jobs)]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[dict[str, Any] | None] = [None] * len(futures)
        live = LiveLine(len(futures), stream)
        done = failed = 0
        pending = distributed.as_completed(futures, with_results=False)
        try:
            while True:
                batch = pending.next_batch(block=False) if pending.count() else []
                for fut in batch:
                    i = index[fut.key]
                    try:
                        res = fut.result()
                    except Exception as e:  # the task kept failing (or its workers kept dying): report it
                        src = Path(jobs[i]["Source 1"])
                        res = {"status": "Failed", "name": src.name, "reference": str(src), "output": None,
                               "log": None, "global_shift_ms": 0, "sources": [], "warnings": [],
                               "error": f"the cluster could not run this job: {type(e).__name__}: {e}",
                               "audit": None}
                    results[i] = res
                    done += 1
                    failed += res.get("status") not in ("Merged", "Analyzed")
                live.show(done, failed, _running_per_worker(client, names))
                if done == len(futures):
                    break
                if not batch:
                    time.sleep(0.2)
                    workers = client.scheduler_info().get("workers", {})
                    names.update({a: str(w.get("name", a)) for a, w in workers.items()})
        finally:
            live.close()
    return [r for r in results if r is not None]
