"""Runs external commands with vsg's log formats (``$ cmd``, ``[!] Command failed …``, ``[stderr/tail]``).

Child handling (docs/reliability.md): a child runs in its own process group, so a Ctrl+C in the terminal
reaches vsg only and vsg decides; when the job is cancelled (or vsg is interrupted) the child is killed and
waited for; on Linux a child also dies with vsg (``PR_SET_PDEATHSIG``) so a killed vsg leaves no mkvmerge
writing on. ``Path`` arguments are passed as absolute paths, so a file named ``-x.mkv`` or ``@x.mkv`` can never
be read as an option or an option file.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import functools
import os
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from . import cancel as _cancel
from .errors import CommandError, ToolMissingError
from .log import JobLog, format_log_message, tail_block
from .tools import install_hint

DEFAULT_TAIL_LINES = 20

# Callbacks told the argument list of every command before it runs (tests count tool invocations with it).
_observers: list[Callable[[list[str]], None]] = []


@contextlib.contextmanager
def observe(callback: Callable[[list[str]], None]) -> Iterator[None]:
    """Within this block ``callback(args)`` is called with every command :func:`run` starts."""
    _observers.append(callback)
    try:
        yield
    finally:
        _observers.remove(callback)


def quote(cmd: Sequence[str | Path]) -> str:
    return " ".join(shlex.quote(str(c)) for c in cmd)


@functools.cache
def libc() -> ctypes.CDLL | None:
    """The C library's symbols (Linux/glibc), loaded once per process; None elsewhere.

    ``CDLL(None)`` opens the running program, whose libc is already loaded: no ``ctypes.util.find_library``,
    which runs ``ldconfig -p`` in a child process on every call (measured 2–40 ms each)."""
    if os.name != "posix" or os.uname().sysname != "Linux":
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _load_prctl():
    lib = libc()
    return getattr(lib, "prctl", None) if lib is not None else None


_PRCTL = _load_prctl()
_PR_SET_PDEATHSIG = 1

_NICE: contextvars.ContextVar[int] = contextvars.ContextVar("vsg_child_nice", default=0)


@contextlib.contextmanager
def lower_priority(increment: int = 10) -> Iterator[None]:
    """Children started within this block (and in contexts copied from it) run ``increment`` nice levels
    lower: work that fills idle CPU time without slowing the job's critical path (docs/analysis.md#guided-search)."""
    token = _NICE.set(increment)
    try:
        yield
    finally:
        _NICE.reset(token)


def _child_setup(nice: int = 0) -> None:  # runs in the child between fork and exec: no allocation-heavy work
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)


def child_options() -> dict:
    """Popen keyword arguments for every child: own process group, dies with vsg (Linux), lowered priority
    inside :func:`lower_priority`."""
    nice = _NICE.get()
    if nice:
        return {"process_group": 0, "preexec_fn": functools.partial(_child_setup, nice)}
    return {"process_group": 0, "preexec_fn": _child_setup if _PRCTL is not None else None}


def path_arg(p: str | os.PathLike[str]) -> str:
    """A file argument that no tool can take for an option: the absolute path."""
    return os.path.abspath(os.fspath(p))


def as_args(cmd: Sequence[str | Path]) -> list[str]:
    return [path_arg(c) if isinstance(c, os.PathLike) else str(c) for c in cmd]


def run(cmd: Sequence[str | Path], log: JobLog | None = None, *, binary: bool = False,
        tail_lines: int = DEFAULT_TAIL_LINES, check: bool = True, what: str | None = None,
        input_bytes: bytes | None = None, timeout: float | None = None,
        progress: Callable[[str], None] | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd``; stdout and stderr are captured separately (stderr never mixes into stdout).

    On failure logs ``[!] Command failed with exit code N`` and a ``[stderr/tail]`` block and, when
    ``check``, raises CommandError whose message names ``what`` (e.g. the file being processed).
    ``progress`` receives every output line as it is written (stderr only for a ``binary`` command).
    """
    args = as_args(cmd)
    for observer in list(_observers):
        observer(args)
    if log is not None:
        log.log(f"$ {quote(args)}")
    try:
        proc = (_run_streaming(args, progress, timeout, binary) if progress is not None and input_bytes is None
                else _run_cancellable(args, input_bytes, timeout))
    except FileNotFoundError:
        hint = install_hint([Path(args[0]).name])
        raise ToolMissingError(f"program not found: {args[0]}; {hint}") from None
    except OSError as e:  # E2BIG (argument list too long), ENAMETOOLONG, EACCES …
        raise CommandError(f"cannot start {Path(args[0]).name}: {e.strerror or e}"
                           + (f" while processing {what}" if what else "")) from None
    except subprocess.TimeoutExpired as e:
        raise CommandError(f"{Path(args[0]).name} timed out after {timeout}s" +
                           (f" while processing {what}" if what else "")) from e
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if not binary:
        proc.stdout = proc.stdout.decode("utf-8", errors="replace")
    proc.stderr = stderr
    if proc.returncode != 0:
        tail = tail_block("stderr", stderr, tail_lines)
        if log is not None:
            log.log(format_log_message("!", f"Command failed with exit code {proc.returncode}"))
            if tail:
                log.log(tail)
        if check:
            subject = f" while processing {what}" if what else ""
            last = tail.splitlines()[-1] if tail else "(no error output)"
            raise CommandError(
                f"{Path(args[0]).name} failed with exit code {proc.returncode}{subject}: {last}",
                proc.returncode, stderr,
            )
    return proc


def _run_cancellable(args: list[str], input_bytes: bytes | None, timeout: float | None
                     ) -> subprocess.CompletedProcess:
    """subprocess.run that also kills (and waits for) the child when the current job's cancel token fires.

    Under a token the child's pipes are served by threads while this thread polls the token: a polled
    ``communicate(timeout=…)`` cannot be used, because on its retry CPython stops writing the rest of the input
    (the child then waits for stdin forever)."""
    token = _cancel.current()
    stdin = subprocess.PIPE if input_bytes is not None else subprocess.DEVNULL
    p = subprocess.Popen(args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **child_options())
    try:
        if token is None:
            out, err = p.communicate(input_bytes, timeout=timeout)
            return subprocess.CompletedProcess(args, p.returncode, out, err)
        out_parts = bytearray()   # grows in place: no second copy of a large output when the run ends
        err_parts = bytearray()
        threads = [threading.Thread(target=_drain, args=(p.stdout, out_parts), daemon=True),
                   threading.Thread(target=_drain, args=(p.stderr, err_parts), daemon=True)]
        if input_bytes is not None:
            threads.append(threading.Thread(target=_feed, args=(p.stdin, input_bytes), daemon=True))
        ended = threading.Event()
        # a blocking wait in a thread: Popen.wait(timeout=…) polls with sleeps of up to 50 ms, which added
        # up to a quarter of a second per analysis of short tool runs (measured: 24 sleeps, 0.26 s)
        threads.append(threading.Thread(target=_wait_exit, args=(p, ended), daemon=True))
        for t in threads:
            t.start()
        started = time.monotonic()
        while not ended.wait(0.1):
            if token.cancelled or (timeout is not None and time.monotonic() - started >= timeout):
                _kill(p)
                if token.cancelled:
                    raise _cancel.Cancelled(f"{token.reason} while {Path(args[0]).name} ran") from None
                raise subprocess.TimeoutExpired(args, timeout or 0.0)
        for t in threads:
            t.join()
        if token.cancelled:  # the child ended (or was stopped) after the job was cancelled
            raise _cancel.Cancelled(f"{token.reason} while {Path(args[0]).name} ran")
        return subprocess.CompletedProcess(args, p.returncode, out_parts, bytes(err_parts))
    finally:
        if p.returncode is None:
            _kill(p)
        for f in (p.stdin, p.stdout, p.stderr):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass


def _wait_exit(p: subprocess.Popen, ended: threading.Event) -> None:
    """Wait for the child to end and say so (a thread of _run_cancellable)."""
    try:
        p.wait()
    finally:
        ended.set()


def _drain(stream: IO[bytes] | None, parts: bytearray) -> None:
    """Read a child's pipe to its end (a thread of _run_cancellable)."""
    if stream is None:
        return
    try:
        while chunk := stream.read(1 << 16):
            parts.extend(chunk)
    except (OSError, ValueError):  # closed under us when the child is killed
        pass


def _feed(stream: IO[bytes] | None, data: bytes) -> None:
    """Write the whole input to a child's stdin and close it (a thread of _run_cancellable)."""
    if stream is None:
        return
    try:
        stream.write(data)
    except (BrokenPipeError, OSError, ValueError):  # the child stopped reading (it failed or was killed)
        pass
    finally:
        try:
            stream.close()
        except OSError:
            pass


def _kill(p: subprocess.Popen) -> None:
    """Kill the child (and anything it started in its group) and wait for it."""
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except OSError:
        p.kill()
    try:
        p.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        p.wait()


def _run_streaming(args: list[str], sink: Callable[[str], None], timeout: float | None, binary: bool = False
                   ) -> subprocess.CompletedProcess:
    """Like :func:`_run_cancellable`, handing each output line to ``sink`` while the command runs (stderr
    only for a ``binary`` stdout)."""
    token = _cancel.current()
    with subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          **child_options()) as p:
        chunks: dict[str, list[bytes]] = {"out": [], "err": []}
        raw_out = bytearray()   # a binary stdout grows in place: no second copy of a decoded track when joined

        def pump(stream, key: str) -> None:
            if key == "out" and binary:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    raw_out.extend(block)
                return
            for raw in iter(stream.readline, b""):
                chunks[key].append(raw)
                try:
                    sink(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
                except Exception:  # a progress display must never break the command
                    pass

        readers = [threading.Thread(target=pump, args=(p.stdout, "out"), daemon=True),
                   threading.Thread(target=pump, args=(p.stderr, "err"), daemon=True)]
        ended = threading.Event()
        for t in [*readers, threading.Thread(target=_wait_exit, args=(p, ended), daemon=True)]:
            t.start()
        started = time.monotonic()
        while not ended.wait(0.1):
            if (token is not None and token.cancelled) or (timeout is not None
                                                           and time.monotonic() - started >= timeout):
                _kill(p)
                for t in readers:
                    t.join()
                if token is not None and token.cancelled:
                    raise _cancel.Cancelled(f"{token.reason} while {Path(args[0]).name} ran") from None
                raise subprocess.TimeoutExpired(args, timeout or 0.0) from None
        for t in readers:
            t.join()
        out = raw_out if binary else b"".join(chunks["out"])
        return subprocess.CompletedProcess(args, p.returncode, out, b"".join(chunks["err"]))
