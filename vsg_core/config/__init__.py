"""Settings: defaults (spec §11.2), the settings file, environment overrides."""

from .defaults import DEFAULTS, group_of
from .settings import Settings, default_path

__all__ = ["DEFAULTS", "Settings", "default_path", "group_of"]
