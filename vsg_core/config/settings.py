"""The settings file: load, migrate, validate, override from the environment, save atomically.

Every key is defined in :mod:`vsg_core.config.schema`; values are checked by :mod:`vsg_core.config.validation`.

* The file lives in the user's config directory: ``$VSG_SETTINGS``, else ``$XDG_CONFIG_HOME/vsg/settings.json``
  (``~/.config/vsg/settings.json``). A missing file means the defaults.
* A corrupt file is never overwritten: :meth:`Settings.load` raises :class:`SettingsError` naming the file;
  ``recover=True`` (the GUI) moves it aside as ``settings.json.corrupt`` and uses the defaults.
* A value that is invalid for its key is an error naming the file and the key (the command line refuses to
  run with it); with ``recover=True`` (the GUI) it is reported and the key's default is used.
* Keys this version does not use — unknown ones, and those of features that are not available
  (``available=False``) — are kept as they are and written back on save; one warning per load lists them.
* ``VSG_SET_<KEY>=value`` overrides one key for one run (``VSG_SET_SCAN_CHUNK_COUNT=20``); an invalid value, an
  unknown key or a key that is not available is an error naming the variable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import SettingsError
from .schema import BY_KEY, DEFAULTS, SCHEMA
from .validation import validate

ENV_PREFIX = "VSG_SET_"
LEGACY_MODELS = {"Demucs - Music/Effects (Strip Vocals)": "instrumental", "Demucs - Vocals Only": "vocals"}


def default_path() -> Path:
    env = os.environ.get("VSG_SETTINGS")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "vsg" / "settings.json"


def not_available_message(key: str) -> str:
    return (f"setting {key!r} is not available in this version of vsg: the feature it controls is not built "
            "yet, so setting it would change nothing")


class Settings(Mapping[str, Any]):
    """All settings with their defaults filled in; a read-only mapping plus :meth:`set` and :meth:`save`.

    Reading a key whose feature is not available gives its default."""

    def __init__(self, values: Mapping[str, Any] | None = None, path: Path | None = None,
                 warnings: list[str] | None = None, preserved: Mapping[str, Any] | None = None) -> None:
        self._values: dict[str, Any] = dict(DEFAULTS)
        self.path = path
        self.warnings: list[str] = list(warnings or [])
        # keys of the file this version does not use (unknown or not available): written back unchanged
        self.preserved: dict[str, Any] = dict(preserved or {})
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
        """Set one key; an unknown or unavailable key or an invalid value raises SettingsError naming it."""
        self._assign(key, value, f" in {self.path}" if self.path else "")

    def _assign(self, key: str, value: Any, where: str) -> None:
        s = BY_KEY.get(key)
        if s is None:
            raise SettingsError(f"unknown setting {key!r}{where}; check the spelling (`vsg settings list` "
                                "shows every setting)")
        if not s.available:
            raise SettingsError(not_available_message(key))
        try:
            self._values[key] = validate(s, value)
        except (TypeError, ValueError) as e:
            raise SettingsError(f"setting {key!r}{where}: {e}") from None

    def copy(self) -> Settings:
        c = Settings(path=self.path, warnings=self.warnings, preserved=self.preserved)
        c._values = dict(self._values)
        return c

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
                data = json.loads(p.read_text(encoding="utf-8-sig"))  # a BOM (Windows editors) is allowed
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
        unknown: list[str] = []
        unavailable: list[str] = []
        for k, v in raw.items():
            entry = BY_KEY.get(k)
            if entry is None or not entry.available:
                (unknown if entry is None else unavailable).append(k)
                s.preserved[k] = v
                continue
            try:
                s.set(k, v)
            except SettingsError as e:
                if not recover:
                    raise SettingsError(f"settings file {p}: {e}. Fix the value there (or remove the key to use "
                                        f"its default {DEFAULTS[k]!r}).") from None
                s.warnings.append(f"[WARNING] {p}: {e}; the default {DEFAULTS[k]!r} is used")
        if unavailable:
            s.warnings.append(f"[WARNING] {p}: {len(unavailable)} setting(s) for features this version does not "
                              f"have are kept unchanged and have no effect: {', '.join(unavailable)}")
        if unknown:
            s.warnings.append(f"[WARNING] {p}: unknown setting(s) kept unchanged and ignored: "
                              f"{', '.join(unknown)}")
        for name, text in (env if env is not None else os.environ).items():
            if name.startswith(ENV_PREFIX):
                key = name[len(ENV_PREFIX):].lower()
                try:
                    s._assign(key, text, "")
                except SettingsError as e:
                    raise SettingsError(f"environment variable {name}: {e}") from None
        return s

    def to_file_dict(self) -> dict[str, Any]:
        """What :meth:`save` writes: every available key (schema order), then the preserved keys as read."""
        out = {s.key: self._values[s.key] for s in SCHEMA if s.available}
        out.update(self.preserved)
        return out

    def save(self, path: Path | None = None) -> Path:
        """Write the settings (JSON, indent 4, UTF-8) via a temp file renamed into place. A symbolic link (a
        settings file kept with the user's dotfiles) is followed: the file it points to is replaced, the link
        stays."""
        p = Path(path) if path is not None else (self.path or default_path())
        target = Path(os.path.realpath(p)) if p.is_symlink() else p
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        try:
            tmp.write_text(json.dumps(self.to_file_dict(), indent=4, ensure_ascii=False) + "\n",
                           encoding="utf-8")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        self.path = p
        return p


def _migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Keys renamed since older settings files."""
    out = dict(raw)
    out.pop("post_mux_validate_metadata", None)
    for old, new in (("analysis_lang_ref", "analysis_lang_source1"), ("analysis_lang_sec", "analysis_lang_others")):
        if old in out:
            if not out.get(new):
                out[new] = out[old]
            del out[old]
    out.pop("analysis_lang_ter", None)
    model = out.get("source_separation_model")
    if isinstance(model, str) and model in LEGACY_MODELS:
        out["source_separation_mode"] = LEGACY_MODELS[model]
        out["source_separation_model"] = "default"
    return out
