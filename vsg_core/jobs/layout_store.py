"""Saved job layouts (docs/pipeline.md#layouts): one JSON file per job, validated on load, copied between jobs
only when their track structures match."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import SettingsError
from ..models import Track
from .layout import Layout, compatible, structure_signature, track_signature


def job_id(sources: Mapping[str, str | Path]) -> str:
    """MD5 of the sorted ``key:<full path>`` pairs, first 16 hex digits.

    The original hashed base names only, so two folders with the same file names shared one layout (the original's
    quirk, docs/pipeline.md#layouts); vsg hashes the resolved paths.
    """
    parts = [f"{k}:{Path(v).resolve()}" for k, v in sorted(sources.items()) if v]
    return hashlib.md5("|".join(parts).encode("utf-8")).hexdigest()[:16]


class LayoutStore:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def path_for(self, jid: str) -> Path:
        return self.folder / f"{jid}.json"

    def save(self, sources: Mapping[str, str | Path], layout: Layout, tracks: Mapping[str, Sequence[Track]],
             copied_from: str | None = None) -> Path:
        jid = job_id(sources)
        data: dict[str, Any] = {
            "job_id": jid,
            "sources": {k: str(v) for k, v in sources.items()},
            "layout": json.loads(layout.to_json()),
            "track_signature": track_signature(layout.entries),
            "structure_signature": structure_signature(tracks),
            "saved_timestamp": _dt.datetime.now().isoformat(timespec="seconds"),
        }
        if copied_from:
            data["copied_from"] = copied_from
        self.folder.mkdir(parents=True, exist_ok=True)
        out = self.path_for(jid)
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, out)
        return out

    def load(self, sources: Mapping[str, str | Path]) -> tuple[Layout, dict[str, Any]] | None:
        p = self.path_for(job_id(sources))
        if not p.exists():
            return None
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise SettingsError(f"saved layout {p} is unreadable: {e}; delete it to start over") from None
        for key in ("job_id", "sources", "layout", "track_signature", "structure_signature"):
            if key not in data:
                raise SettingsError(f"saved layout {p} lacks '{key}'; delete it to start over")
        return Layout.from_json(json.dumps(data["layout"]), where=str(p)), data["structure_signature"]

    def copy(self, src_sources: Mapping[str, str | Path], dst_sources: Mapping[str, str | Path],
             dst_tracks: Mapping[str, Sequence[Track]]) -> Path:
        """Apply the layout saved for one job to another with the same track structure."""
        loaded = self.load(src_sources)
        if loaded is None:
            raise SettingsError("the job to copy from has no saved layout")
        layout, structure = loaded
        if not compatible(structure, structure_signature(dst_tracks)):
            raise SettingsError("the two jobs' sources have different track structures; the layout does not fit")
        return self.save(dst_sources, layout, dst_tracks, copied_from=job_id(src_sources))

    def clear(self) -> None:
        for f in self.folder.glob("*.json"):
            f.unlink(missing_ok=True)
