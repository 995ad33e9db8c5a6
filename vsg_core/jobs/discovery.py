"""Job discovery (docs/pipeline.md#job-discovery): one job per reference file, matched by file name across folders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import VsgError
from ..sources import sort_sources

BATCH_EXTENSIONS = (".mkv", ".mp4", ".m4v")
# what another source's folder may hold for a reference file of the same stem (a BD remux ep1.mkv with a web
# release ep1.mp4 or an audio-only ep1.mka)
MEDIA_EXTENSIONS = frozenset((".mkv", ".mka", ".mk3d", ".mp4", ".m4v", ".m4a", ".mov", ".ts", ".m2ts", ".mts",
                              ".avi", ".webm", ".mpg", ".mpeg", ".vob", ".ac3", ".eac3", ".ec3", ".dts", ".thd",
                              ".flac", ".wav", ".opus", ".ogg", ".oga", ".mp3", ".aac", ".mp2"))


class DiscoveryError(VsgError):
    """The given sources cannot form a job."""


@dataclass(frozen=True)
class JobSpec:
    """One job: source key ("Source 1" = reference, "Source 2", …) → file path."""

    sources: dict[str, Path]

    @property
    def reference(self) -> Path:
        return self.sources["Source 1"]

    @property
    def others(self) -> dict[str, Path]:
        return {k: v for k, v in self.sources.items() if k != "Source 1"}

    @property
    def name(self) -> str:
        return self.reference.stem


def _same_name(folder: Path, ref: Path) -> Path | None:
    """The file of ``folder`` that goes with reference file ``ref``: the same file name, else the one media
    file (``MEDIA_EXTENSIONS``) of the same stem; None when there is none or several."""
    exact = folder / ref.name
    if exact.is_file():
        return exact
    try:
        same = [p for p in folder.iterdir()
                if p.stem == ref.stem and p.suffix.lower() in MEDIA_EXTENSIONS and p.is_file()]
    except OSError:
        return None
    return same[0] if len(same) == 1 else None


def discover_jobs(sources: Mapping[str, str | Path | None]) -> list[JobSpec]:
    """Single-file mode when Source 1 is a file; batch mode (same file name in every folder) when a folder."""
    clean = {k: Path(v) for k, v in sources.items() if v not in (None, "")}
    ref = clean.get("Source 1")
    if ref is None:
        raise DiscoveryError("Source 1 (Reference) path cannot be empty.")
    if not ref.exists():
        raise DiscoveryError(f"Source 1 path does not exist: {ref}")
    others = {k: clean[k] for k in sort_sources([k for k in clean if k != "Source 1"])}
    if ref.is_file():
        job = {"Source 1": ref}
        job.update({k: p for k, p in others.items() if p.is_file()})
        return [JobSpec(job)]
    if ref.is_dir():
        for k, p in others.items():
            if p.is_file():
                raise DiscoveryError("If Source 1 is a folder, all other sources must also be folders or "
                                     f"empty ({k} is a file: {p}).")
        jobs: list[JobSpec] = []
        for f in sorted(ref.iterdir()):
            if not f.is_file() or f.suffix.lower() not in BATCH_EXTENSIONS:
                continue
            job = {"Source 1": f}
            for k, folder in others.items():
                match = _same_name(folder, f)
                if match is not None:
                    job[k] = match
            jobs.append(JobSpec(job))
        return jobs
    raise DiscoveryError(f"Source 1 path is not a valid file or directory: {ref}")
