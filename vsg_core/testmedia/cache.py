"""Where generated test media lives and how a build is made safe: cache directory, parameter hash,
atomic file writes and a cross-process build lock."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

# Names the cache sub-directory; bump it for incompatible layout changes (old caches are simply left
# behind: delete <repo>/.cache/testmedia to reclaim space). Edits of the generator's source are picked
# up automatically: its fingerprint is part of every case's parameter hash.
GENERATOR_VERSION = "v2"

ENV_CACHE = "VSG_MEDIA_CACHE"


def _repo_root() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "vsg_core").is_dir() else None


def cache_dir(out: str | Path | None = None) -> Path:
    """The directory holding the built cases.

    ``out`` if given; else ``$VSG_MEDIA_CACHE``; else ``<repo>/.cache/testmedia/<GENERATOR_VERSION>``
    (``~/.cache/vsg/testmedia/<GENERATOR_VERSION>`` when vsg is not run from a source checkout).
    """
    if out is not None:
        return Path(out).expanduser().resolve()
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env).expanduser().resolve()
    root = _repo_root()
    base = root / ".cache" / "testmedia" if root else Path.home() / ".cache" / "vsg" / "testmedia"
    return base / GENERATOR_VERSION


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, float):
        return repr(obj)  # exact
    if isinstance(obj, (Fraction, Path)):
        return str(obj)
    return obj


@functools.lru_cache(maxsize=1)
def source_fingerprint() -> str:
    """Hash of the generator's own source files (any change to them invalidates the cache)."""
    h = hashlib.sha256()
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def params_hash(*parts: Any) -> str:
    """Stable short hash of (nested) dataclasses/dicts/lists/scalars, the generator version and the
    generator's source fingerprint."""
    blob = json.dumps([GENERATOR_VERSION, source_fingerprint(), *(_plain(p) for p in parts)], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def tmp_name(path: Path) -> Path:
    """A sibling temp path with the same suffix (tools pick the format from it) that no reader
    mistakes for the finished file."""
    return path.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{path.name}")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temp path to write; on success it is renamed to ``path``, on error removed."""
    tmp = tmp_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_json_atomic(path: Path, data: Any) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


_guard = threading.Lock()
_key_locks: dict[Path, threading.Lock] = {}
_holders: dict[Path, list] = {}  # directory -> [hold count, open lock file]


@contextlib.contextmanager
def build_lock(directory: Path) -> Iterator[None]:
    """Exclusive inter-process lock on a cache directory, so two processes (e.g. the demo and a test run)
    never build into it at once. Within one process the hold is shared: nested calls and worker threads
    of :func:`build_all` proceed while the process holds it (same-case builds are kept apart by
    :func:`case_lock`)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = directory.resolve()
    with _guard:
        klock = _key_locks.setdefault(key, threading.Lock())
    with klock:
        entry = _holders.get(key)
        if entry is None:
            fh = open(key / ".build.lock", "w")  # held until the last holder leaves
            fcntl.flock(fh, fcntl.LOCK_EX)
            entry = _holders[key] = [0, fh]
        entry[0] += 1
    try:
        yield
    finally:
        with klock:
            entry[0] -= 1
            if entry[0] == 0:
                fcntl.flock(entry[1], fcntl.LOCK_UN)
                entry[1].close()
                del _holders[key]


_case_locks: dict[tuple[Path, str], threading.RLock] = {}


def case_lock(directory: Path, name: str) -> threading.RLock:
    """Per-process lock that keeps two threads from building the same case at once."""
    with _guard:
        return _case_locks.setdefault((directory.resolve(), name), threading.RLock())
