"""``vsg settings list [--json] [--all]``, ``vsg settings get KEY``, ``vsg settings set KEY VALUE``.

Reads and writes the settings file (``--settings FILE``, else ``$VSG_SETTINGS``, else
``~/.config/vsg/settings.json``); ``VSG_SET_<KEY>`` overrides show in ``list`` and ``get`` but are never written
by ``set``. Every key, its type, default, range and meaning are in docs/settings.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..config import BY_KEY, SCHEMA, Settings
from ..config.settings import not_available_message
from ..errors import SettingsError
from ..setting_ranges import PAIRS, check_settings


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("settings", help="list, show or change settings",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--settings", type=Path, help="settings file (default: ~/.config/vsg/settings.json)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = actions.add_parser("list", help="every setting with its value")
    ls.add_argument("--json", action="store_true",
                    help="one JSON array: key, value, default, type, unit, range, choices, available, label, help")
    ls.add_argument("--all", action="store_true", help="also list the settings of features not available yet")
    g = actions.add_parser("get", help="print one setting's value")
    g.add_argument("key")
    s = actions.add_parser("set", help="validate and save one setting")
    s.add_argument("key")
    s.add_argument("value", help="the new value (true/false, a number, text, or a JSON list)")
    return p


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def _entry(settings: Settings, key: str) -> dict[str, Any]:
    s = BY_KEY[key]
    return {"key": key, "value": settings[key] if s.available else settings.preserved.get(key, s.default),
            "default": s.default, "type": s.type, "unit": s.unit, "range": s.range_text(),
            "minimum": s.minimum, "maximum": s.maximum, "choices": list(s.choices), "available": s.available,
            "label": s.label, "help": s.help, "section": f"{s.tab} / {s.section}"}


def _load(args: argparse.Namespace) -> Settings:
    return Settings.load(args.settings) if args.settings else Settings.load()


def _key(text: str) -> str:
    key = text.strip()
    if key not in BY_KEY:
        near = [k for k in BY_KEY if key.lower() in k]
        hint = f"; did you mean {', '.join(near[:5])}?" if near else "; `vsg settings list` shows every setting"
        raise SettingsError(f"unknown setting {key!r}{hint}")
    return key


def run(args: argparse.Namespace) -> int:
    settings = _load(args)
    for w in settings.warnings:
        print(w, file=sys.stderr)
    if args.action == "list":
        keys = [s.key for s in SCHEMA if s.available or args.all]
        if args.json:
            print(json.dumps([_entry(settings, k) for k in keys], ensure_ascii=False, indent=2))
            return 0
        width = max(len(k) for k in keys)
        for k in keys:
            s = BY_KEY[k]
            unit = f" {s.unit}" if s.unit and s.type in ("int", "float") else ""
            note = "" if s.available else "   (not available in this version)"
            print(f"{k:<{width}}  {_show(_entry(settings, k)['value'])}{unit}{note}")
        return 0
    key = _key(args.key)
    if args.action == "get":
        if not BY_KEY[key].available:
            raise SettingsError(not_available_message(key))
        print(_show(settings[key]))
        return 0
    # set: validate on a copy of the file's values (not the VSG_SET_ overrides) and save
    stored = Settings.load(settings.path, env={})
    value = args.value
    if BY_KEY[key].widget in ("dir", "file") and value and not value.startswith("~") and \
            not Path(value).is_absolute():
        # a relative folder would be resolved against the current folder of every later run
        value = str(Path(value).resolve())
    stored.set(key, value)
    for a, b in PAIRS:  # a value that breaks a pair would make every later run refuse to start
        if key in (a, b):
            problems = check_settings({a: stored[a], b: stored[b]})
            if problems:
                other = b if key == a else a
                raise SettingsError(f"{problems[0]}; nothing was saved (change {other!r} first)")
    stored.save()
    print(f"{key} = {_show(stored[key])} (saved to {stored.path})")
    return 0
