"""How the options dialog shows the settings: tabs, sections, widget kind, label, unit and tooltip of each key.

Pure data derived from :mod:`vsg_core.config.schema` (no Qt here): only keys whose feature this version has
(``available``) and that are options (not the main window's state) get an editor; a key appears exactly once.
Values are validated by :meth:`vsg_core.config.Settings.set`, never here.
"""

from __future__ import annotations

import enum
import json
from typing import Any

from vsg_core.config.schema import BY_KEY, TABS, Setting, options


class Kind(enum.Enum):
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    CHOICE = "choice"
    TEXT = "text"
    DIR = "dir"
    FILE = "file"
    LIST = "list"


def kind_of(key: str) -> Kind:
    s = BY_KEY[key]
    if s.choices:
        return Kind.CHOICE
    if s.widget == "dir":
        return Kind.DIR
    if s.widget == "file":
        return Kind.FILE
    return {"bool": Kind.BOOL, "int": Kind.INT, "float": Kind.FLOAT, "list": Kind.LIST}.get(s.type, Kind.TEXT)


def unit_of(key: str) -> str:
    return BY_KEY[key].unit


def label_of(key: str) -> str:
    return BY_KEY[key].label


def help_of(key: str) -> str:
    return BY_KEY[key].help


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return json.dumps(value)
    if value == "":
        return "(empty)"
    return str(value)


def tooltip_of(key: str) -> str:
    """Help text, accepted values, default and the key's name (for the settings file and `vsg settings`)."""
    s = BY_KEY[key]
    unit = f" {s.unit}" if s.unit else ""
    rng = s.range_text()
    lines = [s.help]
    if rng and not s.choices:
        lines.append(f"Range: {rng}{unit}")
    lines.append(f"Default: {format_value(s.default)}{unit if s.type in ('int', 'float') else ''}")
    lines.append(f"Setting: {key}")
    return "\n".join(lines)


def layout() -> list[tuple[str, str, list[tuple[str, list[str]]]]]:
    """``[(tab, tab title, [(section title, [keys…])…])…]``: the editable keys in schema order; sections in the
    order of their first key; tabs without an editable key are left out."""
    out = []
    for tab, title in TABS:
        sections: dict[str, list[str]] = {}
        for s in options(tab):
            sections.setdefault(s.section, []).append(s.key)
        if sections:
            out.append((tab, title, list(sections.items())))
    return out


def editable() -> list[Setting]:
    """Every key that gets an editor."""
    return options()
