"""The settings file: load, migrate, coerce, validate, override from the environment, save atomically.

Facts from spec pipeline_ui.md §11.1; vsg deviations (decision log): the file lives in the user's config
directory (``$VSG_SETTINGS`` or ``$XDG_CONFIG_HOME/vsg/settings.json``), not inside the program folder; a
corrupt file is never silently overwritten — :meth:`Settings.load` raises :class:`SettingsError` naming the file
and line, and ``recover=True`` (the GUI) moves it aside as ``settings.json.corrupt`` before using defaults;
``source_separation_device = cpu`` is kept (the original rewrote it to ``auto``); environment variables
``VSG_SET_<KEY>`` override single keys for one run (``VSG_SET_SCAN_CHUNK_COUNT=20``).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import SettingsError
from .defaults import DEFAULTS

ENV_PREFIX = "VSG_SET_"
TRUE_STRINGS = {"true", "1", "yes", "on"}
ENUMS: dict[str, tuple[str, ...]] = {
    "source_separation_device": ("auto", "cpu", "cuda", "rocm", "mps"),
    "source_separation_mode": ("none", "instrumental", "vocals"),
    "duration_align_hash_algorithm": ("dhash", "phash", "average_hash"),
    "correlation_snap_hash_algorithm": ("dhash", "phash", "average_hash"),
    "sub_anchor_hash_algorithm": ("dhash", "phash", "average_hash"),
    "corr_anchor_hash_algorithm": ("dhash", "phash", "average_hash"),
    "frame_match_method": ("dhash", "phash", "average_hash"),
    "stepping_silence_detection_method": ("rms_basic", "ffmpeg_silencedetect", "smart_fusion"),
    "segment_resample_engine": ("aresample", "rubberband", "atempo"),
    "sync_mode": ("positive_only", "allow_negative"),
    "snap_mode": ("previous", "nearest"),
    "stepping_correction_mode": ("full", "filtered", "strict", "disabled"),
    "stepping_quality_mode": ("strict", "normal", "lenient", "custom"),
    "stepping_filtered_fallback": ("nearest", "interpolate", "uniform", "skip", "reject"),
    "correction_on_qa_failure": ("fail", "original"),
    "correction_pal_engine": ("rubberband", "atempo", "aresample"),
}
LEGACY_MODELS = {"Demucs - Music/Effects (Strip Vocals)": "instrumental", "Demucs - Vocals Only": "vocals"}


def default_path() -> Path:
    env = os.environ.get("VSG_SETTINGS")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "vsg" / "settings.json"


def coerce(key: str, value: Any) -> Any:
    """Convert ``value`` to the type of ``key``'s default (§11.1.4); raises ValueError when impossible."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return value.strip().lower() in TRUE_STRINGS
        if isinstance(value, (int, float)):
            return bool(value)
        raise ValueError(f"expected true/false, got {value!r}")
    if isinstance(default, int):
        if isinstance(value, bool):
            raise ValueError(f"expected a whole number, got {value!r}")
        f = float(value)
        if not math.isfinite(f):
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(f)
    if isinstance(default, float):
        if isinstance(value, bool):
            raise ValueError(f"expected a number, got {value!r}")
        f = float(value)
        if math.isnan(f):
            raise ValueError(f"expected a number, got {value!r}")
        return f
    if isinstance(default, str):
        if isinstance(value, (dict, list)):
            raise ValueError(f"expected text, got {value!r}")
        return str(value)
    if isinstance(default, list):
        if isinstance(value, str):
            value = json.loads(value)
        if not isinstance(value, list):
            raise ValueError(f"expected a list, got {value!r}")
        return list(value)
    return value


def check(key: str, value: Any) -> str | None:
    """The reason ``value`` is invalid for ``key`` (§11.1.5), or None."""
    if key in ENUMS and value not in ENUMS[key]:
        return f"must be one of {', '.join(ENUMS[key])}"
    is_num = isinstance(value, (int, float)) and not isinstance(value, bool)
    if key.endswith(("_pct", "_percentage")) and is_num and not 0 <= value <= 100:
        return "must be between 0 and 100"
    if key.endswith(("_ms", "_hz")) and is_num and value < 0 and "silence" not in key:
        return "must not be negative"
    if key.endswith(("_count", "_chunks", "_samples", "_taps", "_workers", "_points", "_threshold", "_ratio")) \
            and is_num and value < 0:
        return "must not be negative"
    return None


class Settings(Mapping[str, Any]):
    """All settings with their defaults filled in; a read-only mapping plus :meth:`set` and :meth:`save`."""

    def __init__(self, values: Mapping[str, Any] | None = None, path: Path | None = None,
                 warnings: list[str] | None = None) -> None:
        self._values: dict[str, Any] = dict(DEFAULTS)
        self.path = path
        self.warnings: list[str] = list(warnings or [])
        for k, v in (values or {}).items():
            self.set(k, v)

    # Mapping protocol
    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def set(self, key: str, value: Any) -> None:
        """Set one key; an unknown key or an invalid value raises SettingsError naming both."""
        where = f" in {self.path}" if self.path else ""
        if key not in DEFAULTS:
            raise SettingsError(f"unknown setting {key!r}{where}; check the spelling")
        try:
            v = coerce(key, value)
        except (TypeError, ValueError) as e:
            raise SettingsError(f"setting {key!r}{where}: {e}") from None
        reason = check(key, v)
        if reason:
            raise SettingsError(f"setting {key!r}{where} = {v!r} {reason}")
        self._values[key] = v

    def copy(self) -> Settings:
        return Settings(self._values, self.path, self.warnings)

    # ---------------------------------------------------------------- file I/O
    @classmethod
    def load(cls, path: Path | None = None, *, recover: bool = False, env: Mapping[str, str] | None = None
             ) -> Settings:
        """Load ``path`` (default :func:`default_path`); a missing file gives the defaults."""
        p = Path(path) if path is not None else default_path()
        raw: dict[str, Any] = {}
        warnings: list[str] = []
        if p.exists():
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
                if not isinstance(data, dict):
                    raise ValueError("the file must hold a JSON object {\"key\": value, …}")
                raw = data
            except (OSError, UnicodeDecodeError, ValueError) as e:
                if not recover:
                    raise SettingsError(f"settings file {p} is unreadable: {e}. Fix it, or delete it to start "
                                        "from the defaults.") from None
                aside = p.with_name(p.name + ".corrupt")
                os.replace(p, aside)
                warnings.append(f"[WARNING] settings file {p} was unreadable ({e}); it was moved to {aside} "
                                "and the defaults are used")
        raw = _migrate(raw)
        s = cls(path=p, warnings=warnings)
        for k, v in raw.items():
            if k not in DEFAULTS:
                s.warnings.append(f"[WARNING] {p}: unknown setting {k!r} ignored")
                continue
            try:
                s.set(k, v)
            except SettingsError as e:
                s.warnings.append(f"[WARNING] {e}; the default {DEFAULTS[k]!r} is used")
        for name, text in (env if env is not None else os.environ).items():
            if name.startswith(ENV_PREFIX):
                key = name[len(ENV_PREFIX):].lower()
                try:
                    s.set(key, text)
                except SettingsError as e:
                    raise SettingsError(f"environment variable {name}: {e}") from None
        return s

    def save(self, path: Path | None = None) -> Path:
        """Write every key (default order, JSON indent 4, UTF-8) via a temp file renamed into place."""
        p = Path(path) if path is not None else (self.path or default_path())
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(json.dumps(self._values, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, p)
        self.path = p
        return p


def _migrate(raw: dict[str, Any]) -> dict[str, Any]:
    out = dict(raw)
    out.pop("post_mux_validate_metadata", None)
    for old, new in (("analysis_lang_ref", "analysis_lang_source1"), ("analysis_lang_sec", "analysis_lang_others")):
        if old in out:
            if not out.get(new):
                out[new] = out[old]
            del out[old]
    out.pop("analysis_lang_ter", None)
    model = out.get("source_separation_model")
    if model in LEGACY_MODELS:
        out["source_separation_mode"] = LEGACY_MODELS[model]
        out["source_separation_model"] = "default"
    return out
