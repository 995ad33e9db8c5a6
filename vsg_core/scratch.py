"""Scratch space and crash-safe leftovers (see docs/reliability.md).

Every temp folder and partial output vsg creates carries its owner in its name: ``vsg-<pid>-<start>-…`` where
``<start>`` is the owner's process start time (clock ticks since boot on Linux), so a PID reused by another
program is never mistaken for the owner. A job's temp folder also holds ``owner.json`` naming the partial output
and lock file it created elsewhere. :func:`sweep` (run by every vsg command) removes the leftovers of owners that
are gone: their temp folders under ``temp_root``, the partial outputs listed in those folders, and the partials
and stale lock files found in the output folder a job is about to write to.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import VsgError

PREFIX = "vsg-"
PARTIAL_PREFIX = ".vsg-partial-"
LOCK_PREFIX = ".vsg-lock-"
MARKER = "owner.json"
_OWNED = re.compile(r"^\.?vsg-(?:partial-)?(\d+)-(\d+)-")


class ScratchError(VsgError):
    """The scratch folder (setting ``temp_root``) cannot be used."""


def _start_time(pid: int) -> int | None:
    """The start time of process ``pid`` (clock ticks since boot), None when it does not exist."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        if not os.path.isdir("/proc/self"):  # no procfs: fall back to a plain existence check
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return None
            except PermissionError:
                return 0
            return 0
        return None
    # the command name (field 2) may hold spaces and parentheses: fields restart after the last ')'
    rest = data[data.rfind(b")") + 2:].split()
    try:
        return int(rest[19])
    except (IndexError, ValueError):
        return None


@dataclass(frozen=True)
class Owner:
    pid: int
    start: int

    @property
    def tag(self) -> str:
        return f"{self.pid}-{self.start}"

    def alive(self) -> bool:
        st = _start_time(self.pid)
        return st is not None and (st == self.start or st == 0 or self.start == 0)


_me: Owner | None = None


def me() -> Owner:
    """This process as an owner (computed once; a forked child computes its own)."""
    global _me
    pid = os.getpid()
    if _me is None or _me.pid != pid:
        _me = Owner(pid, _start_time(pid) or 0)
    return _me


def owner_of(name: str) -> Owner | None:
    m = _OWNED.match(name)
    return Owner(int(m.group(1)), int(m.group(2))) if m else None


# ------------------------------------------------------------------------------------------- scratch root
_root_lock = threading.Lock()
_root: Path | None = None


def default_root() -> Path:
    return Path(tempfile.gettempdir()) / "vsg"


def configure(temp_root: str | os.PathLike[str] | None) -> None:
    """Use ``temp_root`` (the setting) for every scratch folder of this process, analysis included."""
    global _root
    with _root_lock:
        _root = Path(os.path.abspath(temp_root)) if temp_root else None


def root() -> Path:
    return _root or default_root()


def ensure_root(path: Path | None = None) -> Path:
    r = Path(os.path.abspath(path)) if path is not None else root()
    try:
        r.mkdir(parents=True, exist_ok=True)
        if not os.access(r, os.W_OK | os.X_OK):
            raise PermissionError(13, "permission denied")
    except OSError as e:
        raise ScratchError(f"cannot use the temp folder {r} (setting temp_root): {e.strerror or e}; "
                           "set temp_root to a writable folder") from None
    return r


def mkdtemp(tag: str, parent: Path | None = None) -> Path:
    """A new owned scratch folder ``<temp_root>/vsg-<pid>-<start>-<tag>-XXXX``."""
    base = ensure_root(parent)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", tag)[:40]
    try:
        return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{me().tag}-{safe}-", dir=base))
    except OSError as e:
        raise ScratchError(f"cannot create a temp folder in {base} (setting temp_root): {e.strerror or e}; "
                           "free some space or set temp_root to another folder") from None


@contextlib.contextmanager
def temp_dir(tag: str, parent: Path | None = None) -> Iterator[Path]:
    d = mkdtemp(tag, parent)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def write_marker(folder: Path, **paths: Path | None) -> None:
    """Record in ``folder`` the files outside it that its owner may leave (partial output, lock file)."""
    data = {k: str(v) for k, v in paths.items() if v is not None}
    tmp = folder / (MARKER + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8", errors="surrogateescape")
    os.replace(tmp, folder / MARKER)


def partial_name(final: Path) -> str:
    """The hidden name mkvmerge writes to before the file is audited and renamed to ``final``.

    Bounded length whatever the final name's length (255-byte file name limit).
    """
    return f"{PARTIAL_PREFIX}{me().tag}-{os.urandom(4).hex()}{final.suffix.lower()}"


# ------------------------------------------------------------------------------------------- sweeping
def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError:
        return False


def _remove_stale_lock(path: Path) -> bool:
    """Remove a lock file nobody holds (taking the lock first so a live holder is never disturbed)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        try:
            if os.fstat(fd).st_ino != os.stat(path).st_ino:
                return False
        except OSError:
            return False
        path.unlink(missing_ok=True)
        return True
    finally:
        os.close(fd)


def sweep_folder(folder: Path) -> list[str]:
    """Partial outputs of dead owners and unheld lock files in an output ``folder``."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        if e.name.startswith(PARTIAL_PREFIX):
            o = owner_of(e.name)
            if o is not None and not o.alive() and _remove(Path(e.path)):
                removed.append(e.path)
        elif e.name.startswith(LOCK_PREFIX) and _remove_stale_lock(Path(e.path)):
            removed.append(e.path)
    return removed


def sweep(temp_root: Path | None = None) -> list[str]:
    """Remove the leftovers of dead vsg processes under ``temp_root``; returns what was removed."""
    base = Path(os.path.abspath(temp_root)) if temp_root is not None else root()
    removed: list[str] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for e in entries:
        if not e.name.startswith(PREFIX):
            continue
        o = owner_of(e.name)
        if o is None or o.alive():
            continue
        folder = Path(e.path)
        try:
            data = json.loads((folder / MARKER).read_text(encoding="utf-8", errors="surrogateescape"))
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict):
            for key in ("partial", "lock"):
                p = data.get(key)
                if not isinstance(p, str):
                    continue
                pp = Path(p)
                # only files that carry the dead owner's tag (a partial) or are an unheld lock
                if key == "partial" and owner_of(pp.name) == o and _remove(pp):
                    removed.append(p)
                elif key == "lock" and pp.name.startswith(LOCK_PREFIX) and _remove_stale_lock(pp):
                    removed.append(p)
        if _remove(folder):
            removed.append(e.path)
    return removed
