"""Settings: the schema of every key (docs/settings.md), the settings file, environment overrides."""

from .defaults import DEFAULTS, group_of
from .schema import AVAILABLE, BY_KEY, SCHEMA, Setting
from .settings import Settings, default_path

__all__ = ["AVAILABLE", "BY_KEY", "DEFAULTS", "SCHEMA", "Setting", "Settings", "default_path", "group_of"]
