"""Where a job writes, checked before anything is written (see docs/reliability.md).

- The output is exactly the name asked for; it must end in .mkv, .mka or .mks.
- ``DIR/`` or an existing folder means "write ``<REF stem>.mkv`` into it".
- An existing output is replaced only with ``overwrite`` (``vsg sync --overwrite``; the GUI asks the user), and
  only after the new file passed its audit; it is never a source, a folder or a special file.
- The job log is ``<output stem>.log`` next to the output, checked like the output; when an older log is there
  and ``overwrite`` is off, the first free ``<stem>.N.log`` is used, so an earlier job's log is never lost.
- One job per output path at a time: :class:`OutputLock` holds an ``fcntl`` lock on
  ``.vsg-lock-<hash>`` in the output folder; a second job for the same output fails at once.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import VsgError
from ..filenames import fit_name
from ..scratch import LOCK_PREFIX

OUTPUT_SUFFIXES = (".mkv", ".mka", ".mks")
NAME_MAX = 255


class OutputError(VsgError):
    """The output (or its log) cannot be written where asked."""


@dataclass(frozen=True)
class OutputPlan:
    final: Path
    log: Path
    replaces: bool          # an existing output will be replaced after the audit


def _abs(p: Path | str) -> Path:
    return Path(os.path.abspath(os.fsdecode(p)))


def _name_ok(p: Path, what: str) -> None:
    try:
        raw = os.fsencode(p.name)
    except UnicodeError:
        raise OutputError(f"the {what} name {p.name!r} cannot be encoded on this system; choose another "
                          "name") from None
    if len(raw) > NAME_MAX:
        raise OutputError(f"the {what} name is {len(raw)} bytes long; file names may have at most {NAME_MAX} "
                          f"bytes: choose a shorter name ({p.name[:40]}…)")
    try:
        p.name.encode("utf-8")
    except UnicodeEncodeError:
        raise OutputError(f"the {what} name {os.fsencode(p.name)!r} is not valid UTF-8, which mkvmerge needs; "
                          "rename it") from None


def is_dir_request(output: Path | str) -> bool:
    s = os.fsdecode(output)
    return s.endswith(os.sep) or (os.altsep is not None and s.endswith(os.altsep)) or os.path.isdir(s)


def resolve_output(reference: Path, sources: Mapping[str, Path], *, output_dir: Path | None = None,
                   output_file: Path | str | None = None, overwrite: bool = False,
                   analyze_only: bool = False) -> OutputPlan:
    """The checked output and log paths of a job (raises OutputError saying what to do).

    ``analyze_only``: nothing is written under the output name, only the log next to it.
    """
    if output_file is not None and is_dir_request(output_file):
        output_dir, output_file = Path(output_file), None
    if output_file is not None:
        final = _abs(output_file)
    else:
        folder = _abs(output_dir) if output_dir is not None else _abs(".")
        final = folder / fit_name("", Path(reference).stem, ".mkv")
    if final.suffix.lower() not in OUTPUT_SUFFIXES:
        raise OutputError(f"the output {final.name!r} must end in .mkv, .mka or .mks (vsg writes Matroska); "
                          f"e.g. {final.with_suffix('.mkv').name!r}")
    _name_ok(final, "output")
    folder = final.parent
    for key, src in sources.items():
        if _same(final, src):
            raise OutputError(f"the output {final} would overwrite {key} (the same file); choose another output "
                              "folder or name")
    replaces = False
    if not analyze_only and os.path.lexists(final):
        if os.path.isdir(final):
            raise OutputError(f"the output {final} is a folder; give a file name or end the path with / to "
                              "write into it")
        if not os.path.isfile(final):
            raise OutputError(f"the output {final} exists and is not a regular file; choose another name")
        if not overwrite:
            raise OutputError(f"the output {final} already exists; pass --overwrite to replace it (it is "
                              "replaced only after the new file passed its audit) or choose another name")
        replaces = True
    _check_folder(folder)
    log = _log_path(final, sources, overwrite)
    return OutputPlan(final, log, replaces)


def existing_output(reference: Path, sources: Mapping[str, Path], *, output_dir: Path | None = None,
                    output_file: Path | str | None = None) -> Path | None:
    """The file a job would replace, or None: the GUI asks the user before passing ``overwrite=True``."""
    try:
        plan = resolve_output(reference, sources, output_dir=output_dir, output_file=output_file, overwrite=True)
    except OutputError:
        return None                       # another problem: run_job reports it
    return plan.final if plan.replaces else None


def _same(a: Path, b: Path | str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return _abs(a) == _abs(b)


def _check_folder(folder: Path) -> None:
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"cannot write into {folder}: {probe} is not a folder")
    try:
        st = os.statvfs(probe)
    except OSError:
        st = None
    if st is not None and st.f_flag & os.ST_RDONLY:
        raise OutputError(f"cannot write into {folder}: the file system is read-only; choose another output "
                          "folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write into {folder}: permission denied; choose another output folder")


def _log_path(final: Path, sources: Mapping[str, Path], overwrite: bool) -> Path:
    base = final.with_suffix(".log")
    candidates = [base] + [final.with_name(fit_name("", final.stem, f".{n}.log")) for n in range(1, 1000)]
    for cand in candidates:
        if any(_same(cand, s) for s in sources.values()):
            raise OutputError(f"the job log {cand} would overwrite a source; choose another output name")
        if os.path.isdir(cand) or (os.path.lexists(cand) and not os.path.isfile(cand)) or os.path.islink(cand):
            continue  # never write through a symbolic link: --overwrite would replace the file it points to
        if os.path.lexists(cand) and not overwrite:
            continue
        _name_ok(cand, "log")
        return cand
    raise OutputError(f"too many old logs next to {final}; delete some {final.stem}.N.log files")


def prepare_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create the output folder {folder}: {e.strerror or e}") from None


class OutputLock:
    """An exclusive, non-blocking ``fcntl`` lock for one output path (released on close or process death)."""

    def __init__(self, final: Path) -> None:
        digest = hashlib.sha256(os.fsencode(final.name)).hexdigest()[:20]
        self.path = final.parent / f"{LOCK_PREFIX}{digest}"
        self.final = final
        self._fd: int | None = None

    def acquire(self) -> OutputLock:
        for _ in range(20):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as e:
                raise OutputError(f"cannot create the lock file {self.path}: {e.strerror or e}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                os.close(fd)
                if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise OutputError(f"another vsg job is already writing {self.final}; wait for it to finish "
                                      "or choose another output name") from None
                raise OutputError(f"cannot lock {self.path}: {e.strerror or e}") from None
            # the holder before us may have removed the file after we opened it: lock the file on disk
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self._fd = fd
                return self
            os.close(fd)
        raise OutputError(f"cannot lock {self.final}: the lock file keeps changing; try again")

    def probe(self) -> None:
        """Raise OutputError at once when another job holds the lock (the job takes it again later)."""
        if os.path.exists(self.path):
            self.acquire()
            self.release()

    def release(self) -> None:
        if self._fd is not None:
            try:
                self.path.unlink(missing_ok=True)
            except OSError:
                pass
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
