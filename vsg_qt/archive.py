"""Zip a batch's job logs (docs/pipeline.md#logging). No Qt here."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path


def archive_logs(folder: Path) -> list[str]:
    """Zip every ``*.log`` of ``folder`` into ``<folder>/<folder name>.zip``, delete them; the log lines."""
    folder = Path(folder)
    logs = sorted(folder.glob("*.log"))
    lines = [f"--- Archiving logs in {folder} ---"]
    if not logs:
        return [*lines, "[INFO] No log files to archive."]
    target = folder / f"{folder.name}.zip"
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for p in logs:
                z.write(p, arcname=p.name)
        os.replace(tmp, target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        return [*lines, f"[ERROR] Could not archive the logs into {target}: {e.strerror}; logs kept."]
    for p in logs:
        p.unlink(missing_ok=True)
    return [*lines, f"[SUCCESS] {len(logs)} log(s) archived to {target}"]
