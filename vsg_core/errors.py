"""Exceptions with messages a user can act on (they name the file/track and say what to do)."""

from __future__ import annotations


class VsgError(Exception):
    """Base class for errors vsg reports to the user without a traceback."""


class ToolMissingError(VsgError):
    """A required external program is not installed."""


class CommandError(VsgError):
    """An external command failed."""

    def __init__(self, message: str, returncode: int | None = None, stderr: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


class MediaError(VsgError):
    """A media file is missing, unreadable, corrupt, or lacks the track that is needed."""


class SettingsError(VsgError):
    """A settings/layout file is unreadable or holds an invalid value."""
