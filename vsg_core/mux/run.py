"""Running mkvmerge with an options file (docs/pipeline.md#mkvmerge-options).

vsg deviation from the original (docs/pipeline.md#job-steps): mkvmerge's exit code 1 means "finished with warnings" and
the output file is complete; it is treated as success and each warning is logged as ``[WARNING]``. Exit codes
≥ 2 (errors) raise :class:`~vsg_core.errors.CommandError`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import CommandError
from ..log import JobLog, format_log_message
from ..progress import mkvtoolnix_fraction, tool_progress_sink
from ..runner import run


@dataclass(frozen=True)
class MkvmergeResult:
    returncode: int
    warnings: tuple[str, ...]
    output: str


def _plain(text: str) -> str:
    """mkvmerge's ``--gui-mode`` lines (``#GUI#error …``, ``#GUI#warning …``) as it prints them without it."""
    out = []
    for ln in text.splitlines():
        s = ln.strip()
        if s.startswith("#GUI#progress"):
            continue
        if s.startswith("#GUI#error "):
            s = "Error: " + s[len("#GUI#error "):]
        elif s.startswith("#GUI#warning "):
            s = "Warning: " + s[len("#GUI#warning "):]
        out.append(s)
    return "\n".join(out)


def _warning_lines(text: str) -> tuple[str, ...]:
    return tuple(ln.strip() for ln in text.splitlines() if ln.strip().lower().startswith("warning:"))


def run_mkvmerge(options_file: str | os.PathLike[str], log: JobLog | None = None,
                 mkvmerge: str = "mkvmerge", output_file: str | os.PathLike[str] | None = None
                 ) -> MkvmergeResult:
    """``mkvmerge @<absolute options file>``. Exit 0/1 → result (1 logs the warnings); else CommandError.

    With ``output_file`` the written file must exist afterwards.
    """
    opts = Path(options_file).absolute()
    # --gui-mode: mkvmerge prints "#GUI#progress N%" lines, which drive the job's progress while it muxes
    proc = run([mkvmerge, "--gui-mode", f"@{opts}"], log, check=False, what=str(opts),
               progress=tool_progress_sink(mkvtoolnix_fraction))
    text = _plain(f"{proc.stdout}\n{proc.stderr}")
    if proc.returncode >= 2 or proc.returncode < 0:
        errors = [ln.strip() for ln in text.splitlines() if ln.strip().lower().startswith("error")]
        detail = errors[-1] if errors else "see the log for mkvmerge's output"
        raise CommandError(f"mkvmerge failed with exit code {proc.returncode} ({opts}): {detail}",
                           proc.returncode, proc.stderr)
    warnings = _warning_lines(text)
    if proc.returncode == 1 and log is not None:
        log.log(format_log_message("warning", "mkvmerge finished with warnings (exit code 1); the output "
                                              "file is complete"))
        for w in warnings:
            log.log(format_log_message("warning", f"mkvmerge: {w}"))
    if output_file is not None and not Path(output_file).is_file():
        raise CommandError(f"mkvmerge reported success but did not write {output_file}", proc.returncode,
                           proc.stderr)
    return MkvmergeResult(proc.returncode, warnings, _plain(proc.stdout))
