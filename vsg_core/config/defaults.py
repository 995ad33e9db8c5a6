"""Default value of every setting, derived from the schema (:mod:`vsg_core.config.schema`).

vsg's defaults differ from the original application's in one place, recorded in the decision log of
MIGRATION_PLAN.md: ``filtering_method`` is "None" (the original's dialogue band-pass before GCC-PHAT reports 0 or
± the chunk length on realistic release pairs; see docs/analysis.md#pre-filter).
"""

from __future__ import annotations

from typing import Any

from .schema import BY_KEY, DEFAULTS

ORIGINAL_DEFAULTS: dict[str, Any] = {**DEFAULTS, "filtering_method": "Dialogue Band-Pass Filter"}


def group_of(key: str) -> str:
    """The options-dialog tab of ``key``."""
    return BY_KEY[key].tab


__all__ = ["DEFAULTS", "ORIGINAL_DEFAULTS", "group_of"]
