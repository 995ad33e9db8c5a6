"""Clip job lists: ``vsg clip batch`` files and API-style JSON (yt-dlp info JSON or a generic list).

Batch file: a JSON list of jobs (or ``{"jobs": [...]}``), each ``{"input", "start", "end" | "duration",
"output"?, "accurate"?, "video_codec"?, "audio_codec"?, "preset"?, "crf"?, "title"?}``. Relative inputs and
outputs are relative to the batch file's folder. A malformed job becomes a failed job with its reason; a file
that is not JSON is one error for the whole batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .media import is_url
from .run import ENCODE_KEYS, ClipJob
from .types import ClipError

JOB_KEYS = {"input", "start", "end", "duration", "output", "accurate", "title", *ENCODE_KEYS}


@dataclass(frozen=True)
class JobEntry:
    """A job read from a list, or the reason it could not be read (``job`` is None then)."""

    index: int
    job: ClipJob | None
    error: str | None = None
    label: str = ""


def _time_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a time")
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return v
    raise ValueError(f"{v!r} is not a time")


def _resolve(p: str, base: Path | None) -> str:
    if is_url(p) or base is None or Path(p).is_absolute():
        return p
    return str(base / p)


def job_from_dict(d: Any, base: Path | None, index: int) -> JobEntry:
    where = f"job {index}"
    if not isinstance(d, dict):
        return JobEntry(index, None, f"{where}: expected an object with input/start/end, got {d!r}"[:300])
    unknown = sorted(set(d) - JOB_KEYS)
    if unknown:
        return JobEntry(index, None, f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
                                     f"known: {', '.join(sorted(JOB_KEYS))}")
    src = d.get("input")
    if not isinstance(src, str) or not src.strip():
        return JobEntry(index, None, f"{where}: 'input' (a file path or URL) is missing")
    try:
        start = _time_text(d.get("start"))
        end = _time_text(d.get("end"))
        duration = _time_text(d.get("duration"))
    except ValueError as e:
        return JobEntry(index, None, f"{where}: {e}", src)
    if start is None:
        return JobEntry(index, None, f"{where}: 'start' is missing", src)
    enc = {k: d[k] for k in ENCODE_KEYS if k in d}
    if "crf" in enc and (isinstance(enc["crf"], bool) or not isinstance(enc["crf"], int)):
        return JobEntry(index, None, f"{where}: 'crf' must be a whole number", src)
    for k in ("video_codec", "audio_codec", "preset"):
        if k in enc and not isinstance(enc[k], str):
            return JobEntry(index, None, f"{where}: '{k}' must be text", src)
    out = d.get("output")
    if out is not None and not isinstance(out, str):
        return JobEntry(index, None, f"{where}: 'output' must be a path", src)
    title = d.get("title")
    job = ClipJob(_resolve(src, base), start, end, duration, _resolve(out, base) if out else None,
                  bool(d.get("accurate", False)), enc, str(title) if title else None)
    return JobEntry(index, job, None, src)


def _load_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as e:
        raise ClipError(f"{name} is not valid JSON: {e}") from None


def read_batch(path: Path) -> list[JobEntry]:
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM (Windows editors) is allowed
    except FileNotFoundError:
        raise ClipError(f"batch file {path} not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ClipError(f"batch file {path} cannot be read: {e}") from None
    data = _load_json(text, f"batch file {path}")
    if isinstance(data, dict) and isinstance(data.get("jobs"), list):
        data = data["jobs"]
    if not isinstance(data, list):
        raise ClipError(f"batch file {path} must hold a JSON list of jobs (or {{\"jobs\": [...]}})")
    if not data:
        raise ClipError(f"batch file {path} holds no jobs")
    base = path.resolve().parent
    return [job_from_dict(d, base, i + 1) for i, d in enumerate(data)]


def detect_api_type(data: Any) -> str:
    if isinstance(data, dict) and any(k in data for k in ("extractor", "webpage_url", "formats", "chapters",
                                                          "requested_downloads", "_type")):
        return "ytdlp"
    return "generic"


def _ytdlp_media(data: dict[str, Any]) -> str | None:
    for d in data.get("requested_downloads") or []:
        if isinstance(d, dict):
            for k in ("filepath", "_filename"):
                if isinstance(d.get(k), str) and Path(d[k]).is_file():
                    return str(d[k])
    for k in ("filepath", "_filename"):
        if isinstance(data.get(k), str) and Path(data[k]).is_file():
            return str(data[k])
    if isinstance(data.get("url"), str):
        return str(data["url"])
    return None


def read_api(text: str, name: str, api_type: str = "auto") -> list[JobEntry]:
    """Jobs from API-style JSON. yt-dlp info JSON: one clip per chapter (or the ``section_start`` /
    ``section_end`` of a section download) of the downloaded file or direct media ``url``. Generic: a list
    (or ``{"clips"|"items": [...]}``) of ``{"url"|"path", "start", "end"|"duration", "title"?}``."""
    data = _load_json(text, name)
    kind = detect_api_type(data) if api_type == "auto" else api_type
    if kind == "ytdlp":
        if not isinstance(data, dict):
            raise ClipError(f"{name}: a yt-dlp info JSON is an object, got {type(data).__name__}")
        media = _ytdlp_media(data)
        if media is None:
            raise ClipError(f"{name}: no downloaded file ('filepath') or direct media 'url' in the yt-dlp JSON")
        title = str(data.get("title") or "clip")
        chapters = data.get("chapters") or []
        raw: list[dict[str, Any]] = []
        for c in chapters:
            if isinstance(c, dict):
                raw.append({"input": media, "start": c.get("start_time"), "end": c.get("end_time"),
                            "title": f"{title} - {c.get('title') or len(raw) + 1}"})
        if not raw and data.get("section_start") is not None:
            raw.append({"input": media, "start": data.get("section_start"), "end": data.get("section_end"),
                        "title": title})
        if not raw:
            raise ClipError(f"{name}: the yt-dlp JSON has no chapters and no section_start/section_end to clip")
        return [job_from_dict(d, None, i + 1) for i, d in enumerate(raw)]
    if kind != "generic":
        raise ClipError(f"unknown API type {api_type!r}; use auto, ytdlp or generic")
    items = data
    if isinstance(data, dict):
        items = data.get("clips", data.get("items"))
    if not isinstance(items, list) or not items:
        raise ClipError(f"{name}: expected a non-empty list of {{url|path, start, end, title}} objects")
    out: list[JobEntry] = []
    for i, it in enumerate(items):
        if not isinstance(it, dict):
            out.append(JobEntry(i + 1, None, f"item {i + 1}: expected an object, got {it!r}"[:300]))
            continue
        src = it.get("url", it.get("path"))
        d = {"input": src, "start": it.get("start"), "title": it.get("title")}
        for k in ("end", "duration"):
            if it.get(k) is not None:
                d[k] = it[k]
        out.append(job_from_dict(d, None, i + 1))
    return out
